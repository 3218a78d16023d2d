using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Cooperatives;

namespace Traceability.Api.Features.Cooperatives;

/// <summary>The public profile of a cooperative: organisation data and certifications, never contact persons.</summary>
public sealed record CooperativeResponse(Guid CooperativeId, CooperativeProfile Profile, IReadOnlyList<Certification> Certifications, long Revision);

public sealed record CooperativeChanged(Guid CooperativeId, long Revision, Guid? CertificationId = null);

public static class CooperativeEndpoints
{
    public static IEndpointRouteBuilder MapCooperativeEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cooperatives").WithTags("Cooperatives");
        group.MapPost("/", RegisterCooperativeEndpoint.Handle).RequireAuthorization(Party.Policies.Admin).WithCommandProblems()
            .Produces<CooperativeChanged>(StatusCodes.Status201Created).WithSummary("Register a cooperative (admin).");
        group.MapPut("/{cooperativeId:guid}", UpdateCooperativeProfileEndpoint.Handle).RequireAuthorization(Party.Policies.OwnCooperative)
            .WithCommandProblems().Produces<CooperativeChanged>().WithSummary("Update the cooperative's profile (the cooperative or an admin).");
        group.MapPost("/{cooperativeId:guid}/certifications", GrantCertificationEndpoint.Handle).RequireAuthorization(Party.Policies.OwnCooperative)
            .WithCommandProblems().Produces<CooperativeChanged>(StatusCodes.Status201Created).WithSummary("Record a certification (VietGAP, OCOP…).");
        group.MapPost("/{cooperativeId:guid}/certifications/{certificationId:guid}/revoke", RevokeCertificationEndpoint.Handle)
            .RequireAuthorization(Party.Policies.OwnCooperative).WithCommandProblems().Produces<CooperativeChanged>()
            .WithSummary("Revoke a certification.");
        group.MapGet("/{cooperativeId:guid}", Get).AllowAnonymous().WithReadProblems()
            .WithSummary("A cooperative's public profile.");
        return routes;
    }

    private static async Task<Results<Ok<CooperativeResponse>, ProblemHttpResult>> Get(Guid cooperativeId, AggregateReader reader, HttpContext http)
    {
        var (state, revision) = await reader.LoadCooperativeAsync(cooperativeId, http.RequestAborted);
        if (state.Profile is null)
            return Problems.Status(StatusCodes.Status404NotFound, "cooperative.not_found", "No such cooperative.", "Không tìm thấy hợp tác xã.");
        http.Response.Headers.ETag = ETags.For(revision);
        return TypedResults.Ok(new CooperativeResponse(state.Id, state.Profile, state.Certifications.Values.OrderBy(c => c.ValidFrom).ToList(), revision));
    }
}
