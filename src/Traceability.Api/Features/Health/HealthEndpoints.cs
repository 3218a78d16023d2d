using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.EventStore;

namespace Traceability.Api.Features.Health;

/// <summary>Liveness of the host and where the event store's <c>$all</c> stands.</summary>
public static class HealthEndpoints
{
    public sealed record HealthResponse(string Status, string Backend, string HeadPosition);

    public static IEndpointRouteBuilder MapHealthEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/health", GetHealth).WithName("GetHealth");
        return routes;
    }

    private static async Task<Ok<HealthResponse>> GetHealth(IEventStore store, CancellationToken cancellationToken)
    {
        var head = await store.ReadHeadPositionAsync(cancellationToken);
        return TypedResults.Ok(new HealthResponse("ok", store.GetType().Name, head.ToString()));
    }
}
