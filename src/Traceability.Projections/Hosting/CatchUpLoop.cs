using System.Threading.Channels;
using Traceability.EventStore;

namespace Traceability.Projections.Hosting;

/// <summary>
/// The loop a projection and the integration relay share: follow <c>$all</c> from a checkpoint (catch up, then live),
/// hand the events over in batches of what has arrived (up to a bound), and after a failure start again from the last
/// checkpoint the handler committed, backing off from 100 ms to 10 s. A batch is either handled whole or not at all,
/// so nothing after the checkpoint counts as done.
/// </summary>
public static class CatchUpLoop
{
    /// <param name="handle">Handles one batch and commits its checkpoint; told whether more events are already waiting.</param>
    /// <param name="failed">Told of each failure and the checkpoint the loop starts again from.</param>
    public static async Task RunAsync(IEventStore store, EventFilter filter, GlobalPosition checkpoint, int maxBatch,
        Func<IReadOnlyList<RecordedEvent>, bool, CancellationToken, Task> handle, Action<Exception, GlobalPosition> failed, CancellationToken stop)
    {
        var delay = TimeSpan.FromMilliseconds(100);
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var arrivals = Channel.CreateBounded<RecordedEvent>(new BoundedChannelOptions(maxBatch * 2) { SingleWriter = true, SingleReader = true });
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var feed = FeedAsync(store, filter, checkpoint, arrivals.Writer, linked.Token);
                try
                {
                    var batch = new List<RecordedEvent>(maxBatch);
                    while (await arrivals.Reader.WaitToReadAsync(stop))
                    {
                        batch.Clear();
                        while (batch.Count < maxBatch && arrivals.Reader.TryRead(out var e)) batch.Add(e);
                        await handle(batch, arrivals.Reader.Count > 0, stop);
                        checkpoint = batch[^1].Position;
                        delay = TimeSpan.FromMilliseconds(100);
                    }
                }
                finally
                {
                    await linked.CancelAsync();
                    try { await feed; }
                    catch (OperationCanceledException) { }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                failed(error, checkpoint);
                await Task.Delay(delay, stop).ContinueWith(_ => { }, TaskScheduler.Default);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(10).Ticks));
            }
        }
    }

    /// <summary>
    /// Waits until every subscription has handled what it wants up to <paramref name="position"/>. A subscription whose
    /// filter skips the last events never checkpoints them: "caught up" is then "nothing left that it wants". On
    /// PostgreSQL <c>$all</c> may not show a committed position yet (an older transaction is still open): wait for it first.
    /// </summary>
    public static async Task WaitForAsync(IEventStore store, GlobalPosition position,
        Func<IEnumerable<(GlobalPosition Checkpoint, EventFilter Filter)>> subscriptions, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await store.ReadHeadPositionAsync(cancellationToken) >= position && !await AnyPendingAsync(store, position, subscriptions(), cancellationToken))
                return;
            await Task.Delay(10, cancellationToken);
        }
    }

    private static async Task<bool> AnyPendingAsync(IEventStore store, GlobalPosition position,
        IEnumerable<(GlobalPosition Checkpoint, EventFilter Filter)> subscriptions, CancellationToken cancellationToken)
    {
        foreach (var (checkpoint, filter) in subscriptions)
        {
            if (checkpoint >= position) continue;
            await foreach (var e in store.ReadAllAsync(checkpoint, cancellationToken: cancellationToken))
            {
                if (e.Position > position) break;
                if (filter.Matches(e)) return true;
            }
        }

        return false;
    }

    private static async Task FeedAsync(IEventStore store, EventFilter filter, GlobalPosition checkpoint, ChannelWriter<RecordedEvent> arrivals,
        CancellationToken stop)
    {
        try
        {
            await foreach (var e in store.SubscribeToAllAsync(checkpoint, filter, stop))
                await arrivals.WriteAsync(e, stop);
            arrivals.TryComplete();
        }
        catch (Exception error)
        {
            arrivals.TryComplete(error is OperationCanceledException ? null : error);
        }
    }
}
