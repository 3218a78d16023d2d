using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

public sealed record TransformationResponse(IReadOnlyList<Guid> CreatedBatches, IReadOnlyDictionary<Guid, long> Revisions);

/// <summary>What merge and split share: load every batch involved, and append all their events atomically, each at the revision the decision saw.</summary>
public static class Transformation
{
    public static async Task<Dictionary<Guid, (Batch State, long Revision)>> LoadAsync(IEnumerable<Guid> ids, AggregateReader reader, CancellationToken cancellationToken)
    {
        var loaded = new Dictionary<Guid, (Batch, long)>();
        foreach (var id in ids) loaded[id] = await reader.LoadBatchAsync(id, cancellationToken);
        return loaded;
    }

    public static CommandOutcome Outcome(IReadOnlyList<StreamEvents> decided, Dictionary<Guid, (Batch State, long Revision)> loaded,
        IEnumerable<PlannedAppend> reservations, IReadOnlyList<Guid> created)
    {
        var appends = decided.Select(d => new PlannedAppend(StreamNames.Batch(d.BatchId),
            loaded[d.BatchId].Revision == StreamRevision.None ? ExpectedRevision.NoStream : ExpectedRevision.Exact(loaded[d.BatchId].Revision),
            [.. d.Events])).Concat(reservations).ToList();
        var revisions = decided.ToDictionary(d => d.BatchId, d => loaded[d.BatchId].Revision + d.Events.Count);
        return new CommandOutcome(appends, StatusCodes.Status201Created, new TransformationResponse(created, revisions));
    }
}
