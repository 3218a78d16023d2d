using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

public sealed record SplitChildRequest(Guid? BatchId, string LotNumber, Quantity Quantity);

public sealed record SplitRequest(DateTimeOffset OccurredAt, string? Place, string? Note, IReadOnlyList<SplitChildRequest> Children);

/// <summary>Tách lô: split a batch into children, e.g. one part to ship now; the children sum to at most what is on hand.</summary>
public static class SplitBatchEndpoint
{
    public static Task<IResult> Handle(Guid batchId, SplitRequest r, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            if (r.Children is not { Count: >= 2 and <= Transformations.MaxChildren } || r.Children.Any(c => c is null))
                throw new InvalidFieldException("children", $"Tách lô cần từ 2 đến {Transformations.MaxChildren} lô con.", $"A split makes 2 to {Transformations.MaxChildren} children.");
            var children = r.Children.Select(c => new SplitChild(c.BatchId ?? Guid.CreateVersion7(), c.LotNumber, c.Quantity)).ToList();
            var loaded = await Transformation.LoadAsync(children.Select(c => c.BatchId).Append(batchId).Distinct(), reader, http.RequestAborted);
            var parent = loaded[batchId];
            if (!parent.State.Exists) throw BatchCommands.NotFound();
            ctx.RequireRevision(parent.Revision);
            var decided = Transformations.Decide(parent.State, loaded.ToDictionary(l => l.Key, l => l.Value.State),
                new SplitBatch(batchId, children, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), ctx.Now));
            var lots = children.SelectMany(c => RegisterBatchEndpoint.NewBatchReservations(parent.State.CooperativeId, parent.State.Product!, c.LotNumber, c.BatchId));
            return Transformation.Outcome(decided, loaded, lots, children.Select(c => c.BatchId).ToList());
        });
}
