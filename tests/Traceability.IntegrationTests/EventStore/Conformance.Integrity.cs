using System.Data.Common;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>The per-stream hash chain finds tampering, and the database refuses updates and deletes.</summary>
public abstract partial class EventStoreConformanceTests
{
    [Fact]
    public async Task An_intact_stream_verifies_with_its_head_hash()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var other = Ev.Stream("lot");
        await store.AppendAsync(stream, ExpectedRevision.NoStream, Ev.Many(2)).Bounded();
        await store.AppendAsync(other, ExpectedRevision.NoStream, Ev.Many(3)).Bounded();
        await store.AppendAsync(stream, ExpectedRevision.Exact(1), Ev.Many(3)).Bounded();

        var stored = await ReadStreamAsync(store, stream);
        var verification = await store.VerifyStreamAsync(stream).Bounded();

        Assert.True(verification.IsIntact);
        Assert.Null(verification.FirstMismatch);
        Assert.Equal(stream, verification.Stream);
        Assert.Equal(5, verification.EventCount);
        Assert.Equal(stored[^1].Hash.ToArray(), verification.HeadHash.ToArray());
        Assert.Equal(stored.Count, stored.Select(e => Convert.ToHexString(e.Hash.Span)).Distinct().Count());

        // Each hash chains its predecessor's.
        var previous = Array.Empty<byte>();
        foreach (var e in stored)
        {
            Assert.Equal(EventHash.Compute(previous, e), e.Hash.ToArray());
            previous = e.Hash.ToArray();
        }

        var all = await store.VerifyAllAsync().Bounded();
        Assert.True(all.IsIntact);
        Assert.Equal(2, all.StreamCount);
        Assert.Equal(8, all.EventCount);
        Assert.Empty(all.Mismatches);

        // Still intact when reopened.
        store = await ReopenAsync(store);
        var again = await store.VerifyStreamAsync(stream).Bounded();
        Assert.True(again.IsIntact);
        Assert.Equal(verification.HeadHash.ToArray(), again.HeadHash.ToArray());
    }

    private const string SelectData = "SELECT data FROM events WHERE stream = @stream AND revision = @revision";
    private const string UpdateData = "UPDATE events SET data = @data WHERE stream = @stream AND revision = @revision";

    [Fact]
    public async Task Changing_one_byte_of_one_stored_event_is_found_at_exactly_that_revision()
    {
        var store = await OpenStoreAsync();
        var target = Ev.Stream();
        var bystander = Ev.Stream("lot");
        await store.AppendAsync(target, ExpectedRevision.NoStream, Ev.Many(3)).Bounded();
        await store.AppendAsync(bystander, ExpectedRevision.NoStream, Ev.Many(4)).Bounded();
        await store.AppendAsync(target, ExpectedRevision.Exact(2), [Ev.Raw("{\"kg\":12.5,\"grade\":\"A\"}"u8.ToArray()), Ev.New()]).Bounded();
        Assert.True((await store.VerifyAllAsync().Bounded()).IsIntact);

        const long tampered = 3;
        var original = await QueryBytesAsync(SelectData, ("stream", target), ("revision", tampered));
        Assert.NotNull(original);
        var changed = (byte[])original.Clone();
        var index = Array.IndexOf(changed, (byte)'A');
        Assert.True(index > 0);
        changed[index] = (byte)'B'; // "grade":"A" becomes "grade":"B": still valid JSON, one byte different.
        Assert.Equal(1, await ExecuteSqlAsync(UpdateData, bypassTriggers: true, ("data", changed), ("stream", target), ("revision", tampered)));
        Assert.Equal(changed, await QueryBytesAsync(SelectData, ("stream", target), ("revision", tampered)));

        for (var reopen = 0; reopen < 2; reopen++)
        {
            if (reopen == 1) store = await ReopenAsync(store);
            var stream = await store.VerifyStreamAsync(target).Bounded();
            Assert.False(stream.IsIntact);
            Assert.Equal(target, stream.FirstMismatch!.Stream);
            Assert.Equal(tampered, stream.FirstMismatch.Revision);
            Assert.Equal(5, stream.EventCount);

            Assert.True((await store.VerifyStreamAsync(bystander).Bounded()).IsIntact);

            var all = await store.VerifyAllAsync().Bounded();
            Assert.False(all.IsIntact);
            var mismatch = Assert.Single(all.Mismatches);
            Assert.Equal(target, mismatch.Stream);
            Assert.Equal(tampered, mismatch.Revision);
            Assert.Equal(2, all.StreamCount);
            Assert.Equal(9, all.EventCount);
        }
    }

    [Fact]
    public async Task Stored_events_cannot_be_updated_or_deleted_through_the_database()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        var events = Ev.Many(3);
        await store.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded();
        var before = await ReadAllAsync(store);

        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteSqlAsync(UpdateData, bypassTriggers: false,
            ("data", "{\"kg\":99}"u8.ToArray()), ("stream", stream), ("revision", 1L)));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteSqlAsync("UPDATE events SET type = 'batch.faked.v1'", bypassTriggers: false));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteSqlAsync(
            "DELETE FROM events WHERE stream = @stream AND revision = @revision", bypassTriggers: false, ("stream", stream), ("revision", 2L)));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteSqlAsync("DELETE FROM events", bypassTriggers: false));

        var after = await ReadAllAsync(store);
        Assert.Equal(before.Select(e => (e.EventId, e.Type, Convert.ToHexString(e.Data.Span))),
            after.Select(e => (e.EventId, e.Type, Convert.ToHexString(e.Data.Span))));
        Assert.True((await store.VerifyAllAsync().Bounded()).IsIntact);
    }

    [Fact]
    public async Task Reopening_the_store_rearms_the_append_only_protection_after_tampering()
    {
        var store = await OpenStoreAsync();
        var stream = Ev.Stream();
        await store.AppendAsync(stream, ExpectedRevision.NoStream, [Ev.Raw("{\"grade\":\"A\"}"u8.ToArray())]).Bounded();
        await ExecuteSqlAsync(UpdateData, bypassTriggers: true, ("data", "{\"grade\":\"B\"}"u8.ToArray()), ("stream", stream), ("revision", 0L));

        store = await ReopenAsync(store);

        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteSqlAsync(UpdateData, bypassTriggers: false,
            ("data", "{\"grade\":\"C\"}"u8.ToArray()), ("stream", stream), ("revision", 0L)));
        await Assert.ThrowsAnyAsync<DbException>(() => ExecuteSqlAsync("DELETE FROM events", bypassTriggers: false));
        var verification = await store.VerifyStreamAsync(stream).Bounded();
        Assert.NotNull(verification.FirstMismatch);
        Assert.Equal(0L, verification.FirstMismatch.Revision);
    }
}
