using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Reading one stream forward and backward, and <c>$all</c> in global order, page by page.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task A_stream_reads_forward_and_backward_in_pages()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var other = Ev.Stream();
        var events = Ev.Many(10);
        // Several appends, interleaved with another stream.
        await store.AppendAsync(stream, ExpectedRevision.NoStream, events[..4]).Bounded();
        await store.AppendAsync(other, ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        await store.AppendAsync(stream, ExpectedRevision.Exact(3), events[4..7]).Bounded();
        await store.AppendAsync(other, ExpectedRevision.Exact(1), Ev.Many(1)).Bounded();
        await store.AppendAsync(stream, ExpectedRevision.Exact(6), events[7..]).Bounded();

        var all = await ReadStreamAsync(store, stream);
        Assert.Equal(events.Select(e => e.EventId), all.Select(e => e.EventId));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), all.Select(e => e.Revision));
        Assert.All(all, e => Assert.Equal(stream, e.Stream));
        AssertStrictlyIncreasing(all);

        Assert.Equal(new long[] { 3, 4, 5, 6 }, (await ReadStreamAsync(store, stream, ReadDirection.Forward, 3, 4)).Select(e => e.Revision));
        Assert.Equal(new long[] { 8, 9 }, (await ReadStreamAsync(store, stream, ReadDirection.Forward, 8, 100)).Select(e => e.Revision));
        Assert.Empty(await ReadStreamAsync(store, stream, ReadDirection.Forward, 10, 100));
        Assert.Equal(new long[] { 9, 8, 7 }, (await ReadStreamAsync(store, stream, ReadDirection.Backward, StreamRevision.End, 3)).Select(e => e.Revision));
        Assert.Equal(new long[] { 5, 4, 3 }, (await ReadStreamAsync(store, stream, ReadDirection.Backward, 5, 3)).Select(e => e.Revision));
        Assert.Equal(new long[] { 1, 0 }, (await ReadStreamAsync(store, stream, ReadDirection.Backward, 1, 10)).Select(e => e.Revision));
        Assert.Equal(new long[] { 0 }, (await ReadStreamAsync(store, stream, ReadDirection.Backward, 0, 10)).Select(e => e.Revision));
        Assert.Equal(Enumerable.Range(0, 10).Reverse().Select(i => (long)i),
            (await ReadStreamAsync(store, stream, ReadDirection.Backward, 50, 100)).Select(e => e.Revision));

        // Paging forward and backward, three at a time, gives the whole stream.
        var forward = new List<RecordedEvent>();
        for (long from = 0; ; from += 3)
        {
            var page = await ReadStreamAsync(store, stream, ReadDirection.Forward, from, 3);
            forward.AddRange(page);
            if (page.Count < 3) break;
        }
        Assert.Equal(all.Select(e => e.EventId), forward.Select(e => e.EventId));

        var backward = new List<RecordedEvent>();
        var position = StreamRevision.End;
        while (true)
        {
            var page = await ReadStreamAsync(store, stream, ReadDirection.Backward, position, 3);
            backward.AddRange(page);
            if (page.Count < 3 || page[^1].Revision == 0) break;
            position = page[^1].Revision - 1;
        }
        Assert.Equal(all.Select(e => e.EventId).Reverse(), backward.Select(e => e.EventId));
    }

    [Fact]
    public async Task Reading_a_missing_stream_gives_nothing()
    {
        var store = await OpenStoreAsync();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        var missing = Ev.Stream();

        Assert.Empty(await ReadStreamAsync(store, missing));
        Assert.Empty(await ReadStreamAsync(store, missing, ReadDirection.Backward));
        Assert.Empty(await ReadStreamAsync(store, missing, ReadDirection.Forward, 5, 10));
        var verification = await store.VerifyStreamAsync(missing).Bounded();
        Assert.True(verification.IsIntact);
        Assert.Equal(0, verification.EventCount);
        Assert.True(verification.HeadHash.IsEmpty);
    }

    [Fact]
    public async Task Reading_all_is_ordered_exclusive_of_its_start_and_keeps_each_stream_in_revision_order()
    {
        var store = await OpenStoreAsync();
        Assert.Equal(GlobalPosition.Start, await store.ReadHeadPositionAsync().Bounded());
        Assert.Empty(await ReadAllAsync(store));

        var streams = Enumerable.Range(0, 4).Select(i => Ev.Stream(i % 2 == 0 ? "batch" : "lot")).ToArray();
        var revisions = new long[streams.Length];
        Array.Fill(revisions, StreamRevision.None);
        var appended = new List<Guid>();
        AppendResult last = default;
        for (var i = 0; i < 20; i++)
        {
            var s = (i * 7) % streams.Length;
            var events = Ev.Many(1 + i % 3);
            var expected = revisions[s] == StreamRevision.None ? ExpectedRevision.NoStream : ExpectedRevision.Exact(revisions[s]);
            last = await store.AppendAsync(streams[s], expected, events).Bounded();
            revisions[s] = last.NextExpectedRevision;
            appended.AddRange(events.Select(e => e.EventId));
            Assert.Equal(last.Position, await store.ReadHeadPositionAsync().Bounded());
        }

        var all = await ReadAllAsync(store);
        Assert.Equal(appended, all.Select(e => e.EventId));
        AssertStrictlyIncreasing(all);
        Assert.True(all[0].Position > GlobalPosition.Start);
        Assert.Equal(last.Position, all[^1].Position);
        foreach (var stream in streams)
        {
            var inAll = all.Where(e => e.Stream == stream).Select(e => e.Revision).ToList();
            Assert.Equal(Enumerable.Range(0, inAll.Count).Select(i => (long)i), inAll);
            Assert.Equal((await ReadStreamAsync(store, stream)).Select(e => e.EventId),
                all.Where(e => e.Stream == stream).Select(e => e.EventId));
        }

        // After a position is exclusive, and maxCount bounds the read.
        foreach (var k in new[] { 0, 1, 5, all.Count - 2, all.Count - 1 })
        {
            var after = await ReadAllAsync(store, all[k].Position);
            Assert.Equal(all.Skip(k + 1).Select(e => e.EventId), after.Select(e => e.EventId));
            var limited = await ReadAllAsync(store, all[k].Position, 3);
            Assert.Equal(all.Skip(k + 1).Take(3).Select(e => e.EventId), limited.Select(e => e.EventId));
        }
        Assert.Empty(await ReadAllAsync(store, last.Position));
        Assert.Equal(all.Take(4).Select(e => e.EventId), (await ReadAllAsync(store, GlobalPosition.Start, 4)).Select(e => e.EventId));

        // Paging with maxCount gives the same sequence.
        var paged = new List<RecordedEvent>();
        var from = GlobalPosition.Start;
        while (true)
        {
            var page = await ReadAllAsync(store, from, 7);
            paged.AddRange(page);
            if (page.Count < 7) break;
            from = page[^1].Position;
        }
        Assert.Equal(all.Select(e => e.EventId), paged.Select(e => e.EventId));
    }

    [Fact]
    public async Task Reading_all_pages_through_many_events()
    {
        var store = await OpenStoreAsync();
        var expected = new List<Guid>();
        var streams = Enumerable.Range(0, 5).Select(_ => Ev.Stream()).ToArray();
        for (var i = 0; i < 100; i++)
        {
            var events = Ev.Many(50);
            await store.AppendAsync(streams[i % streams.Length], ExpectedRevision.Any, events).Bounded();
            expected.AddRange(events.Select(e => e.EventId));
        }

        var all = await ReadAllAsync(store);

        Assert.Equal(expected, all.Select(e => e.EventId));
        AssertStrictlyIncreasing(all);
        Assert.Equal(expected.Skip(4500), (await ReadAllAsync(store, all[4499].Position)).Select(e => e.EventId));
        var stream = await ReadStreamAsync(store, streams[0]);
        Assert.Equal(1000, stream.Count);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => (long)i), stream.Select(e => e.Revision));
        Assert.Equal(Enumerable.Range(0, 1000).Reverse().Select(i => (long)i),
            (await ReadStreamAsync(store, streams[0], ReadDirection.Backward)).Select(e => e.Revision));
    }
}
