using Traceability.Api.Features.Buyers;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.EventStore;

namespace Traceability.Api.Infrastructure;

/// <summary>Loads an aggregate's state by folding its stream; the revision is what the next append expects.</summary>
public sealed class AggregateReader(IEventStore store)
{
    public async Task<(Batch State, long Revision)> LoadBatchAsync(Guid id, CancellationToken cancellationToken)
    {
        var (state, revision) = (Batch.Initial, StreamRevision.None);
        await foreach (var e in store.ReadStreamAsync(StreamNames.Batch(id), ReadDirection.Forward, 0, long.MaxValue, cancellationToken))
        {
            if (EventCodec.Decode(e) is IBatchEvent batchEvent) state = Batch.Evolve(state, batchEvent, e.EventId);
            revision = e.Revision;
        }

        return (state, revision);
    }

    public async Task<(Cooperative State, long Revision)> LoadCooperativeAsync(Guid id, CancellationToken cancellationToken)
    {
        var (state, revision) = (Cooperative.Initial, StreamRevision.None);
        await foreach (var e in store.ReadStreamAsync(StreamNames.Cooperative(id), ReadDirection.Forward, 0, long.MaxValue, cancellationToken))
        {
            if (EventCodec.Decode(e) is ICooperativeEvent cooperativeEvent) state = Cooperative.Evolve(state, cooperativeEvent);
            revision = e.Revision;
        }

        return (state, revision);
    }

    public async Task<BuyerRegistered?> LoadBuyerAsync(Guid id, CancellationToken cancellationToken)
    {
        await foreach (var e in store.ReadStreamAsync(StreamNames.Buyer(id), ReadDirection.Forward, 0, 1, cancellationToken))
            return EventCodec.Decode(e) as BuyerRegistered;
        return null;
    }
}
