using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Batches;

public sealed record PackingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, int PackCount, Quantity PackSize, DateOnly? BestBefore);

/// <summary>Đóng gói: packing into retail packs; packs × size must fit what is on hand.</summary>
public static class RecordPackingEndpoint
{
    public static Task<IResult> Handle(Guid batchId, PackingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchPacked(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.PackCount,
            r.PackSize, r.BestBefore));
}
