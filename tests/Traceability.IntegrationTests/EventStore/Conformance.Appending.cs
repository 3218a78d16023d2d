using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>Appending against each kind of expected revision: no-stream, any, stream-exists, exact.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task Append_with_no_stream_creates_the_stream_and_returns_its_revision_and_position()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var events = Ev.Many(3);

        var result = await store.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded();

        Assert.Equal(2, result.NextExpectedRevision);
        var stored = await ReadStreamAsync(store, stream);
        Assert.Equal(3, stored.Count);
        for (var i = 0; i < 3; i++)
        {
            AssertSameEvent(events[i], stored[i]);
            Assert.Equal(stream, stored[i].Stream);
            Assert.Equal("batch", stored[i].Category);
            Assert.Equal(i, stored[i].Revision);
            Assert.Equal(EventHash.Size, stored[i].Hash.Length);
        }
        Assert.Equal(stored[^1].Position, result.Position);
        AssertStrictlyIncreasing(stored);
        Assert.Equal(result.Position, await store.ReadHeadPositionAsync().Bounded());

        var next = await store.AppendAsync(stream, ExpectedRevision.Exact(result.NextExpectedRevision), [Ev.New()]).Bounded();
        Assert.Equal(3, next.NextExpectedRevision);
        Assert.True(next.Position > result.Position);
    }

    [Fact]
    public async Task Append_with_no_stream_to_an_existing_stream_fails_with_its_actual_revision_and_writes_nothing()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        var before = await SnapshotAsync(store);

        var error = await AssertWrongRevisionAsync(1, () => store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]));

        Assert.Equal(stream, error.Stream);
        Assert.True(error.Expected.IsNoStream);
        await AssertUnchangedAsync(store, before);
    }

    [Fact]
    public async Task Append_with_any_writes_to_new_and_existing_streams()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();

        var first = await store.AppendAsync(stream, ExpectedRevision.Any, Ev.Many(2)).Bounded();
        var second = await store.AppendAsync(stream, ExpectedRevision.Any, Ev.Many(3)).Bounded();

        Assert.Equal(1, first.NextExpectedRevision);
        Assert.Equal(4, second.NextExpectedRevision);
        Assert.True(second.Position > first.Position);
        var stored = await ReadStreamAsync(store, stream);
        Assert.Equal(new long[] { 0, 1, 2, 3, 4 }, stored.Select(e => e.Revision));
        Assert.Equal(first.Position, stored[1].Position);
        Assert.Equal(second.Position, stored[4].Position);
    }

    [Fact]
    public async Task Append_with_stream_exists_needs_an_existing_stream()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();

        var error = await AssertWrongRevisionAsync(StreamRevision.None,
            () => store.AppendAsync(stream, ExpectedRevision.StreamExists, [Ev.New()]));
        Assert.True(error.Expected.IsStreamExists);
        Assert.Empty(await ReadStreamAsync(store, stream));
        Assert.Equal(GlobalPosition.Start, await store.ReadHeadPositionAsync().Bounded());

        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var result = await store.AppendAsync(stream, ExpectedRevision.StreamExists, Ev.Many(2)).Bounded();
        Assert.Equal(2, result.NextExpectedRevision);
        Assert.Equal(3, (await ReadStreamAsync(store, stream)).Count);
    }

    [Fact]
    public async Task Append_with_an_exact_revision_succeeds_only_at_that_revision()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();

        // A missing stream is at no revision at all.
        await AssertWrongRevisionAsync(StreamRevision.None, () => store.AppendAsync(stream, ExpectedRevision.Exact(0), [Ev.New()]));
        Assert.Empty(await ReadStreamAsync(store, stream));

        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.New()]).Bounded();
        var result = await store.AppendAsync(stream, ExpectedRevision.Exact(0), Ev.Many(2)).Bounded();
        Assert.Equal(2, result.NextExpectedRevision);
        var before = await SnapshotAsync(store);

        // Behind and ahead of the stream: both refused, with the actual revision.
        var behind = await AssertWrongRevisionAsync(2, () => store.AppendAsync(stream, ExpectedRevision.Exact(1), [Ev.New()]));
        Assert.Equal(1, behind.Expected.Revision);
        var ahead = await AssertWrongRevisionAsync(2, () => store.AppendAsync(stream, ExpectedRevision.Exact(7), [Ev.New()]));
        Assert.Equal(7, ahead.Expected.Revision);
        await AssertUnchangedAsync(store, before);

        var last = await store.AppendAsync(stream, ExpectedRevision.Exact(2), [Ev.New()]).Bounded();
        Assert.Equal(3, last.NextExpectedRevision);
    }

    [Theory]
    [InlineData(-1L)]
    [InlineData(-5L)]
    [InlineData(long.MinValue)]
    public void An_exact_expected_revision_is_never_negative(long revision)
    {
        AssertRefused(EventStoreErrorCode.InvalidRevision, () => ExpectedRevision.Exact(revision));
    }
}
