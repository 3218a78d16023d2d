using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

/// <summary>The answer to every batch command: where the batch's stream now stands (also its ETag).</summary>
public sealed record BatchChanged(Guid BatchId, long Revision, string EventType);

/// <summary>
/// Record one step: load the batch, check If-Match, let the domain decide, append at the revision it saw.
/// Every step request carries when it happened (the phone's time, checked against the server's), where, and an
/// optional note; names of individual people never go in a note: they are personal data.
/// </summary>
public sealed class BatchCommands(CommandPipeline pipeline, AggregateReader reader)
{
    public Task<IResult> RecordStepAsync(HttpContext http, Guid batchId, Func<CommandContext, Task<IBatchStep>> buildStep) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            var (state, revision) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
            if (!state.Exists) throw NotFound();
            ctx.RequireRevision(revision);
            var step = await buildStep(ctx);
            var events = BatchDecisions.Decide(state, new RecordStep(ctx.Actor, ctx.Now, step));
            var next = revision + events.Count;
            return new CommandOutcome([new PlannedAppend(StreamNames.Batch(batchId), ExpectedRevision.Exact(revision), [.. events])],
                StatusCodes.Status200OK, new BatchChanged(batchId, next, EventCodec.NameOf(step.GetType())), next);
        });

    public Task<IResult> RecordStepAsync(HttpContext http, Guid batchId, Func<CommandContext, IBatchStep> buildStep) =>
        RecordStepAsync(http, batchId, ctx => Task.FromResult(buildStep(ctx)));

    public static Domain.Shared.DomainException NotFound() => new("batch.not_found", "Không tìm thấy lô hàng.", "No such batch.");
}
