using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>
/// Appending to several streams at once: every part is written at its own revision, or none is; a retry with the
/// same event ids is harmless; a subscriber sees every part once, in position order.
/// </summary>
public abstract partial class EventStoreConformanceTests
{
    /// <summary>Each stream's event ids, to compare before and after a refused multi-stream append.</summary>
    private static async Task<List<Guid>[]> StreamIdsAsync(IEventStore store, params string[] streams)
    {
        var ids = new List<Guid>[streams.Length];
        for (var i = 0; i < streams.Length; i++)
            ids[i] = (await ReadStreamAsync(store, streams[i])).Select(e => e.EventId).ToList();
        return ids;
    }

    [Fact]
    public async Task A_multi_stream_append_writes_every_part_at_its_own_revision_and_returns_their_results_in_order()
    {
        var store = await OpenStoreAsync();
        var existing = Ev.Stream("lot");
        await store.AppendAsync(existing, ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        var touched = Ev.Stream("farm");
        await store.AppendAsync(touched, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var head = await store.ReadHeadPositionAsync().Bounded();

        var parts = new[]
        {
            Part(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(3)),
            Part(existing, ExpectedRevision.Exact(1), Ev.Many(2)),
            Part(touched, ExpectedRevision.StreamExists, Ev.New()),
            Part(Ev.Stream("buyer"), ExpectedRevision.Any, Ev.Many(2)),
        };
        var results = await store.AppendMultipleAsync(parts).Bounded();

        Assert.Equal(new long[] { 2, 3, 1, 1 }, results.Select(r => r.NextExpectedRevision));
        for (var p = 0; p < parts.Length; p++)
        {
            var stored = await ReadStreamAsync(store, parts[p].Stream);
            Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => (long)i), stored.Select(e => e.Revision));
            var appended = stored.Skip(stored.Count - parts[p].Events.Count).ToList();
            for (var i = 0; i < appended.Count; i++)
            {
                AssertSameEvent(parts[p].Events[i], appended[i]);
                Assert.Equal(parts[p].Stream, appended[i].Stream);
            }
            AssertStrictlyIncreasing(stored);
            Assert.Equal(results[p].Position, stored[^1].Position);
            Assert.True(appended[0].Position > head);
            Assert.True((await store.VerifyStreamAsync(parts[p].Stream).Bounded()).IsIntact);
        }

        // $all holds exactly these eight events after the old head, and the head is the last of them.
        var after = await ReadAllAsync(store, head);
        Assert.Equal(parts.SelectMany(p => p.Events).Select(e => e.EventId).Order(), after.Select(e => e.EventId).Order());
        AssertStrictlyIncreasing(after);
        var last = results.Max(r => r.Position);
        Assert.Equal(last, after[^1].Position);
        Assert.Equal(last, await store.ReadHeadPositionAsync().Bounded());

        // The streams go on from the returned revisions.
        var next = await store.AppendAsync(existing, ExpectedRevision.Exact(results[1].NextExpectedRevision), [Ev.New()]).Bounded();
        Assert.Equal(4, next.NextExpectedRevision);
        Assert.True(next.Position > last);
    }

    [Fact]
    public async Task A_wrong_expected_revision_in_one_part_fails_the_whole_append_and_writes_to_no_stream()
    {
        var store = await OpenStoreAsync();
        var atOne = Ev.Stream("lot");
        await store.AppendAsync(atOne, ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        var atZero = Ev.Stream("farm");
        await store.AppendAsync(atZero, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var fresh = Ev.Stream();
        var before = await SnapshotAsync(store);
        var beforeStreams = await StreamIdsAsync(store, atOne, atZero, fresh);

        async Task AssertNothingWrittenAsync()
        {
            await AssertUnchangedAsync(store, before);
            Assert.Equal(beforeStreams, await StreamIdsAsync(store, atOne, atZero, fresh));
        }

        // The failing part first, in the middle and last: whatever came before it is undone.
        for (var failing = 0; failing < 3; failing++)
        {
            var parts = new List<StreamAppend> { Part(atOne, ExpectedRevision.Exact(1), Ev.Many(2)), Part(fresh, ExpectedRevision.NoStream, Ev.New()) };
            parts.Insert(failing, Part(atZero, ExpectedRevision.Exact(5), Ev.Many(2)));
            var error = await AssertWrongRevisionAsync(0, () => store.AppendMultipleAsync(parts));
            Assert.Equal(atZero, error.Stream);
            Assert.Equal(5, error.Expected.Revision);
            await AssertNothingWrittenAsync();
        }

        // Every kind of expected revision fails a part as it fails a single append.
        var noStream = await AssertWrongRevisionAsync(1, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.Any, Ev.New()), Part(atOne, ExpectedRevision.NoStream, Ev.New())]));
        Assert.True(noStream.Expected.IsNoStream);
        var exists = await AssertWrongRevisionAsync(StreamRevision.None, () => store.AppendMultipleAsync(
            [Part(atZero, ExpectedRevision.Exact(0), Ev.New()), Part(fresh, ExpectedRevision.StreamExists, Ev.New())]));
        Assert.Equal(fresh, exists.Stream);
        await AssertNothingWrittenAsync();

        // Two failing parts: the first one's error is thrown.
        var first = await AssertWrongRevisionAsync(1, () => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, Ev.New()), Part(atOne, ExpectedRevision.Exact(0), Ev.New()), Part(atZero, ExpectedRevision.Exact(3), Ev.New())]));
        Assert.Equal(atOne, first.Stream);
        var firstAgain = await AssertWrongRevisionAsync(0, () => store.AppendMultipleAsync(
            [Part(atZero, ExpectedRevision.Exact(3), Ev.New()), Part(atOne, ExpectedRevision.Exact(0), Ev.New())]));
        Assert.Equal(atZero, firstAgain.Stream);
        await AssertNothingWrittenAsync();

        // Nothing was left behind: the right revisions are still the ones the streams had.
        var results = await store.AppendMultipleAsync(
            [Part(atOne, ExpectedRevision.Exact(1), Ev.New()), Part(atZero, ExpectedRevision.Exact(0), Ev.New()), Part(fresh, ExpectedRevision.NoStream, Ev.New())]).Bounded();
        Assert.Equal(new long[] { 2, 1, 0 }, results.Select(r => r.NextExpectedRevision));
        Assert.Equal(before.Ids.Count + 3, (await ReadAllAsync(store)).Count);
    }

    [Fact]
    public async Task A_part_refused_for_its_event_ids_fails_the_whole_append()
    {
        var store = await OpenStoreAsync();
        var owner = Ev.Stream("lot");
        var stored = Ev.Many(2);
        await store.AppendAsync(owner, ExpectedRevision.NoStream, stored).Bounded();
        var fresh = Ev.Stream();
        var other = Ev.Stream("farm");
        var before = await SnapshotAsync(store);

        // An id that lives in another stream.
        var error = await Assert.ThrowsAsync<EventIdInOtherStreamException>(() => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, Ev.New()), Part(other, ExpectedRevision.Any, Ev.New(), stored[1])]).Bounded());
        Assert.Equal(stored[1].EventId, error.EventId);
        Assert.Equal(owner, error.ExistingStream);

        // A partial overlap with the stream's own events.
        await Assert.ThrowsAsync<WrongExpectedRevisionException>(() => store.AppendMultipleAsync(
            [Part(fresh, ExpectedRevision.NoStream, Ev.New()), Part(owner, ExpectedRevision.NoStream, stored[0], Ev.New())]).Bounded());

        await AssertUnchangedAsync(store, before);
        Assert.Empty(await ReadStreamAsync(store, fresh));
        Assert.Empty(await ReadStreamAsync(store, other));
        Assert.Equal(stored.Select(e => e.EventId), (await ReadStreamAsync(store, owner)).Select(e => e.EventId));
    }

    [Fact]
    public async Task Retrying_a_multi_stream_append_with_the_same_event_ids_returns_the_original_results_and_writes_nothing()
    {
        var store = await OpenStoreAsync();
        var existing = Ev.Stream("lot");
        await store.AppendAsync(existing, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var parts = new[]
        {
            Part(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(2)),
            Part(existing, ExpectedRevision.Exact(0), Ev.Many(3)),
            Part(Ev.Stream("farm"), ExpectedRevision.Any, Ev.New()),
        };
        var original = await store.AppendMultipleAsync(parts).Bounded();
        var before = await SnapshotAsync(store);

        Assert.Equal(original, await store.AppendMultipleAsync(parts).Bounded());
        await AssertUnchangedAsync(store, before);

        // Still a retry once the streams have moved on, and after a restart.
        await store.AppendAsync(parts[0].Stream, ExpectedRevision.Exact(1), [Ev.New()]).Bounded();
        await store.AppendAsync(existing, ExpectedRevision.Exact(3), [Ev.New()]).Bounded();
        before = await SnapshotAsync(store);
        Assert.Equal(original, await store.AppendMultipleAsync(parts).Bounded());
        store = await ReopenAsync(store);
        Assert.Equal(original, await store.AppendMultipleAsync(parts).Bounded());

        await AssertUnchangedAsync(store, before);
        Assert.Equal(new[] { 3, 5, 1 }, (await StreamIdsAsync(store, parts.Select(p => p.Stream).ToArray())).Select(ids => ids.Count));
        Assert.Equal(9, before.Ids.Count);
        Assert.True((await store.VerifyAllAsync().Bounded()).IsIntact);
    }

    [Fact]
    public async Task A_subscriber_sees_every_part_of_multi_stream_appends_exactly_once_in_position_order()
    {
        var store = await OpenStoreAsync();
        await store.AppendAsync(Ev.Stream("farm"), ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var checkpoint = await store.ReadHeadPositionAsync().Bounded();
        await using var live = new LiveSubscription(store, checkpoint);

        // Started together, so that several are likely to share a group commit; all write to one stream with 'any'.
        var shared = Ev.Stream("lot");
        var appends = Enumerable.Range(0, 12).Select(_ => new[]
        {
            Part(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(2)),
            Part(shared, ExpectedRevision.Any, Ev.New()),
            Part(Ev.Stream("buyer"), ExpectedRevision.NoStream, Ev.Many(3)),
        }).ToList();
        var outcomes = await StartTogetherAsync(appends.Select(parts =>
            (Func<Task<IReadOnlyList<AppendResult>>>)(() => store.AppendMultipleAsync(parts))));
        Assert.All(outcomes, o => Assert.Null(o.Error));
        var sentinel = Ev.New();
        await store.AppendAsync(Ev.Stream("sentinel"), ExpectedRevision.NoStream, [sentinel]).Bounded();

        var received = await live.TakeUntilAsync(sentinel.EventId);
        received.RemoveAt(received.Count - 1);

        var appended = appends.SelectMany(parts => parts).SelectMany(p => p.Events).Select(e => e.EventId).ToList();
        Assert.Equal(received.Count, received.Select(e => e.EventId).Distinct().Count());
        Assert.Equal(appended.Order(), received.Select(e => e.EventId).Order());
        AssertStrictlyIncreasing(received);
        var byId = received.ToDictionary(e => e.EventId);
        for (var a = 0; a < appends.Count; a++)
        {
            for (var p = 0; p < appends[a].Length; p++)
            {
                var (part, result) = (appends[a][p], outcomes[a].Result![p]);
                var events = part.Events.Select(e => byId[e.EventId]).ToList();
                Assert.All(events, e => Assert.Equal(part.Stream, e.Stream));
                Assert.Equal(Enumerable.Range(0, events.Count).Select(i => result.NextExpectedRevision - events.Count + 1 + i),
                    events.Select(e => e.Revision));
                Assert.Equal(result.Position, events[^1].Position);
            }
        }
        foreach (var group in received.GroupBy(e => e.Stream))
            Assert.Equal(Enumerable.Range(0, group.Count()).Select(i => (long)i), group.Select(e => e.Revision));

        // Catching up later from the same checkpoint, and reading $all, give the same sequence.
        await using var later = new LiveSubscription(store, checkpoint);
        var caughtUp = await later.TakeAsync(received.Count + 1);
        Assert.Equal(received.Select(e => (e.EventId, e.Position)), caughtUp.SkipLast(1).Select(e => (e.EventId, e.Position)));
        Assert.Equal(sentinel.EventId, caughtUp[^1].EventId);
        Assert.Equal(caughtUp.Select(e => e.EventId), (await ReadAllAsync(store, checkpoint)).Select(e => e.EventId));
    }
}
