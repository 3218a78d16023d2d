using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

public sealed record MergeRequest(Guid? NewBatchId, Product Product, string LotNumber, Quantity Output, IReadOnlyList<BatchInput> Inputs,
    decimal? DeclaredYield, DateTimeOffset ProducedAt, DateOnly? BestBefore, string? Place, string? Note);

public sealed record SplitChildRequest(Guid? BatchId, string LotNumber, Quantity Quantity);

public sealed record SplitRequest(DateTimeOffset OccurredAt, string? Place, string? Note, IReadOnlyList<SplitChildRequest> Children);

public sealed record TransformationResponse(IReadOnlyList<Guid> CreatedBatches, IReadOnlyDictionary<Guid, long> Revisions);

/// <summary>Merge and split: several batches change in one atomic append, each at the revision the decision saw.</summary>
public static class Transform
{
    public static Task<IResult> Merge(MergeRequest r, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            if (r.Inputs is not { Count: > 0 and <= Transformations.MaxInputs } || r.Inputs.Any(i => i is null))
                throw new InvalidFieldException("inputs", $"Cần từ 1 đến {Transformations.MaxInputs} lô đầu vào.", $"A merge takes 1 to {Transformations.MaxInputs} inputs.");
            var newId = r.NewBatchId ?? Guid.CreateVersion7();
            var producer = await RegisterBatchEndpoint.ProducerOfAsync(ctx.Actor, reader, http.RequestAborted);
            var loaded = await LoadAsync(r.Inputs.Select(i => i.BatchId).Append(newId).Distinct(), reader, http.RequestAborted);
            var decided = Transformations.Decide(loaded.ToDictionary(l => l.Key, l => l.Value.State), loaded[newId].State,
                new MergeBatches(newId, producer, r.Product, r.LotNumber, r.Output, r.Inputs, r.DeclaredYield, r.ProducedAt, r.BestBefore,
                    ctx.Steps.Create(r.ProducedAt, r.Place, r.Note), ctx.Now));
            return Outcome(decided, loaded, [RegisterBatchEndpoint.LotReservation(producer.CooperativeId, r.Product, r.LotNumber, newId)], [newId]);
        });

    public static Task<IResult> Split(Guid batchId, SplitRequest r, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            if (r.Children is not { Count: >= 2 and <= Transformations.MaxChildren } || r.Children.Any(c => c is null))
                throw new InvalidFieldException("children", $"Tách lô cần từ 2 đến {Transformations.MaxChildren} lô con.", $"A split makes 2 to {Transformations.MaxChildren} children.");
            var children = r.Children.Select(c => new SplitChild(c.BatchId ?? Guid.CreateVersion7(), c.LotNumber, c.Quantity)).ToList();
            var loaded = await LoadAsync(children.Select(c => c.BatchId).Append(batchId).Distinct(), reader, http.RequestAborted);
            var parent = loaded[batchId];
            if (!parent.State.Exists) throw BatchCommands.NotFound();
            ctx.RequireRevision(parent.Revision);
            var decided = Transformations.Decide(parent.State, loaded.ToDictionary(l => l.Key, l => l.Value.State),
                new SplitBatch(batchId, children, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), ctx.Now));
            var lots = children.Select(c => RegisterBatchEndpoint.LotReservation(parent.State.CooperativeId, parent.State.Product!, c.LotNumber, c.BatchId));
            return Outcome(decided, loaded, lots, children.Select(c => c.BatchId).ToList());
        });

    private static async Task<Dictionary<Guid, (Batch State, long Revision)>> LoadAsync(IEnumerable<Guid> ids, AggregateReader reader, CancellationToken cancellationToken)
    {
        var loaded = new Dictionary<Guid, (Batch, long)>();
        foreach (var id in ids) loaded[id] = await reader.LoadBatchAsync(id, cancellationToken);
        return loaded;
    }

    private static CommandOutcome Outcome(IReadOnlyList<StreamEvents> decided, Dictionary<Guid, (Batch State, long Revision)> loaded,
        IEnumerable<PlannedAppend> reservations, IReadOnlyList<Guid> created)
    {
        var appends = decided.Select(d => new PlannedAppend(StreamNames.Batch(d.BatchId),
            loaded[d.BatchId].Revision == StreamRevision.None ? ExpectedRevision.NoStream : ExpectedRevision.Exact(loaded[d.BatchId].Revision),
            [.. d.Events])).Concat(reservations).ToList();
        var revisions = decided.ToDictionary(d => d.BatchId, d => loaded[d.BatchId].Revision + d.Events.Count);
        return new CommandOutcome(appends, StatusCodes.Status201Created, new TransformationResponse(created, revisions));
    }
}
