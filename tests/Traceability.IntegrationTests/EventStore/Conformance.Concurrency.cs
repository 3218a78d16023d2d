using System.Collections.Concurrent;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Concurrent appenders: one winner per expected revision, conflicts that fail alone, a subscriber that sees every commit once.</summary>
public abstract partial class EventStoreConformanceTests
{
    private static async Task<(EventData Event, AppendResult? Result, Exception? Error)[]> RaceAsync(
        IReadOnlyList<Func<EventData, Task<AppendResult>>> appenders)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = appenders.Select(append => Task.Run(async () =>
        {
            var e = Ev.New();
            await gate.Task;
            try
            {
                return (e, (AppendResult?)await append(e), (Exception?)null);
            }
            catch (Exception error)
            {
                return (e, null, error);
            }
        })).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks).WaitAsync(AsyncTestExtensions.Bound);
    }

    private static async Task AssertOneWinnerPerRoundAsync(IReadOnlyList<IEventStore> stores)
    {
        const int appenders = 32;
        var reader = stores[0];
        var stream = Ev.Stream("lot");
        var winners = new List<Guid>();
        for (var round = 0; round < 6; round++)
        {
            // Round 0 creates the stream (no-stream); later rounds all expect the revision the last round left.
            var expected = round == 0 ? ExpectedRevision.NoStream : ExpectedRevision.Exact(round - 1);
            var outcomes = await RaceAsync(Enumerable.Range(0, appenders)
                .Select(i => (Func<EventData, Task<AppendResult>>)(e => stores[i % stores.Count].AppendAsync(stream, expected, [e])))
                .ToList());

            var won = Assert.Single(outcomes, o => o.Error is null);
            Assert.Equal(round, won.Result!.Value.NextExpectedRevision);
            winners.Add(won.Event.EventId);
            foreach (var (_, _, error) in outcomes.Where(o => o.Error is not null))
            {
                var wrong = Assert.IsType<WrongExpectedRevisionException>(error);
                Assert.Equal(round, wrong.ActualRevision);
            }

            var stored = await ReadStreamAsync(reader, stream);
            Assert.Equal(winners, stored.Select(e => e.EventId));
            Assert.Equal(won.Result.Value.Position, stored[^1].Position);
        }
        Assert.True((await reader.VerifyStreamAsync(stream).Bounded()).IsIntact);
    }

    [Fact]
    public async Task Concurrent_appenders_expecting_the_same_revision_have_exactly_one_winner()
    {
        var store = await OpenStoreAsync();
        await AssertOneWinnerPerRoundAsync([store]);
    }

    [Fact]
    public async Task Concurrent_appenders_on_two_store_instances_of_one_database_have_exactly_one_winner()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        await AssertOneWinnerPerRoundAsync([first, second]);
    }

    [Fact]
    public async Task Concurrent_writers_on_many_streams_with_a_live_subscriber_see_every_committed_event_once_in_order()
    {
        const int writers = 32;
        const int appendsPerWriter = 40;
        var store = await OpenStoreAsync();
        await using var subscription = new LiveSubscription(store, GlobalPosition.Start);

        var committed = new ConcurrentDictionary<Guid, (string Stream, long Revision)>();
        var refused = new ConcurrentBag<Guid>();
        var conflicts = 0;
        using var stopInterference = new CancellationTokenSource();
        long attempted = 0;
        var interference = Task.Run(() => InterfereWhileWritingAsync(() => Interlocked.Read(ref attempted), stopInterference.Token));

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writerTasks = Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            var streams = Enumerable.Range(0, 3).Select(k => $"load-w{w}.s{k}.{Guid.NewGuid():N}").ToArray();
            var revisions = new long[] { StreamRevision.None, StreamRevision.None, StreamRevision.None };
            await gate.Task;
            for (var i = 0; i < appendsPerWriter; i++)
            {
                // Short pauses spread the writes over a second or two, so they overlap whatever else is going on.
                await Task.Delay(random.Next(0, 50));
                var s = random.Next(streams.Length);
                var events = Ev.Many(1 + random.Next(3), "load.tested.v1");
                // About one append in ten expects a revision the stream is not at.
                var conflict = random.Next(10) == 0;
                var expected = conflict
                    ? (revisions[s] == StreamRevision.None ? ExpectedRevision.StreamExists : ExpectedRevision.Exact(revisions[s] + 3))
                    : (revisions[s] == StreamRevision.None ? ExpectedRevision.NoStream : ExpectedRevision.Exact(revisions[s]));
                Interlocked.Increment(ref attempted);
                try
                {
                    var result = await store.AppendAsync(streams[s], expected, events);
                    Assert.False(conflict, $"An append to {streams[s]} expecting {expected} succeeded at revision {result.NextExpectedRevision}.");
                    for (var j = 0; j < events.Length; j++)
                        committed[events[j].EventId] = (streams[s], result.NextExpectedRevision - events.Length + 1 + j);
                    revisions[s] = result.NextExpectedRevision;
                }
                catch (WrongExpectedRevisionException error) when (conflict)
                {
                    Assert.Equal(revisions[s], error.ActualRevision);
                    Interlocked.Increment(ref conflicts);
                    foreach (var e in events) refused.Add(e.EventId);
                }
            }
        })).ToArray();
        gate.SetResult();
        await Task.WhenAll(writerTasks).WaitAsync(TimeSpan.FromSeconds(90));
        await stopInterference.CancelAsync();
        var interfering = await interference.WaitAsync(TimeSpan.FromSeconds(60));
        foreach (var id in interfering) committed[id] = ("", -1);

        Assert.True(conflicts > 0, "No append conflicted; the test did not exercise conflicts.");

        // Everything committed so far, then a sentinel: nothing may come twice, out of order, or uncommitted.
        var sentinel = Ev.New();
        await store.AppendAsync(Ev.Stream("sentinel"), ExpectedRevision.NoStream, [sentinel]).Bounded();
        var received = await subscription.TakeUntilAsync(sentinel.EventId, TimeSpan.FromSeconds(60));
        received.RemoveAt(received.Count - 1);

        AssertStrictlyIncreasing(received);
        var ids = received.Select(e => e.EventId).ToList();
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Empty(ids.Except(committed.Keys));
        Assert.Empty(committed.Keys.Except(ids));
        Assert.Empty(ids.Intersect(refused));
        foreach (var e in received.Where(e => committed[e.EventId].Revision >= 0))
        {
            Assert.Equal(committed[e.EventId].Stream, e.Stream);
            Assert.Equal(committed[e.EventId].Revision, e.Revision);
        }
        foreach (var group in received.GroupBy(e => e.Stream))
            Assert.Equal(Enumerable.Range(0, group.Count()).Select(i => (long)i), group.Select(e => e.Revision));

        // $all read afterwards agrees with what the subscriber saw.
        var all = await ReadAllAsync(store);
        Assert.Equal(ids.Append(sentinel.EventId), all.Select(e => e.EventId));
        var verification = await store.VerifyAllAsync().Bounded();
        Assert.True(verification.IsIntact, string.Join("; ", verification.Mismatches));
        Assert.Equal(committed.Count + 1, verification.EventCount);
    }

    [Fact]
    public async Task In_a_burst_of_concurrent_appends_the_conflicting_ones_fail_alone()
    {
        var store = await OpenStoreAsync();
        for (var burst = 0; burst < 3; burst++)
        {
            var existing = Enumerable.Range(0, 8).Select(_ => Ev.Stream("lot")).ToArray();
            var untouchable = Enumerable.Range(0, 8).Select(_ => Ev.Stream("farm")).ToArray();
            var taken = new List<EventData>();
            foreach (var s in existing.Concat(untouchable))
            {
                var e = Ev.New();
                await store.AppendAsync(s, ExpectedRevision.NoStream, [e]).Bounded();
                taken.Add(e);
            }
            var fresh = Enumerable.Range(0, 48).Select(_ => Ev.Stream()).ToArray();
            var stolenInto = Enumerable.Range(0, 4).Select(_ => Ev.Stream("theft")).ToArray();

            var good = new List<(string Stream, ExpectedRevision Expected, EventData[] Events, long Revision)>();
            foreach (var s in fresh) good.Add((s, ExpectedRevision.NoStream, Ev.Many(2), 1));
            foreach (var s in existing) good.Add((s, ExpectedRevision.Exact(0), Ev.Many(1), 1));
            var bad = new List<(string Stream, ExpectedRevision Expected, EventData[] Events, Type Error)>();
            foreach (var s in untouchable) bad.Add((s, ExpectedRevision.Exact(3), Ev.Many(2), typeof(WrongExpectedRevisionException)));
            foreach (var s in untouchable[..4]) bad.Add((s, ExpectedRevision.NoStream, Ev.Many(1), typeof(WrongExpectedRevisionException)));
            for (var i = 0; i < stolenInto.Length; i++)
                bad.Add((stolenInto[i], ExpectedRevision.NoStream, [taken[i], Ev.New()], typeof(EventIdInOtherStreamException)));

            // Interleave good and bad, then start them all at once.
            var work = good.Select(g => (g.Stream, g.Expected, g.Events, Bad: false)).Concat(bad.Select(b => (b.Stream, b.Expected, b.Events, Bad: true)))
                .OrderBy(_ => Random.Shared.Next()).ToList();
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var tasks = work.Select(w => Task.Run(async () =>
            {
                await gate.Task;
                try
                {
                    return (w, (AppendResult?)await store.AppendAsync(w.Stream, w.Expected, w.Events), (Exception?)null);
                }
                catch (Exception e)
                {
                    return (w, null, e);
                }
            })).ToArray();
            gate.SetResult();
            var outcomes = await Task.WhenAll(tasks).WaitAsync(AsyncTestExtensions.Bound);

            foreach (var (w, result, error) in outcomes)
            {
                if (!w.Bad)
                {
                    Assert.Null(error);
                    Assert.Equal(1, result!.Value.NextExpectedRevision);
                    var stored = await ReadStreamAsync(store, w.Stream, ReadDirection.Backward, StreamRevision.End, w.Events.Length);
                    Assert.Equal(w.Events.Select(e => e.EventId).Reverse(), stored.Select(e => e.EventId));
                    Assert.Equal(result.Value.Position, stored[0].Position);
                }
                else
                {
                    Assert.NotNull(error);
                    var expectedType = bad.Single(b => ReferenceEquals(b.Events, w.Events)).Error;
                    Assert.IsType(expectedType, error);
                    if (error is WrongExpectedRevisionException wrong) Assert.Equal(0, wrong.ActualRevision);
                }
            }

            foreach (var s in untouchable)
                Assert.Single(await ReadStreamAsync(store, s));
            foreach (var s in stolenInto)
                Assert.Empty(await ReadStreamAsync(store, s));
        }

        var verification = await store.VerifyAllAsync().Bounded();
        Assert.True(verification.IsIntact);
        Assert.Equal(3 * (8 + 8 + 48), verification.StreamCount);
        Assert.Equal(3 * (16 + 48 * 2 + 8), verification.EventCount);
    }
}
