using Traceability.Api.Infrastructure;

namespace Traceability.Api.Features.ValueChain;

/// <summary>Lineage up and down, recall blast radius and mass balance, from the value-chain read model (any authenticated key).</summary>
public static class ValueChainEndpoints
{
    public static IEndpointRouteBuilder MapValueChainEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:guid}").WithTags("Value chain").RequireAuthorization();
        group.MapGet("/lineage", GetLineageEndpoint.Handle).WithReadProblems(authenticated: true).ProducesValidationProblem()
            .Produces<Traceability.Projections.ValueChain.Lineage>()
            .WithSummary("Chuỗi giá trị: the batches a batch was made from (upstream) or that were made from it (downstream), with quantities.")
            .WithDescription("direction = upstream (default) or downstream; depth = 1 to 100 steps (default 20). Each batch appears once, at its " +
                             "shortest distance; truncated says whether the lineage goes on beyond the depth. From the read model: it may lag " +
                             "the events by a moment.");
        group.MapGet("/recall-impact", GetRecallImpactEndpoint.Handle).WithReadProblems(authenticated: true)
            .Produces<Traceability.Projections.ValueChain.RecallImpact>()
            .WithSummary("Phạm vi thu hồi: every batch downstream of a batch, with who holds each now (recall blast radius).");
        group.MapGet("/mass-balance", GetMassBalanceEndpoint.Handle).WithReadProblems(authenticated: true)
            .Produces<Traceability.Projections.ValueChain.MassBalance>()
            .WithSummary("Cân đối khối lượng: a batch's inputs, yield, expected maximum and actual output, and where its output went.");
        return routes;
    }

    internal static Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult NotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "batch.not_found", "No such batch (or it is not projected yet).", "Không tìm thấy lô hàng.");
}
