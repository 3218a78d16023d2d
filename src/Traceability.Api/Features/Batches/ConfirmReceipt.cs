using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Batches;

public sealed record ReceiptRequest(DateTimeOffset OccurredAt, string? Place, string? Note, Guid ShipmentId, Quantity Quantity, ReceiptCondition Condition);

/// <summary>Nhận hàng: the receiving party confirms; custody moves to it.</summary>
public static class ConfirmReceiptEndpoint
{
    public static Task<IResult> Handle(Guid batchId, ReceiptRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchReceiptConfirmed(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note),
            r.ShipmentId, r.Quantity, r.Condition));
}
