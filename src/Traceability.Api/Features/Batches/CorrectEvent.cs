using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

public sealed record CorrectionRequest(DateTimeOffset OccurredAt, Guid CorrectedEventId, string Field, string CorrectValue, string Reason);

/// <summary>A correction references the event it corrects and says why; the corrected event stays as it was.</summary>
public static class CorrectEventEndpoint
{
    public static Task<IResult> Handle(Guid batchId, CorrectionRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchCorrected(batchId, ctx.Steps.Create(r.OccurredAt, null, null),
            r.CorrectedEventId, r.Field, r.CorrectValue, r.Reason));
}
