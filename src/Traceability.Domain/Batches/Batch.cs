using System.Collections.Immutable;
using Traceability.Domain.Shared;

namespace Traceability.Domain.Batches;

public enum BatchStatus
{
    None,
    Active,
    InTransit,
    Recalled,
}

/// <summary>Processing stages in the order the work happens; a batch never goes back to an earlier one.</summary>
public enum ProcessingStage
{
    Raw = 0,
    Washed = 1,
    Salted = 2,
    Dried = 3,
    Packed = 4,
}

public sealed record PendingShipment(Guid ShipmentId, PartyRef To, Quantity Quantity);

/// <summary>
/// A batch as its events describe it: what decisions need. <see cref="Outputs"/> are the batches made from it
/// (what a recall reaches); <see cref="Holders"/> every party that has had custody (who may audit it).
/// </summary>
public sealed record Batch(
    Guid Id,
    BatchStatus Status,
    Guid CooperativeId,
    Producer? Producer,
    Product? Product,
    Origin? Origin,
    DateOnly? BestBefore,
    string? LotNumber,
    Quantity OnHand,
    PartyRef? Custodian,
    PendingShipment? Shipment,
    ProcessingStage Stage,
    DateTimeOffset LastStepAt,
    decimal? DeclaredYield,
    ImmutableHashSet<Guid> RecordedEventIds,
    ImmutableList<Guid> Outputs,
    ImmutableHashSet<Guid> Holders)
{
    public static Batch Initial { get; } = new(Guid.Empty, BatchStatus.None, Guid.Empty, null, null, null, null, null, default, null, null,
        ProcessingStage.Raw, DateTimeOffset.MinValue, null, [], [], []);

    public bool Exists => Status != BatchStatus.None;

    /// <summary>Applies one event. <paramref name="eventId"/> is the stored event's id, kept so corrections can reference it.</summary>
    public static Batch Evolve(Batch state, IBatchEvent @event, Guid eventId = default)
    {
        var next = Apply(state, @event);
        if (@event is IBatchStep step && step is not BatchNoteAdded and not BatchCorrected && step.Step.OccurredAt > next.LastStepAt)
            next = next with { LastStepAt = step.Step.OccurredAt };
        return eventId == Guid.Empty ? next : next with { RecordedEventIds = next.RecordedEventIds.Add(eventId) };
    }

    private static Batch Apply(Batch state, IBatchEvent @event) => @event switch
    {
        BatchRegistered e => state with
        {
            Id = e.BatchId, Status = BatchStatus.Active, CooperativeId = e.Producer.CooperativeId, Producer = e.Producer, Product = e.Product,
            LotNumber = e.LotNumber, OnHand = e.Quantity, Custodian = e.Custodian, DeclaredYield = e.DeclaredYield,
            LastStepAt = e.ProducedAt, Holders = [e.Custodian.Id], Origin = e.Origin, BestBefore = e.BestBefore, Stage = e.InitialStage,
        },
        BatchReceived e => state with { OnHand = e.Quantity },
        BatchWashed => state with { Stage = Max(state.Stage, ProcessingStage.Washed) },
        BatchSalted => state with { Stage = Max(state.Stage, ProcessingStage.Salted) },
        BatchDried e => state with { Stage = Max(state.Stage, ProcessingStage.Dried), OnHand = e.Output ?? state.OnHand },
        BatchPacked e => state with { Stage = ProcessingStage.Packed, BestBefore = e.BestBefore ?? state.BestBefore },
        BatchShipped e => state with { Status = BatchStatus.InTransit, Shipment = new PendingShipment(e.ShipmentId, e.To, e.Quantity) },
        BatchReceiptConfirmed e => state with
        {
            Status = state.Status == BatchStatus.Recalled ? BatchStatus.Recalled : BatchStatus.Active,
            Custodian = state.Shipment?.To ?? state.Custodian, Shipment = null, OnHand = e.Quantity,
            Holders = state.Shipment is { } shipment ? state.Holders.Add(shipment.To.Id) : state.Holders,
        },
        BatchRecalled => state with { Status = BatchStatus.Recalled },
        BatchConsumed e => state with
        {
            OnHand = state.OnHand with { Amount = state.OnHand.Amount - (e.Quantity.In(state.OnHand.Unit) ?? 0m) },
            Outputs = state.Outputs.Add(e.IntoBatchId),
        },
        _ => state,
    };

    private static ProcessingStage Max(ProcessingStage a, ProcessingStage b) => a > b ? a : b;

    public static Batch Fold(IEnumerable<IBatchEvent> events) => events.Aggregate(Initial, (s, e) => Evolve(s, e));
}
