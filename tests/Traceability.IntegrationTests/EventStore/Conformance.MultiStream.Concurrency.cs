using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>
/// Multi-stream appends racing each other and single appends: one winner per expected revision, losers leave no
/// trace in any stream, and each append succeeds or fails on its own, whatever shares its group commit.
/// </summary>
public abstract partial class EventStoreConformanceTests
{
    /// <summary>Rounds of appenders that each write a shared stream at the same expected revision and a stream of their own.</summary>
    private static async Task AssertOneMultiStreamWinnerPerRoundAsync(IReadOnlyList<IEventStore> stores)
    {
        const int appenders = 16;
        const int rounds = 4;
        var reader = stores[0];
        var shared = Ev.Stream("lot");
        var created = Ev.New();
        await reader.AppendAsync(shared, ExpectedRevision.NoStream, [created]).Bounded();
        var sharedIds = new List<Guid> { created.EventId };
        for (var round = 0; round < rounds; round++)
        {
            var own = Enumerable.Range(0, appenders).Select(_ => Ev.Stream()).ToArray();
            var appends = Enumerable.Range(0, appenders).Select(i =>
            {
                var sharedPart = Part(shared, ExpectedRevision.Exact(round), Ev.New());
                var ownPart = Part(own[i], ExpectedRevision.NoStream, Ev.Many(2));
                // Half put the shared stream first, half last: a loser's own part is undone whichever came first.
                return i % 2 == 0 ? new[] { sharedPart, ownPart } : new[] { ownPart, sharedPart };
            }).ToArray();
            var outcomes = await StartTogetherAsync(Enumerable.Range(0, appenders).Select(i =>
                (Func<Task<IReadOnlyList<AppendResult>>>)(() => stores[i % stores.Count].AppendMultipleAsync(appends[i]))));

            var winner = Assert.Single(Enumerable.Range(0, appenders), i => outcomes[i].Error is null);
            var (sharedAt, ownAt) = winner % 2 == 0 ? (0, 1) : (1, 0);
            var results = outcomes[winner].Result!;
            Assert.Equal(round + 1, results[sharedAt].NextExpectedRevision);
            Assert.Equal(1, results[ownAt].NextExpectedRevision);
            sharedIds.Add(appends[winner][sharedAt].Events[0].EventId);
            var sharedStored = await ReadStreamAsync(reader, shared);
            Assert.Equal(sharedIds, sharedStored.Select(e => e.EventId));
            Assert.Equal(results[sharedAt].Position, sharedStored[^1].Position);
            var ownStored = await ReadStreamAsync(reader, own[winner]);
            Assert.Equal(appends[winner][ownAt].Events.Select(e => e.EventId), ownStored.Select(e => e.EventId));
            Assert.Equal(results[ownAt].Position, ownStored[^1].Position);

            foreach (var loser in Enumerable.Range(0, appenders).Where(i => i != winner))
            {
                var wrong = Assert.IsType<WrongExpectedRevisionException>(outcomes[loser].Error);
                Assert.Equal(shared, wrong.Stream);
                Assert.Equal(round + 1, wrong.ActualRevision);
                Assert.Empty(await ReadStreamAsync(reader, own[loser]));
            }
        }

        Assert.Equal(1 + rounds * 3, (await ReadAllAsync(reader)).Count);
        var verification = await reader.VerifyAllAsync().Bounded();
        Assert.True(verification.IsIntact);
        Assert.Equal(1 + rounds, verification.StreamCount);
    }

    [Fact]
    public async Task Concurrent_multi_stream_appends_overlapping_on_one_stream_have_exactly_one_winner()
    {
        var store = await OpenStoreAsync();
        await AssertOneMultiStreamWinnerPerRoundAsync([store]);
    }

    [Fact]
    public async Task Concurrent_multi_stream_appends_on_two_store_instances_overlapping_on_one_stream_have_exactly_one_winner()
    {
        var first = await OpenStoreAsync();
        var second = await OpenStoreAsync();
        await AssertOneMultiStreamWinnerPerRoundAsync([first, second]);
    }

    [Fact]
    public async Task Concurrent_retries_of_one_multi_stream_append_write_it_once_and_all_return_its_results()
    {
        var store = await OpenStoreAsync();
        var existing = Ev.Stream("lot");
        await store.AppendAsync(existing, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        StreamAppend[] parts = [Part(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(2)), Part(existing, ExpectedRevision.Exact(0), Ev.Many(2))];

        var outcomes = await StartTogetherAsync(Enumerable.Range(0, 8).Select(_ =>
            (Func<Task<IReadOnlyList<AppendResult>>>)(() => store.AppendMultipleAsync(parts))));

        Assert.All(outcomes, o => Assert.Null(o.Error));
        Assert.All(outcomes, o => Assert.Equal(outcomes[0].Result, o.Result));
        Assert.Equal(new long[] { 1, 2 }, outcomes[0].Result!.Select(r => r.NextExpectedRevision));
        Assert.Equal(5, (await ReadAllAsync(store)).Count);
        Assert.Equal(parts[1].Events.Select(e => e.EventId), (await ReadStreamAsync(store, existing)).Skip(1).Select(e => e.EventId));
    }

    /// <summary>One operation of a burst: a single append (one part) or a multi-stream append, and how it must end.</summary>
    private sealed record BurstAppend(bool Multi, StreamAppend[] Parts, Type? Error = null, string? FailingStream = null);

    [Fact]
    public async Task Multi_stream_appends_in_a_burst_of_single_appends_each_succeed_or_fail_on_their_own()
    {
        var store = await OpenStoreAsync();
        var contents = new Dictionary<string, List<Guid>>(StringComparer.Ordinal); // what each stream must hold in the end
        async Task<EventData> CreateAsync(string stream)
        {
            var e = Ev.New();
            await store.AppendAsync(stream, ExpectedRevision.NoStream, [e]).Bounded();
            contents[stream] = [e.EventId];
            return e;
        }
        string Fresh(string category = "batch")
        {
            var stream = Ev.Stream(category);
            contents[stream] = [];
            return stream;
        }

        for (var burst = 0; burst < 3; burst++)
        {
            var work = new List<BurstAppend>();
            for (var i = 0; i < 8; i++)
            {
                // A multi-stream append that must succeed, and a single append to one of its streams that must fail.
                var shared = Ev.Stream("lot");
                await CreateAsync(shared);
                work.Add(new(true, [Part(shared, ExpectedRevision.Exact(0), Ev.New()), Part(Fresh(), ExpectedRevision.NoStream, Ev.Many(2))]));
                work.Add(new(false, [Part(shared, ExpectedRevision.Exact(5), Ev.New())], typeof(WrongExpectedRevisionException), shared));

                // A single append that must succeed, and a multi-stream append to the same stream that must fail in another
                // part: decided before or after the single append, its part in that stream is undone.
                var target = Ev.Stream("farm");
                await CreateAsync(target);
                var untouchable = Ev.Stream("farm");
                var taken = await CreateAsync(untouchable);
                work.Add(new(false, [Part(target, ExpectedRevision.Exact(0), Ev.New())]));
                var (anyPart, wrongPart) = (Part(target, ExpectedRevision.Any, Ev.New()), Part(untouchable, ExpectedRevision.Exact(3), Ev.Many(2)));
                work.Add(new(true, i % 2 == 0 ? [anyPart, wrongPart] : [wrongPart, anyPart], typeof(WrongExpectedRevisionException), untouchable));

                // Independent single appends, and a multi-stream append refused for an event id stored elsewhere.
                work.Add(new(false, [Part(Fresh(), ExpectedRevision.NoStream, Ev.Many(2))]));
                work.Add(new(false, [Part(Fresh(), ExpectedRevision.Any, Ev.New())]));
                if (i % 2 == 0)
                    work.Add(new(true, [Part(Fresh("theft"), ExpectedRevision.NoStream, Ev.New()), Part(Fresh("theft"), ExpectedRevision.Any, taken)],
                        typeof(EventIdInOtherStreamException)));
            }

            var order = work.OrderBy(_ => Random.Shared.Next()).ToList();
            var outcomes = await StartTogetherAsync(order.Select(w => (Func<Task<IReadOnlyList<AppendResult>>>)(async () =>
            {
                if (w.Multi) return await store.AppendMultipleAsync(w.Parts);
                return [await store.AppendAsync(w.Parts[0].Stream, w.Parts[0].Expected, w.Parts[0].Events)];
            })));

            for (var k = 0; k < order.Count; k++)
            {
                var (w, (results, error)) = (order[k], outcomes[k]);
                if (w.Error is not null)
                {
                    Assert.IsType(w.Error, error);
                    if (error is WrongExpectedRevisionException wrong)
                    {
                        Assert.Equal(w.FailingStream, wrong.Stream);
                        Assert.InRange(wrong.ActualRevision, 0, 1);
                    }
                    continue;
                }

                Assert.Null(error);
                Assert.Equal(w.Parts.Length, results!.Count);
                for (var p = 0; p < w.Parts.Length; p++)
                {
                    // Every stream here has exactly one append that may succeed, so its end is known.
                    var part = w.Parts[p];
                    contents[part.Stream].AddRange(part.Events.Select(e => e.EventId));
                    Assert.Equal(contents[part.Stream].Count - 1, results[p].NextExpectedRevision);
                    var last = await ReadStreamAsync(store, part.Stream, ReadDirection.Backward, StreamRevision.End, 1);
                    Assert.Equal(results[p].Position, Assert.Single(last).Position);
                }
            }
        }

        foreach (var (stream, ids) in contents)
            Assert.Equal(ids, (await ReadStreamAsync(store, stream)).Select(e => e.EventId));
        var verification = await store.VerifyAllAsync().Bounded();
        Assert.True(verification.IsIntact);
        Assert.Equal(contents.Count(c => c.Value.Count > 0), verification.StreamCount);
        Assert.Equal(contents.Sum(c => c.Value.Count), verification.EventCount);
    }
}
