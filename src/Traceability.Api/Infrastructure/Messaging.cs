namespace Traceability.Api.Infrastructure;

/// <summary>The MassTransit bus, the integration relay and its consumers. (Being built: issue 4.)</summary>
public static class Messaging
{
    public static IServiceCollection AddTraceabilityMessaging(this IServiceCollection services, IConfiguration configuration) => services;
}
