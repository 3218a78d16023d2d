using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

public sealed record RecallRequest(DateTimeOffset OccurredAt, string Reason, RecallSeverity Severity, string? Note);

public sealed record RecallResponse(Guid BatchId, long Revision, IReadOnlyList<Guid> DownstreamRecalled);

/// <summary>
/// A recall reaches every batch made from the recalled one, however deep: all of them are recalled in one atomic
/// append, so no consumer ever sees the source recalled and a pack made from it not.
/// </summary>
public static class RecallBatchEndpoint
{
    /// <summary>Bounded by the store's 1 MiB atomic append; wider recalls need the asynchronous process (see README).</summary>
    public const int MaxDownstream = 1000;

    public static Task<IResult> Handle(Guid batchId, RecallRequest r, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            var (state, revision) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
            if (!state.Exists) throw BatchCommands.NotFound();
            ctx.RequireRevision(revision);
            var step = ctx.Steps.Create(r.OccurredAt, null, r.Note);
            var events = BatchDecisions.Decide(state, new RecordStep(ctx.Actor, ctx.Now, new BatchRecalled(batchId, step, r.Reason, r.Severity, null)));
            var appends = new List<PlannedAppend> { new(StreamNames.Batch(batchId), ExpectedRevision.Exact(revision), [.. events]) };

            var seen = new HashSet<Guid> { batchId };
            var queue = new Queue<Guid>(state.Outputs);
            var recalled = new List<Guid>();
            while (queue.TryDequeue(out var childId))
            {
                if (!seen.Add(childId)) continue;
                if (seen.Count > MaxDownstream)
                    throw new DomainException("batch.recall_too_wide", $"Thu hồi ảnh hưởng hơn {MaxDownstream} lô; hãy liên hệ quản trị.",
                        $"The recall reaches more than {MaxDownstream} batches; ask an administrator.");
                var (child, childRevision) = await reader.LoadBatchAsync(childId, http.RequestAborted);
                var propagated = BatchDecisions.DecideRecallPropagation(child, batchId, step, r.Reason, r.Severity);
                if (propagated.Count > 0)
                {
                    appends.Add(new PlannedAppend(StreamNames.Batch(childId), ExpectedRevision.Exact(childRevision), [.. propagated]));
                    recalled.Add(childId);
                }

                foreach (var grandChild in child.Outputs) queue.Enqueue(grandChild);
            }

            var next = revision + events.Count;
            return new CommandOutcome(appends, StatusCodes.Status200OK, new RecallResponse(batchId, next, recalled), next);
        });
}
