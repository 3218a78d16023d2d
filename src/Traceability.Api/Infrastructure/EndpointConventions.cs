namespace Traceability.Api.Infrastructure;

public static class EndpointConventions
{
    /// <summary>Documents every problem a command can answer with, so the OpenAPI document lists them.</summary>
    public static RouteHandlerBuilder WithCommandProblems(this RouteHandlerBuilder builder) => builder
        .ProducesValidationProblem()
        .ProducesProblem(StatusCodes.Status401Unauthorized)
        .ProducesProblem(StatusCodes.Status403Forbidden)
        .ProducesProblem(StatusCodes.Status404NotFound)
        .ProducesProblem(StatusCodes.Status409Conflict)
        .ProducesProblem(StatusCodes.Status412PreconditionFailed)
        .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
        .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
        .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .RequireRateLimiting(RateLimits.Writes);

    /// <summary>A read: rate-limited, and documented with the problems it can answer with.</summary>
    public static RouteHandlerBuilder WithReadProblems(this RouteHandlerBuilder builder, bool authenticated = false)
    {
        builder.ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status429TooManyRequests)
            .RequireRateLimiting(RateLimits.Reads);
        return authenticated
            ? builder.ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            : builder;
    }
}
