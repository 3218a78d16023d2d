using Traceability.Api.Infrastructure;
using Traceability.Domain.Cooperatives;
using Traceability.EventStore;

namespace Traceability.Api.Features.Cooperatives;

public static class RegisterCooperativeEndpoint
{
    public static Task<IResult> Handle(CooperativeProfile profile, HttpContext http, CommandPipeline pipeline) =>
        pipeline.ExecuteAsync(http, ctx =>
        {
            var id = Guid.CreateVersion7();
            var events = CooperativeDecisions.Decide(Cooperative.Initial, new RegisterCooperative(id, profile, ctx.Now));
            return Task.FromResult(new CommandOutcome(
                [new PlannedAppend(StreamNames.Cooperative(id), ExpectedRevision.NoStream, [.. events])],
                StatusCodes.Status201Created, new CooperativeChanged(id, events.Count - 1), events.Count - 1, $"/api/cooperatives/{id}"));
        });
}
