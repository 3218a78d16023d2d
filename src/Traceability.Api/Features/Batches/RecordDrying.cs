using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Batches;

public sealed record DryingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, DryingMethod Method, DateTimeOffset StartedAt,
    DateTimeOffset EndedAt, decimal? FinalMoisturePercent, Quantity? Output);

/// <summary>Phơi nắng / sấy: sun- or oven-drying; the weight after drying is checked against the yield.</summary>
public static class RecordDryingEndpoint
{
    public static Task<IResult> Handle(Guid batchId, DryingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchDried(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Method,
            r.StartedAt, r.EndedAt, r.FinalMoisturePercent, r.Output));
}
