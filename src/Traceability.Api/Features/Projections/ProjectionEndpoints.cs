using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Api.Features.Projections;

public sealed record ProjectionStatusResponse(string Name, string Checkpoint, long EventsApplied, string State, long LagMilliseconds,
    string? LastError);

/// <summary>Where each read model stands, and how to rebuild one from the first event (admin).</summary>
public static class ProjectionEndpoints
{
    public static IEndpointRouteBuilder MapProjectionEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/projections").WithTags("Projections").RequireAuthorization(Party.Policies.Admin);
        group.MapGet("/", Status).WithReadProblems(authenticated: true).WithSummary("Each projection's checkpoint, events applied and lag (admin).");
        group.MapPost("/{name}/rebuild", Rebuild).WithCommandProblems().Produces(StatusCodes.Status202Accepted)
            .WithSummary("Drop a read model and replay it from the first event (admin).");
        return routes;
    }

    private static async Task<Ok<IReadOnlyList<ProjectionStatusResponse>>> Status(Projector projector, IEventStore store, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var head = await store.ReadHeadPositionAsync(cancellationToken);
        var now = time.GetUtcNow();
        return TypedResults.Ok<IReadOnlyList<ProjectionStatusResponse>>(projector.Status.Select(s => new ProjectionStatusResponse(
            s.Name, s.Checkpoint.ToString(), s.EventsApplied, s.State,
            s.Checkpoint >= head || s.LastAppliedEventRecorded is null ? 0 : (long)(now - s.LastAppliedEventRecorded.Value).TotalMilliseconds,
            s.LastError)).ToList());
    }

    private static async Task<Results<Accepted, ProblemHttpResult>> Rebuild(string name, Projector projector, CancellationToken cancellationToken)
    {
        if (projector.Projections.All(p => p.Name != name))
            return Problems.Status(StatusCodes.Status404NotFound, "projection.not_found", $"No projection named '{name}'.", "Không có projection này.");
        try
        {
            await projector.RebuildAsync(name, cancellationToken);
        }
        catch (ProjectorStandbyException e)
        {
            return Problems.Status(StatusCodes.Status409Conflict, "projection.standby", e.Message,
                "Máy chủ này đang ở chế độ dự phòng: hãy dựng lại trên máy chủ projector đang hoạt động.");
        }

        return TypedResults.Accepted("/api/projections");
    }
}
