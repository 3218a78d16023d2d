using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;
using Traceability.Projections.Hosting;
using Traceability.Projections.Provenance;

namespace Traceability.Benchmarks;

/// <summary>
/// The projector on SQLite: how fast every projection together rebuilds from the first event
/// (<c>projection.rebuild</c>), and how far behind live processing runs under a steady 500 commands/s
/// (<c>projection.lag.p99</c>). Events are real domain events, encoded as the Api encodes them.
/// </summary>
internal static class ProjectionBenchmarks
{
    private const int EventsPerBatch = 10;

    public static async Task RunAsync(Settings settings, Report report)
    {
        await report.GroupAsync("projection.rebuild", () => RebuildAsync(settings, report));
        await report.GroupAsync("projection.lag", () => LagAsync(settings, report));
    }

    private static async Task RebuildAsync(Settings settings, Report report)
    {
        var events = settings.Quick ? 50_000 : 200_000;
        var path = settings.NewDbPath("projection.rebuild");
        await using var store = await EventStoreFactory.OpenAsync($"Data Source={path}");
        var fill = Stopwatch.StartNew();
        var batches = events / EventsPerBatch;
        for (var i = 0; i < batches; i += 100)
            await Task.WhenAll(Enumerable.Range(i, Math.Min(100, batches - i)).Select(b =>
                store.AppendAsync($"batch-{Id(b):N}", ExpectedRevision.NoStream, BatchHistory(b))));
        Log.Info($"projection.rebuild: wrote {events:N0} events in {fill.Elapsed.TotalSeconds:F1} s{(settings.Quick ? " (quick: 50,000 events)" : "")}");

        await using var readModels = await ReadModelDatabase.OpenAsync($"Data Source={path}");
        var projections = AllProjections();
        await using var projector = new Projector(store, readModels, projections, NullLogger<Projector>.Instance);
        var head = await store.ReadHeadPositionAsync();
        var clock = Stopwatch.StartNew();
        await projector.StartAsync(CancellationToken.None);
        await projector.WaitForAsync(head, CancellationToken.None);
        var seconds = clock.Elapsed.TotalSeconds;
        Log.Info($"projection.rebuild: {projections.Count} projections ({string.Join(", ", projections.Select(p => p.Name))}) caught up in {seconds:F1} s");
        report.Figure("projection.rebuild", events / seconds, "events/s");

        // Where the time goes: each projection alone, rebuilt from the first event.
        foreach (var projection in projections)
        {
            await projector.RebuildAsync(projection.Name, CancellationToken.None);
            var alone = Stopwatch.StartNew();
            await projector.WaitForAsync(head, CancellationToken.None);
            Log.Info($"projection.rebuild: {projection.Name} alone {events / alone.Elapsed.TotalSeconds:F0} events/s");
        }
    }

    /// <summary>Appends at a steady 500 events/s and measures, per event, the time from its acknowledgement to the provenance projection's checkpoint passing it.</summary>
    private static async Task LagAsync(Settings settings, Report report)
    {
        var duration = settings.Quick ? TimeSpan.FromSeconds(10) : TimeSpan.FromSeconds(60);
        var path = settings.NewDbPath("projection.lag");
        await using var store = await EventStoreFactory.OpenAsync($"Data Source={path}");
        await using var readModels = await ReadModelDatabase.OpenAsync($"Data Source={path}");
        await using var projector = new Projector(store, readModels, AllProjections(), NullLogger<Projector>.Instance);
        await projector.StartAsync(CancellationToken.None);
        await projector.Started;

        var acknowledged = new System.Collections.Concurrent.ConcurrentQueue<(GlobalPosition Position, long AckTicks)>();
        var lags = new List<double>();
        using var stop = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            var pending = new Queue<(GlobalPosition Position, long AckTicks)>();
            while (!stop.IsCancellationRequested || !acknowledged.IsEmpty || pending.Count > 0)
            {
                while (acknowledged.TryDequeue(out var a)) pending.Enqueue(a);
                var checkpoint = projector.Status.FirstOrDefault(s => s.Name == "provenance")?.Checkpoint ?? GlobalPosition.Start;
                var now = Stopwatch.GetTimestamp();
                while (pending.Count > 0 && pending.Peek().Position <= checkpoint)
                    lags.Add(Stopwatch.GetElapsedTime(pending.Dequeue().AckTicks, now).TotalMilliseconds);
                await Task.Delay(1);
            }
        });

        var interval = TimeSpan.FromMilliseconds(2); // 500 per second
        var started = Stopwatch.StartNew();
        var sent = 0;
        var streams = 0;
        while (started.Elapsed < duration)
        {
            var due = interval * sent;
            if (due > started.Elapsed) await Task.Delay(due - started.Elapsed);
            // Each new batch is registered, then takes notes: a command each, as a cooperative's phone sends them.
            var batch = sent / EventsPerBatch;
            var history = BatchHistory(batch);
            var e = history[sent % EventsPerBatch];
            var result = await store.AppendAsync($"batch-{Id(batch):N}", sent % EventsPerBatch == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Any, [e]);
            acknowledged.Enqueue((result.Position, Stopwatch.GetTimestamp()));
            sent++;
            streams = batch + 1;
        }

        await stop.CancelAsync();
        await watcher.WaitAsync(TimeSpan.FromSeconds(60));
        lags.Sort();
        var p99 = lags[(int)Math.Ceiling(lags.Count * 0.99) - 1];
        Log.Info($"projection.lag: {sent:N0} commands in {started.Elapsed.TotalSeconds:F1} s ({sent / started.Elapsed.TotalSeconds:F0}/s) over {streams:N0} batches; " +
                 $"lag p50 {lags[lags.Count / 2]:F1} ms, p99 {p99:F1} ms, max {lags[^1]:F1} ms");
        report.Figure("projection.lag.p99", p99, "ms", "F1");
    }

    private static List<IProjection> AllProjections() =>
        typeof(ProvenanceProjection).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IProjection).IsAssignableFrom(t))
            .Select(t => (IProjection)Activator.CreateInstance(t)!)
            .ToList();

    private static Guid Id(int batch) => new(batch, 0x7ace, 0x0b07, [0, 0, 0, 0, 0, 0, 0, 1]);

    /// <summary>Ten events of a Cần Giờ batch's life: registered, received, washed, salted, dried, inspected, packed, stored, and two notes.</summary>
    private static List<EventData> BatchHistory(int batch)
    {
        var id = Id(batch);
        var cooperative = new Guid(batch % 700, 0x0c00, 0x0001, [0, 0, 0, 0, 0, 0, 0, 2]);
        var party = new PartyRef(PartyKind.Cooperative, cooperative, "HTX Thủy sản Cần Giờ (demo)");
        var at = new DateTimeOffset(2025, 7, 1, 6, 0, 0, TimeSpan.FromHours(7)).AddMinutes(batch);
        StepInfo Step(int minutes) => new(at.AddMinutes(minutes), "Xã Cần Giờ", party, null);
        var address = new Address("Ấp Long Thạnh", "Xã Cần Giờ", "27676", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");
        var metadata = new EventMetadata($"cooperative:{cooperative}", null, id, id, null, null);
        object[] events =
        [
            new BatchRegistered(id, new Producer(cooperative, party.Name, address), new Product("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", null),
                $"CG-{batch:D6}", new Quantity(100m, QuantityUnit.Kg), new Origin("Vùng biển Cần Giờ", null, DateOnly.FromDateTime(at.DateTime), DateOnly.FromDateTime(at.DateTime), null),
                at, null, [], null, party, at),
            new BatchReceived(id, Step(10), new Quantity(98.5m, QuantityUnit.Kg), null),
            new BatchWashed(id, Step(20), "Nước sạch"),
            new BatchSalted(id, Step(30), 8m, 3m),
            new Traceability.Domain.Batches.BatchDried(id, Step(300), DryingMethod.Sun, at.AddMinutes(40), at.AddMinutes(290), 38m, new Quantity(48m, QuantityUnit.Kg)),
            new BatchInspected(id, Step(320), "Trung tâm Kiểm nghiệm (demo)", InspectionResult.Pass, [new Measurement("độ ẩm", 38m, "%")], "KN-1"),
            new BatchPacked(id, Step(340), 96, new Quantity(0.5m, QuantityUnit.Kg), DateOnly.FromDateTime(at.DateTime).AddMonths(6)),
            new BatchStored(id, Step(350), "Kho mát", 4m),
            new BatchNoteAdded(id, Step(360) with { Note = "Lô đẹp, nắng tốt" }),
            new BatchNoteAdded(id, Step(370) with { Note = "Đã dán tem QR" }),
        ];
        return events.Select(e => EventCodec.Encode(e, metadata, new Guid(batch, (short)Array.IndexOf(events, e), 0x0e0e, [0, 0, 0, 0, 0, 0, 0, 3]))).ToList();
    }
}
