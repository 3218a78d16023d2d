using System.Diagnostics;
using System.Globalization;
using System.Text;
using Traceability.EventStore;
using Traceability.TestServers;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>
/// Durability under SIGKILL: a child process (Traceability.CrashWriter) appends as fast as it can and reports every
/// acknowledged append on stdout; the test kills it at a random moment, reopens the store and requires every
/// acknowledged event at its revision, with an intact hash chain. Several rounds on the same database.
/// </summary>
public abstract class CrashTests
{
    private const int Rounds = 5;
    private static readonly TimeSpan TotalBudget = TimeSpan.FromSeconds(60);

    /// <summary>The database the child and the test share for all rounds.</summary>
    protected abstract Task<string> CreateConnectionStringAsync();

    private sealed record Acknowledged(string Stream, long FirstRevision, Guid[] EventIds);

    [Fact]
    public async Task Every_acknowledged_append_survives_a_kill_of_the_writer()
    {
        var connectionString = await CreateConnectionStringAsync();
        var total = Stopwatch.StartNew();
        var acknowledged = new List<Acknowledged>();

        for (var round = 0; round < Rounds; round++)
        {
            var delay = TimeSpan.FromMilliseconds(Random.Shared.Next(200, 1501));
            var acks = await RunAndKillAsync(connectionString, $"r{round}x{Guid.NewGuid():N}"[..12], delay);
            Assert.NotEmpty(acks);
            acknowledged.AddRange(acks);

            await using var store = await EventStoreFactory.OpenAsync(connectionString).WaitAsync(AsyncTestExtensions.Bound);
            // Every event acknowledged in this round and all earlier ones is there, at its revision, with its id.
            foreach (var ack in acknowledged)
            {
                var stored = await store.ReadStreamAsync(ack.Stream, ReadDirection.Forward, ack.FirstRevision, ack.EventIds.Length)
                    .CollectBoundedAsync();
                Assert.True(stored.Count == ack.EventIds.Length,
                    $"Round {round}: {ack.Stream} lost acknowledged events from revision {ack.FirstRevision} " +
                    $"({stored.Count} of {ack.EventIds.Length} found).");
                for (var i = 0; i < stored.Count; i++)
                {
                    Assert.Equal(ack.FirstRevision + i, stored[i].Revision);
                    Assert.Equal(ack.EventIds[i], stored[i].EventId);
                }
            }

            var verification = await store.VerifyAllAsync().WaitAsync(AsyncTestExtensions.Bound);
            Assert.True(verification.IsIntact, $"Round {round}: " + string.Join("; ", verification.Mismatches));
            Assert.True(verification.EventCount >= acknowledged.Sum(a => a.EventIds.Length));
        }

        total.Stop();
        Assert.True(total.Elapsed < TotalBudget, $"{Rounds} crash rounds took {total.Elapsed}.");
    }

    private static string WriterDll()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Traceability.CrashWriter.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: the test project references Traceability.CrashWriter so it is copied here.");
        return dll;
    }

    /// <summary>The dotnet host that runs this test process (falls back to 'dotnet' on PATH).</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return current;
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : "dotnet";
    }

    private static async Task<List<Acknowledged>> RunAndKillAsync(string connectionString, string runTag, TimeSpan delayAfterFirstAck)
    {
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(WriterDll());
        start.ArgumentList.Add(connectionString);
        start.ArgumentList.Add(runTag);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the crash writer.");
        var lines = new List<string>();
        var firstAck = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stdout = Task.Run(() => ReadCompleteLinesAsync(process.StandardOutput.BaseStream, lines, firstAck));
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        try
        {
            var first = await Task.WhenAny(firstAck.Task, exited).WaitAsync(AsyncTestExtensions.Bound);
            if (first == exited)
                Assert.Fail($"The crash writer exited with {process.ExitCode} before acknowledging anything:\n{await stderr}");

            await Task.Delay(delayAfterFirstAck);
            Assert.False(process.HasExited, $"The crash writer exited by itself with {(process.HasExited ? process.ExitCode : 0)}:\n" +
                (process.HasExited ? await stderr : ""));
        }
        finally
        {
            // SIGKILL: no finally blocks, no flushes, no disposal in the child.
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await exited.WaitAsync(AsyncTestExtensions.Bound);
        }

        await stdout.WaitAsync(AsyncTestExtensions.Bound);
        await stderr.WaitAsync(AsyncTestExtensions.Bound);
        lock (lines)
            return lines.Select(Parse).ToList();
    }

    /// <summary>Collects only newline-terminated lines: a line cut short by the kill was never fully reported.</summary>
    private static async Task ReadCompleteLinesAsync(Stream stdout, List<string> lines, TaskCompletionSource firstAck)
    {
        var buffer = new byte[16 * 1024];
        var pending = new MemoryStream();
        int read;
        while ((read = await stdout.ReadAsync(buffer)) > 0)
        {
            var start = 0;
            for (var i = 0; i < read; i++)
            {
                if (buffer[i] != (byte)'\n') continue;
                pending.Write(buffer, start, i - start);
                var line = Encoding.UTF8.GetString(pending.GetBuffer(), 0, (int)pending.Length);
                pending.SetLength(0);
                start = i + 1;
                lock (lines) lines.Add(line);
                firstAck.TrySetResult();
            }
            pending.Write(buffer, start, read - start);
        }
    }

    private static Acknowledged Parse(string line)
    {
        var parts = line.Split(' ');
        Assert.True(parts.Length >= 3 && parts[0].StartsWith("crash-", StringComparison.Ordinal), $"Unexpected crash writer output: '{line}'.");
        return new Acknowledged(parts[0], long.Parse(parts[1], CultureInfo.InvariantCulture), parts[2..].Select(Guid.Parse).ToArray());
    }
}

/// <summary>The crash test on a SQLite file that survives across its rounds.</summary>
public sealed class SqliteCrashTests : CrashTests, IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceability-crash-").FullName;

    protected override Task<string> CreateConnectionStringAsync() =>
        Task.FromResult($"Data Source={Path.Combine(_directory, "events.db")}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>The crash test on a fresh database of the shared throwaway PostgreSQL server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresCrashTests : CrashTests
{
    protected override async Task<string> CreateConnectionStringAsync()
    {
        var server = await ThrowawayPostgres.SharedAsync().WaitAsync(TimeSpan.FromSeconds(120));
        return await server.CreateDatabaseAsync("crash").WaitAsync(AsyncTestExtensions.Bound);
    }
}
