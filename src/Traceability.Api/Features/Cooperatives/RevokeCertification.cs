using Traceability.Api.Infrastructure;
using Traceability.Domain.Cooperatives;

namespace Traceability.Api.Features.Cooperatives;

public sealed record RevokeCertificationRequest(string Reason);

public static class RevokeCertificationEndpoint
{
    public static Task<IResult> Handle(Guid cooperativeId, Guid certificationId, RevokeCertificationRequest request, HttpContext http,
        CommandPipeline pipeline, AggregateReader reader) =>
        CooperativeCommands.ExecuteAsync(http, pipeline, reader, cooperativeId, StatusCodes.Status200OK,
            (state, ctx) => CooperativeDecisions.Decide(state, new RevokeCertification(cooperativeId, certificationId, request.Reason, ctx.Now)));
}
