using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Projections.Hosting;
using Traceability.Projections.ValueChain;

namespace Traceability.Api.Features.ValueChain;

/// <summary>Recall blast radius: every downstream batch of a batch and its current custodian, so a recall knows whom to reach.</summary>
public static class GetRecallImpactEndpoint
{
    public static async Task<Results<Ok<RecallImpact>, ProblemHttpResult>> Handle(Guid batchId, ReadModelDatabase readModels,
        CancellationToken cancellationToken)
    {
        var impact = await ValueChainQueries.RecallImpactAsync(readModels, batchId.ToString(), cancellationToken);
        return impact.LotNumber is null ? ValueChainEndpoints.NotFound() : TypedResults.Ok(impact);
    }
}
