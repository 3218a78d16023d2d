using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Re-appending stored event ids: a retry returns the original result; any other overlap is refused.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task Re_appending_the_same_events_at_the_same_place_returns_the_original_result_and_writes_nothing()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var created = Ev.Many(2);
        var original = await store.AppendAsync(stream, ExpectedRevision.NoStream, created).Bounded();

        // A retry with no-stream after the stream was created by that very append.
        var retry = await store.AppendAsync(stream, ExpectedRevision.NoStream, created).Bounded();
        Assert.Equal(original, retry);
        Assert.Equal(original.NextExpectedRevision, retry.NextExpectedRevision);
        Assert.Equal(original.Position, retry.Position);

        // A retry with an exact revision, even after the stream has moved on.
        var third = Ev.New();
        var atTwo = await store.AppendAsync(stream, ExpectedRevision.Exact(1), [third]).Bounded();
        await store.AppendAsync(stream, ExpectedRevision.Exact(2), Ev.Many(2)).Bounded();
        var before = await SnapshotAsync(store);

        Assert.Equal(atTwo, await store.AppendAsync(stream, ExpectedRevision.Exact(1), [third]).Bounded());
        Assert.Equal(original, await store.AppendAsync(stream, ExpectedRevision.NoStream, created).Bounded());

        await AssertUnchangedAsync(store, before);
        var stored = await ReadStreamAsync(store, stream);
        Assert.Equal(5, stored.Count);
        Assert.Equal(5, (await ReadAllAsync(store)).Count);
        Assert.Equal(created[0].EventId, stored[0].EventId);
        Assert.Equal(created[1].EventId, stored[1].EventId);
        Assert.Equal(third.EventId, stored[2].EventId);
    }

    [Fact]
    public async Task Re_appending_after_reopening_the_store_is_still_idempotent()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var events = Ev.Many(3);
        var original = await store.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded();
        var more = Ev.Many(2);
        var second = await store.AppendAsync(stream, ExpectedRevision.Exact(2), more).Bounded();

        store = await ReopenAsync(store);

        Assert.Equal(original, await store.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded());
        Assert.Equal(second, await store.AppendAsync(stream, ExpectedRevision.Exact(2), more).Bounded());
        Assert.Equal(5, (await ReadStreamAsync(store, stream)).Count);
        Assert.Equal(5, (await ReadAllAsync(store)).Count);
        Assert.Equal(second.Position, await store.ReadHeadPositionAsync().Bounded());
    }

    [Fact]
    public async Task A_partial_overlap_with_stored_events_is_a_wrong_expected_revision_and_writes_nothing()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var events = Ev.Many(2);
        await store.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded();
        var before = await SnapshotAsync(store);

        // The first stored event followed by a new one.
        await Assert.ThrowsAsync<WrongExpectedRevisionException>(
            () => store.AppendAsync(stream, ExpectedRevision.NoStream, [events[0], Ev.New()]).Bounded());
        // Both stored events followed by a new one.
        await Assert.ThrowsAsync<WrongExpectedRevisionException>(
            () => store.AppendAsync(stream, ExpectedRevision.NoStream, [events[0], events[1], Ev.New()]).Bounded());
        // A new event followed by a stored one, at the end of the stream.
        await Assert.ThrowsAsync<WrongExpectedRevisionException>(
            () => store.AppendAsync(stream, ExpectedRevision.Exact(1), [Ev.New(), events[1]]).Bounded());

        await AssertUnchangedAsync(store, before);
        Assert.Equal(2, (await ReadStreamAsync(store, stream)).Count);
    }

    [Fact]
    public async Task An_event_id_stored_in_another_stream_is_refused()
    {
        var store = await OpenStoreAsync();
        var first = Ev.Stream();
        var second = Ev.Stream("lot");
        var shared = Ev.New();
        await store.AppendAsync(first, ExpectedRevision.NoStream, [shared]).Bounded();
        var before = await SnapshotAsync(store);

        var error = await Assert.ThrowsAsync<EventIdInOtherStreamException>(
            () => store.AppendAsync(second, ExpectedRevision.Any, [shared]).Bounded());

        Assert.Equal(shared.EventId, error.EventId);
        Assert.Equal(first, error.ExistingStream);
        Assert.Equal(EventStoreErrorCode.EventIdInOtherStream, error.Code);
        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, second));

        // Whatever the expected revision, and with new events after it.
        await Assert.ThrowsAsync<EventIdInOtherStreamException>(
            () => store.AppendAsync(second, ExpectedRevision.NoStream, [shared, Ev.New()]).Bounded());
        await Assert.ThrowsAsync<EventIdInOtherStreamException>(
            () => store.AppendAsync(second, ExpectedRevision.StreamExists, [shared]).Bounded());
        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, second));

        // Also after a restart: the id is remembered durably.
        store = await ReopenAsync(store);
        await Assert.ThrowsAsync<EventIdInOtherStreamException>(
            () => store.AppendAsync(second, ExpectedRevision.NoStream, [shared]).Bounded());
        Assert.Empty(await ReadStreamAsync(store, second));
    }

    [Fact]
    public async Task An_append_whose_later_event_is_stored_in_another_stream_is_refused_as_such()
    {
        var store = await OpenStoreAsync();
        var first = Ev.Stream();
        var second = Ev.Stream("lot");
        var shared = Ev.New();
        await store.AppendAsync(first, ExpectedRevision.NoStream, [shared]).Bounded();
        var before = await SnapshotAsync(store);

        // A new event first, then one whose id lives in another stream: that id is the problem, not the revision
        // (with 'any' no revision can be wrong).
        var error = await Assert.ThrowsAsync<EventIdInOtherStreamException>(
            () => store.AppendAsync(second, ExpectedRevision.Any, [Ev.New(), shared]).Bounded());

        Assert.Equal(shared.EventId, error.EventId);
        Assert.Equal(first, error.ExistingStream);
        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, second));
    }
}
