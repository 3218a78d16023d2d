using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

public sealed record SaltingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, decimal SaltPercent, decimal DurationHours);

/// <summary>Ướp muối: salting, with the salt percentage and how long.</summary>
public static class RecordSaltingEndpoint
{
    public static Task<IResult> Handle(Guid batchId, SaltingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchSalted(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.SaltPercent, r.DurationHours));
}
