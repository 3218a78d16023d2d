// Traceability event store benchmarks.
//
//   dotnet run -c Release --project tests/Traceability.Benchmarks [-- --quick]
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
var tempDir = Directory.CreateTempSubdirectory("traceability-bench-").FullName;
var settings = Settings.From(args, tempDir);
var report = new Report();
var payloads = new Payloads();

Log.Info($"date: {DateTimeOffset.Now:yyyy-MM-dd HH:mm:ss zzz}; {RuntimeInformation.OSDescription}; " +
         $".NET {Environment.Version}; {Environment.ProcessorCount} cores; " +
         $"{(settings.Quick ? "QUICK" : "full")} run ({settings.Duration.TotalSeconds:F0} s per figure after " +
         $"{settings.Warmup.TotalSeconds:F1} s warm-up); temp dir {tempDir}");
Log.Info($"payload: {payloads.AverageDataBytes:F0} bytes of JSON data + {payloads.AverageMetadataBytes:F0} bytes of metadata per event");
#if DEBUG
Log.Info("WARNING: Debug build; run with -c Release for meaningful figures");
#endif
report.Figure("machine.cores", Environment.ProcessorCount, "cores");

var databases = new List<string>();
try
{
    await SqliteBenchmarks.RunAsync(settings, payloads, report);
    await ProjectionBenchmarks.RunAsync(settings, report);
    await ValueChainBenchmarks.RunAsync(settings, report);

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

    report.Ratio("ratio.sqlite.single_vs_raw", "sqlite.append.single", "sqlite.raw.single");
    report.Ratio("ratio.postgres_vs_marten", "postgres.append.concurrent8", "marten.append.concurrent8");
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
