namespace Traceability.Api.Features.ValueChain;

/// <summary>Lineage up and down, recall blast radius and mass balance, from the value-chain read model. (Being built: issue 4.)</summary>
public static class ValueChainEndpoints
{
    public static IEndpointRouteBuilder MapValueChainEndpoints(this IEndpointRouteBuilder routes) => routes;
}
