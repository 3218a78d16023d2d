using Traceability.Api.Infrastructure;
using Traceability.Domain.Cooperatives;
using Traceability.EventStore;

namespace Traceability.Api.Features.Cooperatives;

/// <summary>Load a cooperative, check If-Match, decide, append at the revision the decision saw.</summary>
public static class CooperativeCommands
{
    public static Task<IResult> ExecuteAsync(HttpContext http, CommandPipeline pipeline, AggregateReader reader, Guid cooperativeId, int status,
        Func<Cooperative, CommandContext, IReadOnlyList<ICooperativeEvent>> decide, Guid? certificationId = null) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            var (state, revision) = await reader.LoadCooperativeAsync(cooperativeId, http.RequestAborted);
            if (state.Exists) ctx.RequireRevision(revision);
            var events = decide(state, ctx);
            var next = revision + events.Count;
            return new CommandOutcome(
                events.Count == 0 ? [] : [new PlannedAppend(StreamNames.Cooperative(cooperativeId), ExpectedRevision.Exact(revision), [.. events])],
                status, new CooperativeChanged(cooperativeId, next, certificationId), next);
        });
}
