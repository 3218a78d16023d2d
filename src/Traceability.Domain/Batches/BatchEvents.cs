using Traceability.Domain.Shared;

namespace Traceability.Domain.Batches;

/// <summary>Events of a batch's stream (<c>batch-{id}</c>).</summary>
public interface IBatchEvent
{
    Guid BatchId { get; }
}

/// <summary>A production step the custodian reports (washing, drying, packing…): the recorded fact is the event.</summary>
public interface IBatchStep : IBatchEvent
{
    StepInfo Step { get; }
}

/// <summary>
/// When, where and by which organisation a step happened. <see cref="Note"/> is free text for the record;
/// names of individual people never go here (they are personal data and live in the erasable table).
/// </summary>
public sealed record StepInfo(DateTimeOffset OccurredAt, string? Place, PartyRef RecordedBy, string? Note);

public sealed record Product(string NameVi, string? NameEn, string Category, Gtin? Gtin);

/// <summary>Where the raw material came from: a fishing area or farm, and when it was caught or harvested.</summary>
public sealed record Origin(string Area, GeoPoint? Location, DateOnly HarvestFrom, DateOnly HarvestTo, string? VesselOrHouseholdRef);

/// <summary>Who made the batch, as Circular 02/2024/TT-BKHCN asks a consumer to see it: name and address.</summary>
public sealed record Producer(Guid CooperativeId, string Name, Address Address);

public sealed record BatchInput(Guid BatchId, Quantity QuantityUsed);

[EventType("batch.registered.v1")]
public sealed record BatchRegistered(
    Guid BatchId,
    Producer Producer,
    Product Product,
    string LotNumber,
    Quantity Quantity,
    Origin? Origin,
    DateTimeOffset ProducedAt,
    DateOnly? BestBefore,
    IReadOnlyList<BatchInput> Inputs,
    decimal? DeclaredYield,
    PartyRef Custodian,
    DateTimeOffset RegisteredAt,
    ProcessingStage InitialStage = ProcessingStage.Raw) : IBatchEvent;

/// <summary>Raw material received and weighed: the weighed quantity becomes what is on hand.</summary>
[EventType("batch.received.v1")]
public sealed record BatchReceived(Guid BatchId, StepInfo Step, Quantity Quantity, string? SupplierRef) : IBatchStep;

[EventType("batch.washed.v1")]
public sealed record BatchWashed(Guid BatchId, StepInfo Step, string? Method) : IBatchStep;

[EventType("batch.salted.v1")]
public sealed record BatchSalted(Guid BatchId, StepInfo Step, decimal SaltPercent, decimal DurationHours) : IBatchStep;

public enum DryingMethod
{
    Sun,
    Oven,
}

/// <summary>Drying: <see cref="Output"/> is the weight after drying; it replaces the quantity on hand (mass balance applies).</summary>
[EventType("batch.dried.v1")]
public sealed record BatchDried(Guid BatchId, StepInfo Step, DryingMethod Method, DateTimeOffset StartedAt, DateTimeOffset EndedAt,
    decimal? FinalMoisturePercent, Quantity? Output) : IBatchStep;

public enum InspectionResult
{
    Pass,
    Fail,
}

public sealed record Measurement(string Name, decimal Value, string Unit);

[EventType("batch.inspected.v1")]
public sealed record BatchInspected(Guid BatchId, StepInfo Step, string Inspector, InspectionResult Result,
    IReadOnlyList<Measurement> Measurements, string? DocumentRef) : IBatchStep;

[EventType("batch.packed.v1")]
public sealed record BatchPacked(Guid BatchId, StepInfo Step, int PackCount, Quantity PackSize, DateOnly? BestBefore) : IBatchStep;

[EventType("batch.stored.v1")]
public sealed record BatchStored(Guid BatchId, StepInfo Step, string? Conditions, decimal? TemperatureC) : IBatchStep;

[EventType("batch.shipped.v1")]
public sealed record BatchShipped(Guid BatchId, StepInfo Step, Guid ShipmentId, PartyRef To, Quantity Quantity, string? Transport) : IBatchStep;

public enum ReceiptCondition
{
    Good,
    Damaged,
    Partial,
}

[EventType("batch.receipt_confirmed.v1")]
public sealed record BatchReceiptConfirmed(Guid BatchId, StepInfo Step, Guid ShipmentId, Quantity Quantity, ReceiptCondition Condition) : IBatchStep;

public enum RecallSeverity
{
    Low,
    Medium,
    High,
}

/// <summary>A recall. <see cref="CauseBatchId"/> is set when it reached this batch from a recalled upstream batch.</summary>
[EventType("batch.recalled.v1")]
public sealed record BatchRecalled(Guid BatchId, StepInfo Step, string Reason, RecallSeverity Severity, Guid? CauseBatchId) : IBatchStep;

[EventType("batch.note_added.v1")]
public sealed record BatchNoteAdded(Guid BatchId, StepInfo Step) : IBatchStep;

/// <summary>A correction never edits: it references the corrected event and says what is right now, and why.</summary>
[EventType("batch.corrected.v1")]
public sealed record BatchCorrected(Guid BatchId, StepInfo Step, Guid CorrectedEventId, string Field, string CorrectValue, string Reason) : IBatchStep;

/// <summary>Part of this batch went into another batch (merge or split).</summary>
[EventType("batch.consumed.v1")]
public sealed record BatchConsumed(Guid BatchId, StepInfo Step, Guid IntoBatchId, Quantity Quantity) : IBatchStep;
