using Traceability.Domain.Batches;

namespace Traceability.Api.Features.Batches;

/// <summary>Receiving, washing, salting, drying, inspecting, packing and storing: the cooperative's daily work.</summary>
public static class RecordProcessingSteps
{
    public static Task<IResult> Receive(Guid batchId, ReceivingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchReceived(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Quantity, r.SupplierRef));

    public static Task<IResult> Wash(Guid batchId, WashingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchWashed(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Method));

    public static Task<IResult> Salt(Guid batchId, SaltingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchSalted(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.SaltPercent, r.DurationHours));

    public static Task<IResult> Dry(Guid batchId, DryingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchDried(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Method,
            r.StartedAt, r.EndedAt, r.FinalMoisturePercent, r.Output));

    public static Task<IResult> Inspect(Guid batchId, InspectionRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchInspected(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Inspector,
            r.Result, r.Measurements ?? [], r.DocumentRef));

    public static Task<IResult> Pack(Guid batchId, PackingRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchPacked(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.PackCount,
            r.PackSize, r.BestBefore));

    public static Task<IResult> Store(Guid batchId, StorageRequest r, HttpContext http, BatchCommands commands) =>
        commands.RecordStepAsync(http, batchId, ctx => new BatchStored(batchId, ctx.Steps.Create(r.OccurredAt, r.Place, r.Note), r.Conditions, r.TemperatureC));
}
