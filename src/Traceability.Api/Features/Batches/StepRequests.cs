using Traceability.Domain.Batches;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Batches;

// What every step request carries: when it happened (the phone's time, checked against the server's), where,
// and an optional note. Names of individual people never go in a note: they are personal data.

public sealed record ReceivingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, Quantity Quantity, string? SupplierRef);

public sealed record WashingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, string? Method);

public sealed record SaltingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, decimal SaltPercent, decimal DurationHours);

public sealed record DryingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, DryingMethod Method, DateTimeOffset StartedAt,
    DateTimeOffset EndedAt, decimal? FinalMoisturePercent, Quantity? Output);

public sealed record InspectionRequest(DateTimeOffset OccurredAt, string? Place, string? Note, string Inspector, InspectionResult Result,
    IReadOnlyList<Measurement>? Measurements, string? DocumentRef);

public sealed record PackingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, int PackCount, Quantity PackSize, DateOnly? BestBefore);

public sealed record StorageRequest(DateTimeOffset OccurredAt, string? Place, string? Note, string? Conditions, decimal? TemperatureC);

public sealed record ShippingRequest(DateTimeOffset OccurredAt, string? Place, string? Note, PartyKind ToKind, Guid ToPartyId, Quantity Quantity,
    string? Transport);

public sealed record ReceiptRequest(DateTimeOffset OccurredAt, string? Place, string? Note, Guid ShipmentId, Quantity Quantity, ReceiptCondition Condition);

public sealed record NoteRequest(DateTimeOffset OccurredAt, string Note);

public sealed record CorrectionRequest(DateTimeOffset OccurredAt, Guid CorrectedEventId, string Field, string CorrectValue, string Reason);
