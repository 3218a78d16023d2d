using System.Diagnostics;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Subscriptions to <c>$all</c>: catch-up from a checkpoint, live delivery, filters, resuming, other instances.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task A_subscription_catches_up_from_a_checkpoint_then_follows_live_appends()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var history = Ev.Many(6);
        await store.AppendAsync(stream, ExpectedRevision.NoStream, history[..3]).Bounded();
        await store.AppendAsync(Ev.Stream("lot"), ExpectedRevision.NoStream, history[3..5]).Bounded();
        await store.AppendAsync(stream, ExpectedRevision.Exact(2), history[5..]).Bounded();
        var all = await ReadAllAsync(store);
        var checkpoint = all[1].Position;

        await using var subscription = new LiveSubscription(store, checkpoint);
        var caughtUp = await subscription.TakeAsync(4);
        Assert.Equal(history.Skip(2).Select(e => e.EventId), caughtUp.Select(e => e.EventId));
        Assert.Equal(all.Skip(2).Select(e => e.Position), caughtUp.Select(e => e.Position));

        // Live: each append arrives promptly (well within 5 s), in order, nothing in between.
        for (var round = 0; round < 3; round++)
        {
            var live = Ev.Many(2);
            var watch = Stopwatch.StartNew();
            // The stream holds history[..3] and history[5..]: revisions 0 to 3, then two more per round.
            var result = await store.AppendAsync(stream, ExpectedRevision.Exact(3 + 2 * round), live).Bounded();
            var received = await subscription.TakeAsync(2, TimeSpan.FromSeconds(5));
            watch.Stop();
            Assert.Equal(live.Select(e => e.EventId), received.Select(e => e.EventId));
            Assert.Equal(result.Position, received[^1].Position);
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"A live event took {watch.Elapsed} to arrive.");
        }
    }

    [Fact]
    public async Task A_subscription_from_the_start_of_an_empty_store_receives_the_first_appends()
    {
        var store = await OpenStoreAsync();
        await using var subscription = new LiveSubscription(store, GlobalPosition.Start);
        await Task.Delay(200);

        var first = Ev.New();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, [first]).Bounded();

        var received = await subscription.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(first.EventId, received.EventId);
    }

    [Fact]
    public async Task A_subscription_filters_by_category()
    {
        var store = await OpenStoreAsync();
        var batch = Ev.Stream("batch");
        var lookalike = Ev.Stream("batchx");
        var underscore = Ev.Stream("batch_old");
        var lot = Ev.Stream("lot");
        var farm = Ev.Stream("farm");
        var wanted = new List<Guid>();
        for (var i = 0; i < 4; i++)
        {
            var b = Ev.New();
            var f = Ev.New("farm.harvested.v1");
            await store.AppendAsync(batch, ExpectedRevision.Any, [b]).Bounded();
            await store.AppendAsync(lookalike, ExpectedRevision.Any, [Ev.New()]).Bounded();
            await store.AppendAsync(underscore, ExpectedRevision.Any, [Ev.New()]).Bounded();
            await store.AppendAsync(lot, ExpectedRevision.Any, [Ev.New("lot.created.v1")]).Bounded();
            await store.AppendAsync(farm, ExpectedRevision.Any, [f]).Bounded();
            wanted.Add(b.EventId);
            wanted.Add(f.EventId);
        }

        await using var subscription = new LiveSubscription(store, GlobalPosition.Start, EventFilter.ForCategories("batch", "farm"));
        var caughtUp = await subscription.TakeAsync(wanted.Count);
        Assert.Equal(wanted, caughtUp.Select(e => e.EventId));
        Assert.All(caughtUp, e => Assert.Contains(e.Category, new[] { "batch", "farm" }));

        // Live, with non-matching appends before the matching one: only the matching one arrives.
        await store.AppendAsync(lookalike, ExpectedRevision.Any, [Ev.New()]).Bounded();
        await store.AppendAsync(lot, ExpectedRevision.Any, [Ev.New("lot.created.v1")]).Bounded();
        var sentinel = Ev.New("batch.packed.v1");
        await store.AppendAsync(batch, ExpectedRevision.Any, [sentinel]).Bounded();
        var next = await subscription.NextAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(sentinel.EventId, next.EventId);
    }

    [Fact]
    public async Task A_subscription_filters_by_event_type_and_by_both()
    {
        var store = await OpenStoreAsync();
        var batch = Ev.Stream("batch");
        var lot = Ev.Stream("lot");
        var types = new[] { "batch.dried.v1", "batch.dried.v2", "batch.packed.v1", "lot.created.v1" };
        var appended = new List<(Guid Id, string Category, string Type)>();
        for (var i = 0; i < 12; i++)
        {
            var stream = i % 3 == 0 ? lot : batch;
            var e = Ev.New(types[i % types.Length]);
            await store.AppendAsync(stream, ExpectedRevision.Any, [e]).Bounded();
            appended.Add((e.EventId, stream == lot ? "lot" : "batch", e.Type));
        }

        var byType = EventFilter.ForEventTypes("batch.dried.v1", "lot.created.v1");
        var byBoth = new EventFilter(["batch"], ["batch.dried.v1", "batch.packed.v1"]);
        await using var typeSubscription = new LiveSubscription(store, GlobalPosition.Start, byType);
        await using var bothSubscription = new LiveSubscription(store, GlobalPosition.Start, byBoth);

        var expectedByType = appended.Where(a => a.Type is "batch.dried.v1" or "lot.created.v1").Select(a => a.Id).ToList();
        var expectedByBoth = appended.Where(a => a.Category == "batch" && a.Type is "batch.dried.v1" or "batch.packed.v1").Select(a => a.Id).ToList();
        Assert.NotEmpty(expectedByType);
        Assert.NotEmpty(expectedByBoth);
        Assert.Equal(expectedByType, (await typeSubscription.TakeAsync(expectedByType.Count)).Select(e => e.EventId));
        Assert.Equal(expectedByBoth, (await bothSubscription.TakeAsync(expectedByBoth.Count)).Select(e => e.EventId));

        // Live: a non-matching event, then one matching both filters.
        await store.AppendAsync(batch, ExpectedRevision.Any, [Ev.New("batch.dried.v2")]).Bounded();
        await store.AppendAsync(lot, ExpectedRevision.Any, [Ev.New("batch.packed.v1")]).Bounded(); // type matches, category does not
        var sentinel = Ev.New("batch.dried.v1");
        await store.AppendAsync(batch, ExpectedRevision.Any, [sentinel]).Bounded();
        Assert.Equal(sentinel.EventId, (await typeSubscription.NextAsync(TimeSpan.FromSeconds(5))).EventId);
        Assert.Equal(sentinel.EventId, (await bothSubscription.NextAsync(TimeSpan.FromSeconds(5))).EventId);
    }

    [Fact]
    public async Task Resuming_a_subscription_from_its_checkpoint_delivers_no_duplicates_and_misses_nothing()
    {
        var store = await OpenStoreAsync();
        var streams = new[] { Ev.Stream(), Ev.Stream("lot") };
        var appended = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            var e = Ev.New();
            await store.AppendAsync(streams[i % 2], ExpectedRevision.Any, [e]).Bounded();
            appended.Add(e.EventId);
        }

        var received = new List<RecordedEvent>();
        await using (var first = new LiveSubscription(store, GlobalPosition.Start))
            received.AddRange(await first.TakeAsync(6));
        var checkpoint = received[^1].Position;

        for (var i = 0; i < 4; i++)
        {
            var e = Ev.New();
            await store.AppendAsync(streams[i % 2], ExpectedRevision.Any, [e]).Bounded();
            appended.Add(e.EventId);
        }

        await using (var resumed = new LiveSubscription(store, checkpoint))
        {
            received.AddRange(await resumed.TakeAsync(8));
            var sentinel = Ev.New();
            await store.AppendAsync(streams[0], ExpectedRevision.Any, [sentinel]).Bounded();
            appended.Add(sentinel.EventId);
            received.Add(await resumed.NextAsync(TimeSpan.FromSeconds(5)));
        }

        Assert.Equal(appended, received.Select(e => e.EventId));
        Assert.Equal(received.Count, received.Select(e => e.EventId).Distinct().Count());
        AssertStrictlyIncreasing(received);

        // Resuming at the head delivers only what comes next.
        var head = await store.ReadHeadPositionAsync().Bounded();
        await using var atHead = new LiveSubscription(store, head);
        var next = Ev.New();
        await store.AppendAsync(streams[1], ExpectedRevision.Any, [next]).Bounded();
        Assert.Equal(next.EventId, (await atHead.NextAsync(TimeSpan.FromSeconds(5))).EventId);
    }

    [Fact]
    public async Task A_subscription_on_one_store_instance_sees_appends_made_through_another()
    {
        var writer = await OpenStoreAsync();
        var reader = await OpenStoreAsync();
        var stream = Ev.Stream();
        var early = Ev.New();
        await writer.AppendAsync(stream, ExpectedRevision.NoStream, [early]).Bounded();

        await using var subscription = new LiveSubscription(reader, GlobalPosition.Start);
        Assert.Equal(early.EventId, (await subscription.NextAsync()).EventId);

        for (var i = 0; i < 3; i++)
        {
            var e = Ev.New();
            await writer.AppendAsync(stream, ExpectedRevision.Exact(i), [e]).Bounded();
            // Another instance learns of it by notification or by polling (PollInterval 500 ms): within 5 s.
            Assert.Equal(e.EventId, (await subscription.NextAsync(TimeSpan.FromSeconds(5))).EventId);
        }
    }
}
