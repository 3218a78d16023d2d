using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

public sealed record InspectionRequest(DateTimeOffset OccurredAt, string? Place, string? Note, string Inspector, InspectionResult Result,
    IReadOnlyList<Measurement>? Measurements, string? DocumentRef);

/// <summary>Kiểm tra chất lượng: inspection or lab test, pass (Đạt) or fail (Không đạt), with measurements.</summary>
public static class RecordInspectionEndpoint
{
    public static Task<IResult> Handle(Guid batchId, InspectionRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchInspected(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Inspector,
            r.Result, r.Measurements ?? [], r.DocumentRef));
}
