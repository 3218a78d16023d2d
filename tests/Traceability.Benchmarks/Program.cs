// Traceability event store benchmarks.
//
//   dotnet run -c Release --project tests/Traceability.Benchmarks [-- --quick] [--only page,value_chain]
//
// Every figure is one stdout line "figure: <name> = <number> <unit>" (invariant culture), ratios last; progress and
// diagnostics go to stderr. All figures come from the same run. PostgreSQL is a throwaway server started here (or the
// one TRACEABILITY_TEST_POSTGRES names); SQLite files live in a fresh temp directory; both are removed at the end.
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Npgsql;
using Traceability.Benchmarks;
using Traceability.TestServers;

var wall = Stopwatch.StartNew();
if (Settings.ArgumentError(args) is { } argumentError)
{
    Console.Error.WriteLine(argumentError);
    return 2;
}

var tempDir = Directory.CreateTempSubdirectory("traceability-bench-").FullName;
var settings = Settings.From(args, tempDir);
var report = new Report();
var payloads = new Payloads();

Log.Info($"date: {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}; {RuntimeInformation.OSDescription}; " +
         $".NET {Environment.Version}; {Environment.ProcessorCount} cores; " +
         $"{(settings.Quick ? "QUICK" : "full")} run ({settings.Duration.TotalSeconds:F0} s per figure after " +
         $"{settings.Warmup.TotalSeconds:F1} s warm-up); " +
         (settings.Only is null ? "" : $"only {string.Join(", ", settings.Only)}; ") + $"temp dir {tempDir}");
Log.Info($"payload: {payloads.AverageDataBytes:F0} bytes of JSON data + {payloads.AverageMetadataBytes:F0} bytes of metadata per event");
#if DEBUG
Log.Info("WARNING: Debug build; run with -c Release for meaningful figures");
#endif
report.Figure("machine.cores", Environment.ProcessorCount, "cores");

try
{
    if (settings.Runs("sqlite")) await SqliteBenchmarks.RunAsync(settings, payloads, report);
    if (settings.Runs("projections")) await ProjectionBenchmarks.RunAsync(settings, report);
    if (settings.Runs("value_chain")) await ValueChainBenchmarks.RunAsync(settings, report);
    if (settings.Runs("postgres")) await RunPostgresGroupsAsync(settings, payloads, report);
    if (settings.Runs("page")) await PageBenchmarks.RunAsync(settings, report);

    if (settings.Runs("sqlite")) report.Ratio("ratio.sqlite.single_vs_raw", "sqlite.append.single", "sqlite.raw.single");
    if (settings.Runs("postgres")) report.Ratio("ratio.postgres_vs_marten", "postgres.append.concurrent8", "marten.append.concurrent8");
    if (settings.Runs("page")) report.Ratio("ratio.page_vs_static", "page.cached.rps", "static.rps");
}
finally
{
    SqliteConnection.ClearAllPools();
    try
    {
        Directory.Delete(tempDir, recursive: true);
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        Log.Info($"could not delete {tempDir}: {e.Message}");
    }
}

Log.Info($"done in {wall.Elapsed.TotalSeconds:F1} s" + (report.Failures > 0 ? $"; {report.Failures} group(s) FAILED" : ""));
return report.Failures == 0 ? 0 : 1;

// Read-all and the PostgreSQL appends share one throwaway server.
static async Task RunPostgresGroupsAsync(Settings settings, Payloads payloads, Report report)
{
    var databases = new List<string>();
    ThrowawayPostgres? server = null;
    await report.GroupAsync("postgres (start)", async () =>
    {
        Log.Info("postgres: starting (or connecting to TRACEABILITY_TEST_POSTGRES)");
        server = await ThrowawayPostgres.StartAsync();
        await LogServerSettingsAsync(server.ConnectionString);
    });
    try
    {
        Func<string, Task<string>>? createDatabase = null;
        if (server is not null)
        {
            var pg = server;
            createDatabase = async prefix =>
            {
                var cs = await pg.CreateDatabaseAsync(prefix);
                databases.Add(new NpgsqlConnectionStringBuilder(cs).Database!);
                return cs;
            };
        }

        // Read-all first: its peak working set is the process's, so measure it before Marten is loaded.
        await ReadAllBenchmarks.RunAsync(settings, payloads, report, createDatabase);
        if (createDatabase is not null) await PostgresBenchmarks.RunAsync(settings, payloads, report, createDatabase);
    }
    finally
    {
        if (server is not null)
        {
            await DropDatabasesAsync(server.ConnectionString, databases);
            await server.DisposeAsync();
            Log.Info("postgres: stopped");
        }
    }
}

// The durability settings decide what PostgreSQL figures mean: print them next to the figures.
static async Task LogServerSettingsAsync(string connectionString)
{
    await using var conn = new NpgsqlConnection(connectionString);
    await conn.OpenAsync();
    await using var cmd = new NpgsqlCommand(
        "SELECT version(), current_setting('fsync'), current_setting('synchronous_commit'), " +
        "current_setting('wal_sync_method'), current_setting('shared_buffers')", conn);
    await using var reader = await cmd.ExecuteReaderAsync();
    await reader.ReadAsync();
    Log.Info($"postgres: {reader.GetString(0)}; fsync={reader.GetString(1)}, synchronous_commit={reader.GetString(2)}, " +
             $"wal_sync_method={reader.GetString(3)}, shared_buffers={reader.GetString(4)}");
}

// Databases created on an external server (TRACEABILITY_TEST_POSTGRES) would otherwise be left behind.
static async Task DropDatabasesAsync(string connectionString, List<string> databases)
{
    NpgsqlConnection.ClearAllPools();
    try
    {
        await using var conn = new NpgsqlConnection(connectionString);
        await conn.OpenAsync();
        foreach (var db in databases)
        {
            await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {db} WITH (FORCE)", conn);
            await cmd.ExecuteNonQueryAsync();
        }
    }
    catch (NpgsqlException e)
    {
        Log.Info($"postgres: could not drop benchmark databases: {e.Message}");
    }
}
