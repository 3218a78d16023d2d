using System.Text;
using System.Threading.Channels;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>A clock that says what the test tells it; timers still run on the system clock.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    private long _utcTicks = now.UtcTicks;

    public DateTimeOffset Now
    {
        get => new(Interlocked.Read(ref _utcTicks), TimeSpan.Zero);
        set => Interlocked.Exchange(ref _utcTicks, value.UtcTicks);
    }

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Builds events for the tests: unique ids, small unique JSON objects.</summary>
internal static class Ev
{
    public const string DefaultType = "batch.dried.v1";

    public static EventData New(string type = DefaultType, string? json = null, string? metadata = null) =>
        new(Guid.NewGuid(), type,
            Encoding.UTF8.GetBytes(json ?? $"{{\"note\":\"{Guid.NewGuid():N}\"}}"),
            metadata is null ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(metadata));

    public static EventData Raw(ReadOnlyMemory<byte> data, ReadOnlyMemory<byte> metadata = default, string type = DefaultType) =>
        new(Guid.NewGuid(), type, data, metadata);

    public static EventData[] Many(int count, string type = DefaultType) =>
        Enumerable.Range(0, count).Select(_ => New(type)).ToArray();

    /// <summary>A stream name no other test uses.</summary>
    public static string Stream(string category = "batch") => $"{category}-{Guid.NewGuid():N}";
}

internal static class AsyncTestExtensions
{
    public static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    public static async Task<List<T>> CollectAsync<T>(this IAsyncEnumerable<T> source)
    {
        var list = new List<T>();
        await foreach (var item in source)
            list.Add(item);
        return list;
    }

    /// <summary>Collects an async sequence, failing the test if it takes longer than <see cref="Bound"/>.</summary>
    public static Task<List<T>> CollectBoundedAsync<T>(this IAsyncEnumerable<T> source) =>
        source.CollectAsync().WaitAsync(Bound);

    public static Task<T> Bounded<T>(this Task<T> task) => task.WaitAsync(Bound);

    public static Task Bounded(this Task task) => task.WaitAsync(Bound);
}

/// <summary>
/// Runs <see cref="IEventStore.SubscribeToAllAsync"/> in the background and hands its events to the test one by one,
/// with a time bound on every wait.
/// </summary>
internal sealed class LiveSubscription : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<RecordedEvent> _channel = Channel.CreateUnbounded<RecordedEvent>();
    private readonly Task _pump;

    public LiveSubscription(IEventStore store, GlobalPosition after, EventFilter? filter = null)
    {
        var token = _cts.Token;
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var e in store.SubscribeToAllAsync(after, filter, token))
                    _channel.Writer.TryWrite(e);
                _channel.Writer.TryComplete(new InvalidOperationException("The subscription ended before it was cancelled."));
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                _channel.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _channel.Writer.TryComplete(e);
            }
        });
    }

    /// <summary>The next event, or a <see cref="TimeoutException"/> when none comes within <paramref name="timeout"/>.</summary>
    public async Task<RecordedEvent> NextAsync(TimeSpan? timeout = null)
    {
        var limit = timeout ?? AsyncTestExtensions.Bound;
        using var cts = new CancellationTokenSource(limit);
        try
        {
            return await _channel.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"The subscription delivered nothing within {limit.TotalSeconds:0.#} s.");
        }
    }

    public async Task<List<RecordedEvent>> TakeAsync(int count, TimeSpan? timeout = null)
    {
        var limit = timeout ?? AsyncTestExtensions.Bound;
        var deadline = DateTime.UtcNow + limit;
        var list = new List<RecordedEvent>(count);
        while (list.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"The subscription delivered {list.Count} of {count} events within {limit.TotalSeconds:0.#} s.");
            list.Add(await NextAsync(left));
        }
        return list;
    }

    /// <summary>Reads until an event with id <paramref name="sentinel"/> arrives; returns everything before it and it.</summary>
    public async Task<List<RecordedEvent>> TakeUntilAsync(Guid sentinel, TimeSpan? timeout = null)
    {
        var limit = timeout ?? AsyncTestExtensions.Bound;
        var deadline = DateTime.UtcNow + limit;
        var list = new List<RecordedEvent>();
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
                throw new TimeoutException($"The sentinel event did not arrive within {limit.TotalSeconds:0.#} s ({list.Count} others did).");
            var e = await NextAsync(left);
            list.Add(e);
            if (e.EventId == sentinel)
                return list;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        try
        {
            await _pump.WaitAsync(TimeSpan.FromSeconds(10));
        }
        finally
        {
            _cts.Dispose();
        }
    }
}
