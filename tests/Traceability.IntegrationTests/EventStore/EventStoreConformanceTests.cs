using System.Text;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>
/// The event store's contract, run against every backend. Each test gets its own, empty database (a subclass
/// decides what that is) and its own streams; <see cref="OpenStoreAsync"/> may be called again to reopen the
/// same database, as another process or a restart would.
/// </summary>
public abstract partial class EventStoreConformanceTests : IAsyncLifetime
{
    private readonly List<IEventStore> _opened = [];

    /// <summary>Opens this test's database (the same one on every call, created empty on the first).</summary>
    protected abstract Task<IEventStore> OpenStoreAsync(EventStoreOptions? options = null);

    /// <summary>
    /// Runs SQL directly against this test's database, bypassing the store. With <paramref name="bypassTriggers"/>
    /// it first disarms the append-only triggers, as an attacker with access to the database could. Parameters are
    /// named <c>@name</c>. Returns the number of rows changed.
    /// </summary>
    protected abstract Task<int> ExecuteSqlAsync(string sql, bool bypassTriggers, params (string Name, object Value)[] parameters);

    /// <summary>Reads one <c>bytea</c>/<c>BLOB</c> value directly from this test's database.</summary>
    protected abstract Task<byte[]?> QueryBytesAsync(string sql, params (string Name, object Value)[] parameters);

    /// <summary>
    /// Called while <see cref="Concurrent_writers_on_many_streams_with_a_live_subscriber_see_every_committed_event_once_in_order"/>
    /// runs its writers: a backend may interfere with raw transactions of its own until <paramref name="stop"/>,
    /// pacing itself by <paramref name="appendsSoFar"/>. Returns the ids of the events those transactions committed
    /// (the subscriber must deliver them too); events they rolled back must never be delivered.
    /// </summary>
    protected virtual Task<IReadOnlyCollection<Guid>> InterfereWhileWritingAsync(Func<long> appendsSoFar, CancellationToken stop) =>
        Task.FromResult<IReadOnlyCollection<Guid>>([]);

    /// <summary>Registers a store for disposal at the end of the test.</summary>
    protected T Track<T>(T store) where T : IEventStore
    {
        lock (_opened) _opened.Add(store);
        return store;
    }

    /// <summary>Closes a store and opens the same database again, as a restarted process would.</summary>
    protected async Task<IEventStore> ReopenAsync(IEventStore store, EventStoreOptions? options = null)
    {
        await CloseAsync(store);
        return await OpenStoreAsync(options);
    }

    protected async Task CloseAsync(IEventStore store)
    {
        lock (_opened) _opened.Remove(store);
        await store.DisposeAsync().AsTask().WaitAsync(AsyncTestExtensions.Bound);
    }

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync()
    {
        IEventStore[] stores;
        lock (_opened)
        {
            stores = [.. _opened];
            _opened.Clear();
        }
        foreach (var store in stores)
            await store.DisposeAsync().AsTask().WaitAsync(AsyncTestExtensions.Bound);
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>Reads a stream; without <paramref name="from"/>, from its start (forward) or its end (backward).</summary>
    private static async Task<List<RecordedEvent>> ReadStreamAsync(IEventStore store, string stream,
        ReadDirection direction = ReadDirection.Forward, long? from = null, long max = long.MaxValue)
    {
        var start = from ?? (direction == ReadDirection.Forward ? StreamRevision.Start : StreamRevision.End);
        return await store.ReadStreamAsync(stream, direction, start, max).CollectBoundedAsync();
    }

    private static Task<List<RecordedEvent>> ReadAllAsync(IEventStore store, GlobalPosition? after = null, long max = long.MaxValue) =>
        store.ReadAllAsync(after ?? GlobalPosition.Start, max).CollectBoundedAsync();

    private static async Task<EventStoreArgumentException> AssertRefusedAsync(EventStoreErrorCode code, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<EventStoreArgumentException>(() => action().WaitAsync(AsyncTestExtensions.Bound));
        Assert.Equal(code, error.Code);
        return error;
    }

    private static EventStoreArgumentException AssertRefused(EventStoreErrorCode code, Action action)
    {
        var error = Assert.Throws<EventStoreArgumentException>(action);
        Assert.Equal(code, error.Code);
        return error;
    }

    private static async Task<WrongExpectedRevisionException> AssertWrongRevisionAsync(long actual, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<WrongExpectedRevisionException>(() => action().WaitAsync(AsyncTestExtensions.Bound));
        Assert.Equal(actual, error.ActualRevision);
        Assert.Equal(EventStoreErrorCode.WrongExpectedRevision, error.Code);
        return error;
    }

    /// <summary>Everything in the store, to compare before and after a refused operation.</summary>
    private static async Task<(GlobalPosition Head, List<Guid> Ids)> SnapshotAsync(IEventStore store)
    {
        var head = await store.ReadHeadPositionAsync().Bounded();
        var all = await ReadAllAsync(store);
        return (head, all.Select(e => e.EventId).ToList());
    }

    private static async Task AssertUnchangedAsync(IEventStore store, (GlobalPosition Head, List<Guid> Ids) before)
    {
        var after = await SnapshotAsync(store);
        Assert.Equal(before.Head, after.Head);
        Assert.Equal(before.Ids, after.Ids);
    }

    private static void AssertSameEvent(EventData expected, RecordedEvent actual)
    {
        Assert.Equal(expected.EventId, actual.EventId);
        Assert.Equal(expected.Type, actual.Type);
        Assert.Equal(expected.Data.ToArray(), actual.Data.ToArray());
        Assert.Equal(expected.Metadata.IsEmpty ? "{}"u8.ToArray() : expected.Metadata.ToArray(), actual.Metadata.ToArray());
    }

    private static void AssertStrictlyIncreasing(IReadOnlyList<RecordedEvent> events)
    {
        for (var i = 1; i < events.Count; i++)
            Assert.True(events[i - 1].Position < events[i].Position,
                $"Position {events[i].Position} (event {i}) does not follow {events[i - 1].Position} (event {i - 1}).");
    }

    /// <summary>An event whose data, metadata (<c>{}</c>) and type add up to exactly <paramref name="totalBytes"/>.</summary>
    private static EventData EventOfSize(int totalBytes, string type = Ev.DefaultType)
    {
        var metadata = "{}"u8.ToArray();
        var overhead = Encoding.UTF8.GetByteCount(type) + metadata.Length + "{\"p\":\"\"}".Length;
        var data = Encoding.UTF8.GetBytes("{\"p\":\"" + new string('a', totalBytes - overhead) + "\"}");
        Assert.Equal(totalBytes, data.Length + metadata.Length + Encoding.UTF8.GetByteCount(type));
        return Ev.Raw(data, metadata, type);
    }

    /// <summary>One stream's part of a multi-stream append.</summary>
    private static StreamAppend Part(string stream, ExpectedRevision expected, params EventData[] events) => new(stream, expected, events);

    /// <summary>Starts every operation at once, behind one gate, and waits for all; each ends in a result or an exception.</summary>
    private static async Task<(T? Result, Exception? Error)[]> StartTogetherAsync<T>(IEnumerable<Func<Task<T>>> operations)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = operations.Select(operation => Task.Run<(T? Result, Exception? Error)>(async () =>
        {
            await gate.Task;
            try
            {
                return (await operation(), null);
            }
            catch (Exception error)
            {
                return (default, error);
            }
        })).ToArray();
        gate.SetResult();
        return await Task.WhenAll(tasks).WaitAsync(AsyncTestExtensions.Bound);
    }
}
