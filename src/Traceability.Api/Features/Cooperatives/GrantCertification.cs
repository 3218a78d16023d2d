using Traceability.Api.Infrastructure;
using Traceability.Domain.Cooperatives;

namespace Traceability.Api.Features.Cooperatives;

public sealed record GrantCertificationRequest(CertificationScheme Scheme, int? OcopStars, string Number, string Issuer, DateOnly ValidFrom, DateOnly ValidTo);

public static class GrantCertificationEndpoint
{
    public static Task<IResult> Handle(Guid cooperativeId, GrantCertificationRequest request, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        Handle(cooperativeId, Guid.CreateVersion7(), request, http, pipeline, reader);

    private static Task<IResult> Handle(Guid cooperativeId, Guid certificationId, GrantCertificationRequest request, HttpContext http,
        CommandPipeline pipeline, AggregateReader reader) =>
        CooperativeCommands.ExecuteAsync(http, pipeline, reader, cooperativeId, StatusCodes.Status201Created,
            (state, ctx) => CooperativeDecisions.Decide(state, new GrantCertification(cooperativeId, certificationId, request.Scheme,
                request.OcopStars, request.Number, request.Issuer, request.ValidFrom, request.ValidTo, ctx.Now)), certificationId);
}
