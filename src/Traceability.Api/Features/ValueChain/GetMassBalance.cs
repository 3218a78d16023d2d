using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Projections.Hosting;
using Traceability.Projections.ValueChain;

namespace Traceability.Api.Features.ValueChain;

/// <summary>Cân đối khối lượng: what went into a batch, what the yield allows out, what came out, and where it went.</summary>
public static class GetMassBalanceEndpoint
{
    public static async Task<Results<Ok<MassBalance>, ProblemHttpResult>> Handle(Guid batchId, ReadModelDatabase readModels,
        CancellationToken cancellationToken) =>
        await ValueChainQueries.MassBalanceAsync(readModels, batchId.ToString(), cancellationToken) is { } balance
            ? TypedResults.Ok(balance)
            : ValueChainEndpoints.NotFound();
}
