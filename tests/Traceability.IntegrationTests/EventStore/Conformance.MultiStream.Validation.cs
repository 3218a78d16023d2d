using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Malformed multi-stream appends are refused with a typed error before anything is written.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task A_multi_stream_append_without_parts_with_a_null_part_or_with_a_stream_twice_is_refused()
    {
        var store = await OpenStoreAsync();
        var existing = Ev.Stream("lot");
        await store.AppendAsync(existing, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var fresh = Ev.Stream();
        var before = await SnapshotAsync(store);

        await AssertRefusedAsync(EventStoreErrorCode.EmptyAppend, () => store.AppendMultipleAsync([]));
        await AssertRefusedAsync(EventStoreErrorCode.EmptyAppend, () => store.AppendMultipleAsync(Array.Empty<StreamAppend>()));
        await Assert.ThrowsAsync<EventStoreArgumentException>(() => store.AppendMultipleAsync(null!).Bounded());
        await Assert.ThrowsAsync<EventStoreArgumentException>(
            () => store.AppendMultipleAsync([Part(fresh, ExpectedRevision.NoStream, Ev.New()), null!]).Bounded());
        await Assert.ThrowsAsync<EventStoreArgumentException>(
            () => store.AppendMultipleAsync([null!, Part(fresh, ExpectedRevision.NoStream, Ev.New())]).Bounded());

        // The same stream twice, next to each other or not, with the same or other expected revisions.
        await AssertRefusedAsync(EventStoreErrorCode.DuplicateStreamInAppend, () => store.AppendMultipleAsync(
            [Part(existing, ExpectedRevision.Exact(0), Ev.New()), Part(existing, ExpectedRevision.Exact(1), Ev.New())]));
        await AssertRefusedAsync(EventStoreErrorCode.DuplicateStreamInAppend, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, Ev.New()), Part(existing, ExpectedRevision.Any, Ev.New()), Part(fresh, ExpectedRevision.NoStream, Ev.New())]));
        await AssertRefusedAsync(EventStoreErrorCode.DuplicateStreamInAppend, () => store.AppendMultipleAsync(
            [Part(existing, ExpectedRevision.Any, Ev.New()), Part(existing, ExpectedRevision.Any, Ev.New())]));

        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, fresh));
        Assert.Single(await ReadStreamAsync(store, existing));
    }

    [Fact]
    public async Task Each_part_of_a_multi_stream_append_is_validated_as_a_single_append_is()
    {
        var store = await OpenStoreAsync();
        var existing = Ev.Stream("lot");
        await store.AppendAsync(existing, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var fresh = Ev.Stream();
        var before = await SnapshotAsync(store);

        // A valid part first, then the faulty one: the whole append is refused.
        Task Refused(StreamAppend faulty) =>
            store.AppendMultipleAsync([Part(fresh, ExpectedRevision.NoStream, Ev.New()), faulty]);
        await AssertRefusedAsync(EventStoreErrorCode.InvalidStreamName, () => Refused(Part("Batch-1", ExpectedRevision.Any, Ev.New())));
        await AssertRefusedAsync(EventStoreErrorCode.EmptyAppend, () => Refused(Part(existing, ExpectedRevision.Any)));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidEventType, () => Refused(Part(existing, ExpectedRevision.Any, Ev.New("BatchDried"))));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidJson, () => Refused(Part(existing, ExpectedRevision.Any, Ev.Raw("[1]"u8.ToArray()))));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidJson,
            () => Refused(Part(existing, ExpectedRevision.Any, Ev.Raw("{\"kg\":1}"u8.ToArray(), "null"u8.ToArray()))));
        await AssertRefusedAsync(EventStoreErrorCode.InvalidEventId,
            () => Refused(Part(existing, ExpectedRevision.Any, Ev.New() with { EventId = Guid.Empty })));

        // One event id in two parts: event ids are unique across the store.
        var once = Ev.New();
        await AssertRefusedAsync(EventStoreErrorCode.DuplicateEventIdInAppend, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, once), Part(existing, ExpectedRevision.Any, Ev.New() with { EventId = once.EventId })]));

        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, fresh));
        Assert.Single(await ReadStreamAsync(store, existing));
    }

    [Fact]
    public async Task A_multi_stream_append_of_more_than_one_mebibyte_across_its_parts_is_refused_and_exactly_one_is_accepted()
    {
        const int limit = 1024 * 1024;
        var store = await OpenStoreAsync();
        var existing = Ev.Stream("lot");
        await store.AppendAsync(existing, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var fresh = Ev.Stream();
        var third = Ev.Stream("farm");
        var before = await SnapshotAsync(store);

        // No part is too large alone; together they are.
        await AssertRefusedAsync(EventStoreErrorCode.AppendTooLarge, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, EventOfSize(limit / 2)), Part(existing, ExpectedRevision.Exact(0), EventOfSize(limit / 2 + 1))]));
        await AssertRefusedAsync(EventStoreErrorCode.AppendTooLarge, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, EventOfSize(400_000)), Part(existing, ExpectedRevision.Any, EventOfSize(400_000)),
                Part(third, ExpectedRevision.Any, EventOfSize(400_000))]));
        await AssertRefusedAsync(EventStoreErrorCode.AppendTooLarge, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, Ev.New()), Part(existing, ExpectedRevision.Any, EventOfSize(limit + 1))]));
        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, fresh));
        Assert.Empty(await ReadStreamAsync(store, third));

        var pieces = new[] { EventOfSize(limit / 2), EventOfSize(limit / 4), EventOfSize(limit / 4) };
        var results = await store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, pieces[0]), Part(existing, ExpectedRevision.Exact(0), pieces[1], pieces[2])]).Bounded();

        Assert.Equal(new long[] { 0, 2 }, results.Select(r => r.NextExpectedRevision));
        AssertSameEvent(pieces[0], Assert.Single(await ReadStreamAsync(store, fresh)));
        var stored = await ReadStreamAsync(store, existing);
        AssertSameEvent(pieces[1], stored[1]);
        AssertSameEvent(pieces[2], stored[2]);
        Assert.True((await store.VerifyAllAsync().Bounded()).IsIntact);
    }
}
