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

public static class UpdateCooperativeProfileEndpoint
{
    public static Task<IResult> Handle(Guid cooperativeId, CooperativeProfile profile, HttpContext http, CommandPipeline pipeline, AggregateReader reader) =>
        CooperativeCommands.ExecuteAsync(http, pipeline, reader, cooperativeId, StatusCodes.Status200OK,
            (state, ctx) => CooperativeDecisions.Decide(state, new UpdateCooperativeProfile(cooperativeId, profile, ctx.Now)));
}

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

public sealed record RevokeCertificationRequest(string Reason);

public static class RevokeCertificationEndpoint
{
    public static Task<IResult> Handle(Guid cooperativeId, Guid certificationId, RevokeCertificationRequest request, HttpContext http,
        CommandPipeline pipeline, AggregateReader reader) =>
        CooperativeCommands.ExecuteAsync(http, pipeline, reader, cooperativeId, StatusCodes.Status200OK,
            (state, ctx) => CooperativeDecisions.Decide(state, new RevokeCertification(cooperativeId, certificationId, request.Reason, ctx.Now)));
}
