using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

public sealed record MergeRequest(Guid? NewBatchId, Product Product, string LotNumber, Quantity Output, IReadOnlyList<BatchInput> Inputs,
    decimal? DeclaredYield, DateTimeOffset ProducedAt, DateOnly? BestBefore, string? Place, string? Note);

/// <summary>Gộp lô: merge input batches into a new batch; output ≤ Σ inputs × yield (cân đối khối lượng).</summary>
public static class MergeBatchesEndpoint
{
    public static Task<IResult> Handle(MergeRequest r, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            if (r.Inputs is not { Count: > 0 and <= Transformations.MaxInputs } || r.Inputs.Any(i => i is null))
                throw new InvalidFieldException("inputs", $"Cần từ 1 đến {Transformations.MaxInputs} lô đầu vào.", $"A merge takes 1 to {Transformations.MaxInputs} inputs.");
            var newId = r.NewBatchId ?? Guid.CreateVersion7();
            var producer = await RegisterBatchEndpoint.ProducerOfAsync(ctx.Actor, reader, http.RequestAborted);
            var loaded = await Transformation.LoadAsync(r.Inputs.Select(i => i.BatchId).Append(newId).Distinct(), reader, http.RequestAborted);
            var decided = Transformations.Decide(loaded.ToDictionary(l => l.Key, l => l.Value.State), loaded[newId].State,
                new MergeBatches(newId, producer, r.Product, r.LotNumber, r.Output, r.Inputs, r.DeclaredYield, r.ProducedAt, r.BestBefore,
                    ctx.Steps.Create(r.ProducedAt, r.Place, r.Note), ctx.Now));
            return Transformation.Outcome(decided, loaded, RegisterBatchEndpoint.NewBatchReservations(producer.CooperativeId, r.Product, r.LotNumber, newId), [newId]);
        });
}
