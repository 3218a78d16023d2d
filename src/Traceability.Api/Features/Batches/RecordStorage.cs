using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

public sealed record StorageRequest(DateTimeOffset OccurredAt, string? Place, string? Note, string? Conditions, decimal? TemperatureC);

/// <summary>Bảo quản: storage conditions and temperature.</summary>
public static class RecordStorageEndpoint
{
    public static Task<IResult> Handle(Guid batchId, StorageRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchStored(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Conditions, r.TemperatureC));
}
