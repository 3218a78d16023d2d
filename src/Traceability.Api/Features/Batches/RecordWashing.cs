using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

public sealed record WashingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, string? Method);

/// <summary>Sơ chế, làm sạch: washing and cleaning.</summary>
public static class RecordWashingEndpoint
{
    public static Task<IResult> Handle(Guid batchId, WashingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchWashed(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Method));
}
