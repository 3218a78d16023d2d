namespace Traceability.Api.Features.Catalogue;

/// <summary>The cooperative catalogue: cooperatives, products, active batches, certifications. (Being built: issue 4.)</summary>
public static class CatalogueEndpoints
{
    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder routes) => routes;
}
