using System.Diagnostics;
using System.Globalization;

namespace Traceability.Benchmarks;

/// <summary>
/// How long to measure and how much to read; <c>--quick</c> shrinks everything to fit in two minutes, and
/// <c>--only page,value_chain</c> runs just the named groups (<see cref="Groups"/>).
/// </summary>
internal sealed record Settings(bool Quick, TimeSpan Warmup, TimeSpan Duration, int ReadAllEvents, string TempDir, IReadOnlySet<string>? Only)
{
    /// <summary>The groups, in the order they run; "postgres" is read-all and the PostgreSQL appends (one server).</summary>
    public static readonly IReadOnlyList<string> Groups = ["sqlite", "projections", "value_chain", "postgres", "page"];

    public static Settings From(string[] args, string tempDir)
    {
        var quick = args.Contains("--quick");
        var only = OnlyGroups(args)?.ToHashSet(StringComparer.Ordinal);
        return quick
            ? new Settings(true, TimeSpan.FromSeconds(0.5), TimeSpan.FromSeconds(2), 50_000, tempDir, only)
            : new Settings(false, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), 200_000, tempDir, only);
    }

    /// <summary>What is wrong with the arguments, checked before anything starts; null when nothing is.</summary>
    public static string? ArgumentError(string[] args) =>
        OnlyGroups(args) is { } only && (only.Length == 0 || only.Except(Groups).Any())
            ? $"--only takes a comma-separated list of these groups: {string.Join(", ", Groups)}"
            : null;

    public bool Runs(string group) => Only is null || Only.Contains(group);

    /// <summary>A fresh SQLite file per figure, so no figure inherits another's database.</summary>
    public string NewDbPath(string name) => Path.Combine(TempDir, name.Replace('.', '_') + ".db");

    private static string[]? OnlyGroups(string[] args)
    {
        var index = Array.IndexOf(args, "--only");
        if (index < 0) return null;
        return index + 1 < args.Length ? args[index + 1].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
    }
}

/// <summary>Progress and diagnostics go to stderr; stdout carries only <c>figure:</c> lines.</summary>
internal static class Log
{
    private static readonly Stopwatch Clock = Stopwatch.StartNew();

    public static TimeSpan Elapsed => Clock.Elapsed;

    public static void Info(string message) =>
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{Clock.Elapsed.TotalSeconds,6:F1}s] {message}"));
}

/// <summary>Prints each figure as exactly one <c>figure: name = number unit</c> line and remembers it for the ratios.</summary>
internal sealed class Report
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    public int Failures { get; private set; }

    public void Figure(string name, double value, string unit, string format = "F0")
    {
        _values[name] = value;
        Console.Out.WriteLine($"figure: {name} = {value.ToString(format, CultureInfo.InvariantCulture)} {unit}");
        Console.Out.Flush();
    }

    public void Ratio(string name, string numerator, string denominator)
    {
        if (_values.TryGetValue(numerator, out var n) && _values.TryGetValue(denominator, out var d) && d > 0)
            Figure(name, n / d, "x", "F2");
        else
            Log.Info($"{name}: not computed ({numerator} or {denominator} missing)");
    }

    /// <summary>Runs one benchmark group; a failure is logged and counted, and the other groups still run.</summary>
    public async Task GroupAsync(string name, Func<Task> body)
    {
        try
        {
            await body();
        }
        catch (Exception e)
        {
            Failures++;
            Log.Info($"FAILED {name}: {e}");
        }
    }
}

/// <summary>Runs writer tasks for a fixed duration and counts the events they appended.</summary>
internal static class Measure
{
    public readonly record struct Result(long Events, TimeSpan Elapsed)
    {
        public double PerSecond => Events / Elapsed.TotalSeconds;

        public Result Add(Result other) => new(Events + other.Events, Elapsed + other.Elapsed);
    }

    /// <summary>
    /// Each of <paramref name="workers"/> tasks calls its step (which returns how many events it appended) until the
    /// duration is over; the elapsed time runs until the last in-flight append has completed.
    /// </summary>
    public static async Task<Result> RunAsync(int workers, TimeSpan duration, Func<int, Func<Task<int>>> makeWorker)
    {
        var steps = Enumerable.Range(0, workers).Select(makeWorker).ToArray();
        var counts = new long[workers];
        var clock = Stopwatch.StartNew();
        var tasks = new Task[workers];
        for (var w = 0; w < workers; w++)
        {
            var worker = w;
            tasks[w] = Task.Run(async () =>
            {
                long n = 0;
                while (clock.Elapsed < duration)
                    n += await steps[worker]();
                counts[worker] = n;
            });
        }
        await Task.WhenAll(tasks);
        clock.Stop();
        return new Result(counts.Sum(), clock.Elapsed);
    }

    /// <summary>
    /// Warms up (JIT, connection pools, page cache) with the same workload on other streams, then measures.
    /// <paramref name="makeWorker"/> gets the phase ("w" warm-up, "t" timed) and the worker index.
    /// </summary>
    public static async Task<Result> WarmThenRunAsync(string name, Settings settings, int workers,
        Func<string, int, Func<Task<int>>> makeWorker)
    {
        Log.Info($"{name}: warm-up {settings.Warmup.TotalSeconds:F1} s, {workers} writer(s)");
        var warm = await RunAsync(workers, settings.Warmup, w => makeWorker("w", w));
        Log.Info($"{name}: warm-up appended {warm.Events} events; measuring {settings.Duration.TotalSeconds:F1} s");
        var result = await RunAsync(workers, settings.Duration, w => makeWorker("t", w));
        Log.Info($"{name}: {result.Events} events in {result.Elapsed.TotalSeconds:F2} s");
        return result;
    }
}

/// <summary>
/// How well group commit worked, read back through the public API after a timed run: appends per commit.
/// PostgreSQL: events with the same <see cref="GlobalPosition.Commit"/> (the writing transaction) were one commit.
/// SQLite: the commit part is just the row position, so events sharing a recorded time (the store stamps a group
/// once) stand in for a commit; an approximation, for stderr only.
/// </summary>
internal static class CommitGroups
{
    public static async Task LogAsync(string name, Traceability.EventStore.IEventStore store, IEnumerable<string> streams,
        Func<Traceability.EventStore.RecordedEvent, long> commitKey, string keyDescription)
    {
        try
        {
            var commits = new HashSet<long>();
            long events = 0;
            foreach (var stream in streams)
                await foreach (var e in store.ReadStreamAsync(stream, Traceability.EventStore.ReadDirection.Forward, 0, long.MaxValue))
                {
                    events++;
                    commits.Add(commitKey(e));
                }
            Log.Info($"{name}: {events} timed single-event appends in {commits.Count} commits ({keyDescription}): " +
                     $"{events / (double)Math.Max(1, commits.Count):F1} appends per group commit");
        }
        catch (Exception e)
        {
            Log.Info($"{name}: could not count commits: {e.Message}");
        }
    }
}

/// <summary>Workloads shared by the backends' figures, so both measure exactly the same thing.</summary>
internal static class Workloads
{
    /// <summary>Each writer appends one event at a time to its own stream, at its exact revision.</summary>
    public static Task<Measure.Result> OneEventPerAppendAsync(Traceability.EventStore.IEventStore store, string name, Settings settings,
        Payloads payloads, int writers, string streamTag) =>
        Measure.WarmThenRunAsync(name, settings, writers, (phase, writer) =>
        {
            var stream = $"batch-{phase}{streamTag}{writer}";
            var revision = Traceability.EventStore.StreamRevision.None;
            long i = writer * 1_000_000L;
            return async () =>
            {
                var expected = revision == Traceability.EventStore.StreamRevision.None
                    ? Traceability.EventStore.ExpectedRevision.NoStream
                    : Traceability.EventStore.ExpectedRevision.Exact(revision);
                var result = await store.AppendAsync(stream, expected, [payloads.Event(i++)]);
                revision = result.NextExpectedRevision;
                return 1;
            };
        });
}
