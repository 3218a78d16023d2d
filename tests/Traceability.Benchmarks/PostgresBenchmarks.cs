using JasperFx;
using JasperFx.Events;
using Marten;
using Traceability.EventStore;

namespace Traceability.Benchmarks;

/// <summary>
/// PostgreSQL append throughput with 8 concurrent writers (one event per append, each to its own stream):
/// our store against Marten's QuickAppend on a separate database of the same server.
/// </summary>
internal static class PostgresBenchmarks
{
    private const int Writers = 8;

    public static async Task RunAsync(Settings settings, Payloads payloads, Report report, Func<string, Task<string>> createDatabase)
    {
        await report.GroupAsync("postgres.append.concurrent8", async () =>
        {
            var r = await StoreAsync(await createDatabase("bench_store"), settings, payloads);
            report.Figure("postgres.append.concurrent8", r.PerSecond, "events/s");
        });
        await report.GroupAsync("marten.append.concurrent8", async () =>
        {
            var r = await MartenAsync(await createDatabase("bench_marten"), settings, payloads);
            report.Figure("marten.append.concurrent8", r.PerSecond, "events/s");
        });
    }

    private static async Task<Measure.Result> StoreAsync(string connectionString, Settings settings, Payloads payloads)
    {
        const string name = "postgres.append.concurrent8";
        await using var store = await EventStoreFactory.OpenAsync(connectionString);
        var measured = await Workloads.OneEventPerAppendAsync(store, name, settings, payloads, Writers, "p");
        await CommitGroups.LogAsync(name, store, Enumerable.Range(0, Writers).Select(w => $"batch-tp{w}"),
            e => e.Position.Commit, "distinct transaction ids");
        return measured;
    }

    /// <summary>
    /// Marten 9 QuickAppend, string stream keys, one session + <c>SaveChangesAsync</c> per event. Correlation and
    /// causation ids are switched on and set, so Marten stores roughly what our metadata carries (it keeps no hash).
    /// </summary>
    private static async Task<Measure.Result> MartenAsync(string connectionString, Settings settings, Payloads payloads)
    {
        const string name = "marten.append.concurrent8";
        using var store = DocumentStore.For(opts =>
        {
            opts.Connection(connectionString);
            opts.AutoCreateSchemaObjects = AutoCreate.All;
            opts.Events.StreamIdentity = StreamIdentity.AsString;
            opts.Events.AppendMode = EventAppendMode.Quick;
            opts.Events.MetadataConfig.CorrelationIdEnabled = true;
            opts.Events.MetadataConfig.CausationIdEnabled = true;
            opts.Events.AddEventType<BatchDried>();
        });

        // Schema creation is not part of the timed run.
        Log.Info($"{name}: creating Marten's schema");
        await store.Storage.ApplyAllConfiguredChangesToDatabaseAsync();

        return await Measure.WarmThenRunAsync(name, settings, Writers, (phase, writer) =>
        {
            var stream = $"batch-{phase}m{writer}";
            long i = writer * 1_000_000L;
            return async () =>
            {
                await using var session = store.LightweightSession();
                session.CorrelationId = Payloads.CorrelationId(i);
                session.CausationId = Payloads.CausationId(i);
                session.Events.Append(stream, payloads.Object(i++));
                await session.SaveChangesAsync();
                return 1;
            };
        });
    }
}
