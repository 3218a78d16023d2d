using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Traceability.TestServers;

/// <summary>
/// A PostgreSQL server for tests and benchmarks: either the one named by TRACEABILITY_TEST_POSTGRES,
/// or a fresh cluster started from the distribution's binaries in a temp directory on 127.0.0.1.
/// Durability settings stay at their defaults (fsync, synchronous_commit on): the store's guarantees
/// must be tested against a real, durable server.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string EnvironmentVariable = "TRACEABILITY_TEST_POSTGRES";

    // Debian's postgresql-15 package installs here and puts nothing on PATH.
    private const string DebianBinDir = "/usr/lib/postgresql/15/bin";

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task<ThrowawayPostgres>>> Shared = new();

    private readonly string? _binDir;   // null: external server, never stopped by us
    private readonly string? _dataDir;
    private int _disposed;

    private ThrowawayPostgres(string connectionString, string? binDir, string? dataDir)
    {
        ConnectionString = connectionString;
        _binDir = binDir;
        _dataDir = dataDir;
    }

    /// <summary>Connection string to the "postgres" database as user postgres, pooling on.</summary>
    public string ConnectionString { get; }

    public static async Task<ThrowawayPostgres> StartAsync(CancellationToken ct = default)
    {
        var external = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrWhiteSpace(external))
            return new ThrowawayPostgres(external, binDir: null, dataDir: null);

        var binDir = FindBinDir();
        SweepAbandonedClusters();
        var dataDir = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        try
        {
            // When root, the server must run as postgres (it refuses root), so postgres must own the
            // data directory. CreateTempSubdirectory makes it 0700, which is what initdb wants.
            if (Environment.IsPrivilegedProcess)
                await RunAsync("chown", ["postgres:postgres", dataDir], asPostgres: false, dataDir, ct);

            await RunAsync(Path.Combine(binDir, "initdb"),
                ["-D", dataDir, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                Environment.IsPrivilegedProcess, dataDir, ct);

            // A free port can be taken by someone else between probing and binding: try a few.
            for (var attempt = 1; ; attempt++)
            {
                var port = LoopbackPorts.Free();
                try
                {
                    // Socket in the data dir (not /tmp) so clusters never collide and cleanup is one rm.
                    // max_connections 200: tests run 32 concurrent writers plus several pools.
                    var options = $"-c listen_addresses=127.0.0.1 -p {port} -k '{dataDir}' -c max_connections=200";
                    await RunAsync(Path.Combine(binDir, "pg_ctl"),
                        ["-D", dataDir, "-l", Path.Combine(dataDir, "server.log"), "-w", "-t", "30", "-o", options, "start"],
                        Environment.IsPrivilegedProcess, dataDir, ct);
                    var cs = new NpgsqlConnectionStringBuilder
                    {
                        Host = "127.0.0.1", Port = port, Username = "postgres", Database = "postgres", Pooling = true,
                    };
                    StartWatchdog(binDir, dataDir);
                    return new ThrowawayPostgres(cs.ConnectionString, binDir, dataDir);
                }
                catch (InvalidOperationException) when (attempt < 3 && !ct.IsCancellationRequested)
                {
                }
            }
        }
        catch
        {
            // A start that timed out may have left a server running: stop it before removing its files.
            if (File.Exists(Path.Combine(dataDir, "postmaster.pid")))
            {
                try { await StopAsync(binDir, dataDir, "immediate"); }
                catch (InvalidOperationException) { }
            }
            DeleteDirectory(dataDir);
            throw;
        }
    }

    /// <summary>
    /// One server per process and <paramref name="pool"/>, started on first use and stopped when the process exits.
    /// Separate pools isolate suites that must not share a cluster: on PostgreSQL an open transaction anywhere in
    /// the cluster holds back every <c>$all</c> reader, so a suite that compares <c>$all</c> heads wants a quiet one.
    /// </summary>
    public static Task<ThrowawayPostgres> SharedAsync(string pool = "default") =>
        Shared.GetOrAdd(pool, _ => new Lazy<Task<ThrowawayPostgres>>(StartSharedAsync)).Value;

    private static async Task<ThrowawayPostgres> StartSharedAsync()
    {
        var server = await StartAsync();
        // Test hosts and benchmarks exit without disposing their fixtures' statics: stop it then.
        // Best effort: an exception thrown here would only turn a finished run into a crash.
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try { server.DisposeAsync().AsTask().GetAwaiter().GetResult(); }
            catch (Exception e) { Console.Error.WriteLine($"ThrowawayPostgres: stop at exit failed: {e.Message}"); }
        };
        return server;
    }

    /// <summary>Creates an empty, uniquely named database; tests isolate from each other by database.</summary>
    public async Task<string> CreateDatabaseAsync(string namePrefix = "t", CancellationToken ct = default)
    {
        // The name goes into SQL unquoted: allow only what needs no quoting, and stay under 63 bytes.
        if (namePrefix.Length is < 1 or > 30 || namePrefix[0] is < 'a' or > 'z'
            || !namePrefix.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_'))
            throw new ArgumentException("Use 1-30 lowercase letters, digits or underscores, starting with a letter.", nameof(namePrefix));
        var name = $"{namePrefix}_{Guid.NewGuid():N}";

        await using (var conn = new NpgsqlConnection(ConnectionString))
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE {name}", conn);
            await cmd.ExecuteNonQueryAsync(ct);
        }
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    public async ValueTask DisposeAsync()
    {
        if (_binDir is null || _dataDir is null || Interlocked.Exchange(ref _disposed, 1) == 1)
            return;
        try
        {
            // Immediate: the cluster is thrown away, so skip the shutdown checkpoint (seconds of fsync) and
            // leave time to delete the directory even when this runs at process exit.
            await StopAsync(_binDir, _dataDir, "immediate");
        }
        finally
        {
            DeleteDirectory(_dataDir);
        }
    }

    private static Task StopAsync(string binDir, string dataDir, string mode) =>
        RunAsync(Path.Combine(binDir, "pg_ctl"), ["-D", dataDir, "-m", mode, "-w", "-t", "30", "stop"],
            Environment.IsPrivilegedProcess, dataDir, CancellationToken.None);

    private static string FindBinDir()
    {
        if (File.Exists(Path.Combine(DebianBinDir, "pg_ctl")))
            return DebianBinDir;
        // Other systems (Homebrew, Fedora) put the server tools on PATH.
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator))
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, "pg_ctl")) && File.Exists(Path.Combine(dir, "initdb")))
                return dir;
        throw new InvalidOperationException(
            $"PostgreSQL server binaries (initdb, pg_ctl) not found in {DebianBinDir} or on PATH: " +
            $"install postgresql-15 (apt-get install postgresql-15), or set {EnvironmentVariable} " +
            "to the connection string of a running server.");
    }

    /// <summary>Runs a tool to completion (as user postgres if asked), failing with its output and the server log.</summary>
    private static async Task RunAsync(string file, string[] args, bool asPostgres, string dataDir, CancellationToken ct)
    {
        var psi = new ProcessStartInfo(asPostgres ? "runuser" : file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The postgres user may not be able to enter our working directory (e.g. /root).
            WorkingDirectory = "/",
        };
        if (asPostgres)
            foreach (var a in new[] { "-u", "postgres", "--", file })
                psi.ArgumentList.Add(a);
        foreach (var a in args)
            psi.ArgumentList.Add(a);

        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {psi.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        if (process.ExitCode != 0)
        {
            var log = Path.Combine(dataDir, "server.log");
            var logText = File.Exists(log) ? File.ReadAllText(log) : "(no server log)";
            throw new InvalidOperationException(
                $"{Path.GetFileName(file)} {string.Join(' ', args)} failed with exit code {process.ExitCode}:\n" +
                $"{await stdout}{await stderr}\nserver.log:\n{logText}");
        }
        await Task.WhenAll(stdout, stderr);
    }

    private const string DirectoryPrefix = "traceability-pg-";

    /// <summary>
    /// A detached shell that stops the cluster and removes its files once this process is gone. A test host is
    /// often ended before its exit handlers finish, and a cluster left running outlives the run (and holds whatever
    /// it inherited). After a normal dispose the watchdog finds nothing to stop and only exits.
    /// </summary>
    private static void StartWatchdog(string binDir, string dataDir)
    {
        var stop = Environment.IsPrivilegedProcess ? "runuser -u postgres -- \"$2/pg_ctl\"" : "\"$2/pg_ctl\"";
        var script = $"while kill -0 \"$1\" 2>/dev/null; do sleep 2; done; " +
                     $"if [ -f \"$3/postmaster.pid\" ]; then {stop} -D \"$3\" -m immediate stop >/dev/null 2>&1; fi; rm -rf -- \"$3\"";
        var psi = new ProcessStartInfo("setsid")
        {
            UseShellExecute = false, WorkingDirectory = "/",
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "sh", "-c", script, "watchdog", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), binDir, dataDir })
            psi.ArgumentList.Add(a);
        try
        {
            using var watchdog = Process.Start(psi);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No setsid (not Linux): the exit handler and the sweep remain.
        }
    }

    /// <summary>
    /// A test host that is killed (or exits before its exit handler finishes) leaves its stopped cluster's files
    /// behind. Each start removes such leftovers: directories of ours with no running server, older than ten
    /// minutes (so a cluster another process is creating right now is never touched).
    /// </summary>
    private static void SweepAbandonedClusters()
    {
        foreach (var dir in Directory.EnumerateDirectories(Path.GetTempPath(), DirectoryPrefix + "*"))
        {
            var abandoned = !File.Exists(Path.Combine(dir, "postmaster.pid")) &&
                            Directory.GetLastWriteTimeUtc(dir) < DateTime.UtcNow.AddMinutes(-10);
            if (abandoned) DeleteDirectory(dir);
        }
    }

    /// <summary>
    /// Deletes by a separate <c>rm -rf</c>: at process exit a test host may be killed before a managed delete of a
    /// cluster's thousands of files finishes, and the rm process outlives it.
    /// </summary>
    private static void DeleteDirectory(string dir)
    {
        if (!Directory.Exists(dir)) return;
        try
        {
            using var rm = Process.Start(new ProcessStartInfo("rm", ["-rf", "--", dir]) { UseShellExecute = false });
            rm?.WaitForExit(TimeSpan.FromSeconds(20));
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
