using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Batches;

public sealed record ReceivingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, Quantity Quantity, string? SupplierRef);

/// <summary>Tiếp nhận nguyên liệu: raw material received and weighed; the weighed quantity is what is on hand.</summary>
public static class RecordReceivingEndpoint
{
    public static Task<IResult> Handle(Guid batchId, ReceivingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchReceived(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Quantity, r.SupplierRef));
}
