using System.Diagnostics;
using Traceability.EventStore;

namespace Traceability.Benchmarks;

/// <summary>
/// Catch-up reads of <c>$all</c> from the start on SQLite and PostgreSQL, and the process's peak working set
/// while they run.
/// </summary>
internal static class ReadAllBenchmarks
{
    private const int FillBatch = 500;
    private const int FillConcurrency = 8;

    public static async Task RunAsync(Settings settings, Payloads payloads, Report report, Func<string, Task<string>>? createDatabase)
    {
        if (settings.Quick)
            Log.Info($"readall: QUICK mode reads {settings.ReadAllEvents:N0} events per backend (the full run reads 200,000)");

        IEventStore? sqlite = null, postgres = null;
        try
        {
            await report.GroupAsync("readall.sqlite (fill)", async () =>
            {
                sqlite = await EventStoreFactory.OpenAsync($"Data Source={settings.NewDbPath("readall")}");
                await FillAsync("readall.sqlite", sqlite, settings.ReadAllEvents, payloads);
            });
            if (createDatabase is not null)
                await report.GroupAsync("readall.postgres (fill)", async () =>
                {
                    postgres = await EventStoreFactory.OpenAsync(await createDatabase("bench_readall"));
                    await FillAsync("readall.postgres", postgres, settings.ReadAllEvents, payloads);
                });

            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            // The peak is the whole process's working set (runtime, JIT, both stores' connections and caches,
            // the benchmark's payload pool), sampled every ~20 ms while the reads run: an upper bound on what
            // reading costs, not the reader's own allocation.
            using var sampler = new PeakWorkingSetSampler(TimeSpan.FromMilliseconds(20));
            if (sqlite is not null)
                await report.GroupAsync("readall.sqlite", async () =>
                {
                    var r = await ReadAsync("readall.sqlite", sqlite, settings.ReadAllEvents);
                    report.Figure("readall.sqlite", r.PerSecond, "events/s");
                });
            if (postgres is not null)
                await report.GroupAsync("readall.postgres", async () =>
                {
                    var r = await ReadAsync("readall.postgres", postgres, settings.ReadAllEvents);
                    report.Figure("readall.postgres", r.PerSecond, "events/s");
                });
            var peak = sampler.Stop();
            if (sqlite is not null || postgres is not null)
                report.Figure("readall.peak_mb", peak / (1024.0 * 1024.0), "MB", "F1");
        }
        finally
        {
            if (sqlite is not null) await sqlite.DisposeAsync();
            if (postgres is not null) await postgres.DisposeAsync();
        }
    }

    /// <summary>Fills a store fast: appends of 500 events, 8 at a time, each to a new stream.</summary>
    private static async Task FillAsync(string name, IEventStore store, int total, Payloads payloads)
    {
        var clock = Stopwatch.StartNew();
        var appends = (total + FillBatch - 1) / FillBatch;
        var next = -1;
        var writers = Enumerable.Range(0, FillConcurrency).Select(_ => Task.Run(async () =>
        {
            int k;
            while ((k = Interlocked.Increment(ref next)) < appends)
            {
                var count = Math.Min(FillBatch, total - k * FillBatch);
                await store.AppendAsync($"batch-r{k}", ExpectedRevision.NoStream, payloads.Events((long)k * FillBatch, count));
            }
        }));
        await Task.WhenAll(writers);
        Log.Info($"{name}: filled {total:N0} events in {clock.Elapsed.TotalSeconds:F1} s " +
                 $"({total / clock.Elapsed.TotalSeconds:F0} events/s in {FillBatch}-event appends, {FillConcurrency} concurrent)");
    }

    private static async Task<Measure.Result> ReadAsync(string name, IEventStore store, int expected)
    {
        // Warm-up: JIT and the first pages, on a prefix only.
        long warm = 0;
        await foreach (var e in store.ReadAllAsync(GlobalPosition.Start, maxCount: Math.Min(5_000, expected)))
            warm += e.Data.Length;

        var clock = Stopwatch.StartNew();
        long count = 0, bytes = 0;
        await foreach (var e in store.ReadAllAsync(GlobalPosition.Start))
        {
            count++;
            bytes += e.Data.Length; // touch every event so the read cannot be skipped
        }
        clock.Stop();
        Log.Info($"{name}: read {count:N0} events ({bytes / (1024.0 * 1024.0):F1} MB of data; warm-up touched {warm} bytes) " +
                 $"in {clock.Elapsed.TotalSeconds:F2} s");
        if (count < expected)
            throw new InvalidOperationException($"{name}: read {count} events, expected at least {expected}.");
        return new Measure.Result(count, clock.Elapsed);
    }

    /// <summary>Samples the process's working set on its own thread, so a busy thread pool cannot hide a peak.</summary>
    private sealed class PeakWorkingSetSampler : IDisposable
    {
        private readonly Thread _thread;
        private readonly TimeSpan _interval;
        private volatile bool _stop;
        private long _peak;

        public PeakWorkingSetSampler(TimeSpan interval)
        {
            _interval = interval;
            Sample();
            _thread = new Thread(Run) { IsBackground = true, Name = "peak-working-set" };
            _thread.Start();
        }

        public long Stop()
        {
            _stop = true;
            _thread.Join();
            Sample();
            return Interlocked.Read(ref _peak);
        }

        public void Dispose()
        {
            if (!_stop) Stop();
        }

        private void Run()
        {
            while (!_stop)
            {
                Sample();
                Thread.Sleep(_interval);
            }
        }

        private void Sample()
        {
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            var ws = process.WorkingSet64;
            long seen;
            while (ws > (seen = Interlocked.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, ws, seen) != seen)
            {
            }
        }
    }
}
