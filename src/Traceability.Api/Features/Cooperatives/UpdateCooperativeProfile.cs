using Traceability.Api.Infrastructure;
using Traceability.Domain.Cooperatives;

namespace Traceability.Api.Features.Cooperatives;

public static class UpdateCooperativeProfileEndpoint
{
    public static Task<IResult> Handle(Guid cooperativeId, CooperativeProfile profile, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        CooperativeCommands.ExecuteAsync(http, pipeline, reader, cooperativeId, StatusCodes.Status200OK,
            (state, ctx) => CooperativeDecisions.Decide(state, new UpdateCooperativeProfile(cooperativeId, profile, ctx.Now)));
}
