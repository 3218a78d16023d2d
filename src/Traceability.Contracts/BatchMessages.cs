namespace Traceability.Contracts;

// Integration messages published by the integration relay, one per relevant domain event, in event order.
// They carry ids and public facts only (never personal data, never the domain's own event types), so the domain
// can change its events without breaking a consumer. The bus message id of each one IS the domain event's id
// (EventId below): a consumer deduplicates redeliveries and relay re-publications by it.
// Never move these types out of this namespace or rename them: the namespace and name are the message's identity
// on the bus (urn:message:Traceability.Contracts:BatchRecalledIntegration). Evolve by adding optional members or a new type.

/// <summary>
/// Anything that changed a batch's provenance record. Every batch message below implements it, so a consumer that
/// only needs "batch X changed" (a cache) subscribes to this one type.
/// </summary>
public interface BatchProvenanceChanged
{
    /// <summary>The domain event's id; also the bus message id.</summary>
    Guid EventId { get; }

    Guid BatchId { get; }

    /// <summary>The batch stream's revision after this event (0 for the registration).</summary>
    long Revision { get; }

    /// <summary>The stored event type it comes from, e.g. <c>batch.recalled.v1</c>.</summary>
    string EventType { get; }

    /// <summary>When it was recorded in the event store.</summary>
    DateTimeOffset RecordedAt { get; }
}

/// <summary>An organisation as published: kind is <c>cooperative</c> or <c>buyer</c>.</summary>
public sealed record PartyInfo(string Kind, Guid Id, string Name);

/// <summary>An amount and its unit as stored (e.g. <c>kg</c>), amount with its exact decimal value.</summary>
public sealed record QuantityInfo(decimal Amount, string Unit);

/// <summary>A batch (lô hàng) was registered by a cooperative.</summary>
public sealed record BatchRegisteredIntegration(
    Guid EventId,
    Guid BatchId,
    long Revision,
    string EventType,
    DateTimeOffset RecordedAt,
    Guid CooperativeId,
    string ProducerName,
    string ProductNameVi,
    string? ProductNameEn,
    string ProductCategory,
    string? Gtin,
    string LotNumber,
    QuantityInfo? Quantity,
    DateTimeOffset? ProducedAt,
    DateOnly? BestBefore,
    IReadOnlyList<Guid> InputBatchIds,
    PartyInfo? Custodian) : BatchProvenanceChanged;

/// <summary>
/// A production or bookkeeping step was recorded on a batch: <c>received</c>, <c>washed</c>, <c>salted</c>, <c>dried</c>,
/// <c>inspected</c>, <c>packed</c>, <c>stored</c>, <c>note_added</c>, <c>corrected</c>, <c>consumed</c>… (the stored
/// event type's middle part). Shipments, receipts and recalls have their own messages.
/// </summary>
public sealed record BatchStepRecordedIntegration(
    Guid EventId,
    Guid BatchId,
    long Revision,
    string EventType,
    DateTimeOffset RecordedAt,
    string Step,
    DateTimeOffset? OccurredAt,
    string? Place,
    PartyInfo? RecordedBy) : BatchProvenanceChanged;

/// <summary>The custodian shipped the whole batch to another party; custody moves when the receiver confirms.</summary>
public sealed record BatchShippedIntegration(
    Guid EventId,
    Guid BatchId,
    long Revision,
    string EventType,
    DateTimeOffset RecordedAt,
    Guid ShipmentId,
    DateTimeOffset? OccurredAt,
    PartyInfo? From,
    PartyInfo? To,
    QuantityInfo? Quantity) : BatchProvenanceChanged;

/// <summary>The receiving party confirmed a shipment: it is now the batch's custodian.</summary>
public sealed record BatchReceiptConfirmedIntegration(
    Guid EventId,
    Guid BatchId,
    long Revision,
    string EventType,
    DateTimeOffset RecordedAt,
    Guid ShipmentId,
    DateTimeOffset? OccurredAt,
    PartyInfo? ReceivedBy,
    QuantityInfo? Quantity,
    string? Condition) : BatchProvenanceChanged;

/// <summary>
/// A batch was recalled (thu hồi): the batch itself, or a batch made from a recalled one (<see cref="CauseBatchId"/> set).
/// <see cref="Custodian"/> holds it at the time of the recall; <see cref="InTransitTo"/> is the receiver of a shipment
/// not yet confirmed. Both are who must act on it.
/// </summary>
public sealed record BatchRecalledIntegration(
    Guid EventId,
    Guid BatchId,
    long Revision,
    string EventType,
    DateTimeOffset RecordedAt,
    DateTimeOffset? OccurredAt,
    string Reason,
    string Severity,
    Guid? CauseBatchId,
    PartyInfo? RecalledBy,
    PartyInfo? Custodian,
    PartyInfo? InTransitTo,
    string? LotNumber,
    string? ProductNameVi,
    string? Gtin) : BatchProvenanceChanged;

/// <summary>
/// A new batch got its public code (printed under its QR code): its label can be rendered. The QR code opens
/// <c>https://{host}/01/{Gtin}/10/{LotNumber}</c> (GS1 Digital Link) when the batch has a GTIN, else <c>https://{host}/p/{PublicCode}</c>.
/// </summary>
public sealed record BatchPublicCodeAssignedIntegration(
    Guid EventId,
    Guid BatchId,
    string PublicCode,
    string? Gtin,
    string LotNumber,
    DateTimeOffset RecordedAt);
