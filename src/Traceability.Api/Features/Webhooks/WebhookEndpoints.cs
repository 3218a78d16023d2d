namespace Traceability.Api.Features.Webhooks;

/// <summary>Buyers' recall webhooks and the dead-lettered deliveries. (Being built: issue 4.)</summary>
public static class WebhookEndpoints
{
    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder routes) => routes;
}
