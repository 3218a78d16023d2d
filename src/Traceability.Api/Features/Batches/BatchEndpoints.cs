using Traceability.Api.Infrastructure;
using Traceability.Api.Security;

namespace Traceability.Api.Features.Batches;

public static class BatchEndpoints
{
    public static IEndpointRouteBuilder MapBatchEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches").WithTags("Batches");
        group.MapPost("/", RegisterBatchEndpoint.Handle).RequireAuthorization(Party.Policies.Cooperative).WithCommandProblems()
            .Produces<BatchChanged>(StatusCodes.Status201Created).WithSummary("Register a batch (lô hàng) of the caller's cooperative.");
        group.MapPost("/merge", MergeBatchesEndpoint.Handle).RequireAuthorization(Party.Policies.Cooperative).WithCommandProblems()
            .Produces<TransformationResponse>(StatusCodes.Status201Created).WithSummary("Merge input batches into a new batch (mass balance checked).");

        var steps = group.MapGroup("/{batchId:guid}").RequireAuthorization(Party.Policies.Holder);
        Step(steps.MapPost("/receiving", RecordReceivingEndpoint.Handle), "Tiếp nhận nguyên liệu: receive raw material.");
        Step(steps.MapPost("/washing", RecordWashingEndpoint.Handle), "Sơ chế, làm sạch: wash / clean.");
        Step(steps.MapPost("/salting", RecordSaltingEndpoint.Handle), "Ướp muối: salt (salt %, duration).");
        Step(steps.MapPost("/drying", RecordDryingEndpoint.Handle), "Phơi nắng / sấy: dry (sun or oven, moisture, weight after).");
        Step(steps.MapPost("/inspections", RecordInspectionEndpoint.Handle), "Kiểm tra chất lượng: inspect (pass / fail, measurements).");
        Step(steps.MapPost("/packing", RecordPackingEndpoint.Handle), "Đóng gói: pack (count, size, best-before).");
        Step(steps.MapPost("/storage", RecordStorageEndpoint.Handle), "Bảo quản: store.");
        Step(steps.MapPost("/shipments", ShipBatchEndpoint.Handle), "Xuất hàng: ship the whole batch to a party.");
        Step(steps.MapPost("/receipts", ConfirmReceiptEndpoint.Handle), "Nhận hàng: the receiving party confirms; custody moves.");
        Step(steps.MapPost("/notes", AddNoteEndpoint.Handle), "Add a note (also on a recalled batch).");
        Step(steps.MapPost("/corrections", CorrectEventEndpoint.Handle), "Correct an earlier event by reference (never an edit).");
        steps.MapPost("/recall", RecallBatchEndpoint.Handle).WithCommandProblems().Produces<RecallResponse>()
            .WithSummary("Thu hồi: recall the batch and every batch made from it.");
        steps.MapPost("/split", SplitBatchEndpoint.Handle).WithCommandProblems().Produces<TransformationResponse>(StatusCodes.Status201Created)
            .WithSummary("Split the batch into child batches.");

        group.MapGet("/{batchId:guid}", ReadBatch.Get).AllowAnonymous().WithReadProblems()
            .WithSummary("A batch's public summary; ETag = stream revision.");
        group.MapGet("/{batchId:guid}/verify", ReadBatch.Verify).AllowAnonymous().WithReadProblems()
            .WithSummary("Recompute the batch's hash chain.");
        group.MapGet("/{batchId:guid}/history", ReadBatch.History).RequireAuthorization().WithReadProblems(authenticated: true)
            .WithSummary("The full record with hashes (producer, holders, admins).");
        return routes;
    }

    private static void Step(RouteHandlerBuilder builder, string summary) =>
        builder.WithCommandProblems().Produces<BatchChanged>().WithSummary(summary);
}
