using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Projections.Hosting;
using Traceability.Projections.ValueChain;

namespace Traceability.Api.Features.ValueChain;

/// <summary>A batch's lineage, upstream (what it was made from) or downstream (what was made from it), to a depth.</summary>
public static class GetLineageEndpoint
{
    public static async Task<Results<Ok<Lineage>, ProblemHttpResult>> Handle(Guid batchId, string? direction, string? depth,
        ReadModelDatabase readModels, CancellationToken cancellationToken)
    {
        LineageDirection walk;
        switch (direction)
        {
            case null or "" or "upstream": walk = LineageDirection.Upstream; break;
            case "downstream": walk = LineageDirection.Downstream; break;
            default:
                return Problems.Field("direction", "direction is upstream or downstream.", "Hướng phải là upstream (nguồn) hoặc downstream (đích).");
        }

        var limit = ValueChainQueries.DefaultDepth;
        if (!string.IsNullOrEmpty(depth) &&
            (!int.TryParse(depth, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > ValueChainQueries.MaxDepth))
            return Problems.Field("depth", $"depth is a whole number from 1 to {ValueChainQueries.MaxDepth}.",
                $"Độ sâu phải là số nguyên từ 1 đến {ValueChainQueries.MaxDepth}.");

        var lineage = await ValueChainQueries.LineageAsync(readModels, batchId.ToString(), walk, limit, cancellationToken);
        // The start batch is always the first node; it is unknown when the read model has no row for it.
        return lineage.Nodes[0].LotNumber is null ? ValueChainEndpoints.NotFound() : TypedResults.Ok(lineage);
    }
}
