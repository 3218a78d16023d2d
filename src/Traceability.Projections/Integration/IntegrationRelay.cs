using System.Globalization;
using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Traceability.Contracts;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Integration;

/// <summary>Where the relay stands.</summary>
public sealed record IntegrationRelayStatus(GlobalPosition Checkpoint, long Published, string State, string? LastError);

/// <summary>
/// Publishes an integration message (<see cref="Traceability.Contracts"/>) for each relevant batch event of <c>$all</c>,
/// in event order, with the bus message id set to the event id. Like a projection it is a catch-up subscription with
/// its own checkpoint (<c>projection_checkpoints</c>, name <see cref="CheckpointName"/>) in the read-model database; unlike
/// one, its effect is outside that database, so it is at-least-once: it publishes a batch of messages (each awaited
/// until the transport has it: RabbitMQ confirms it) and only then commits the checkpoint. A crash or a broker outage
/// between the two re-publishes the same messages with the same ids, and consumers deduplicate by id.
/// Run one relay per deployment (embedded in the Api by default, <c>Messaging:Relay:RunInProcess</c>).
/// </summary>
public sealed class IntegrationRelay(IEventStore store, ReadModelDatabase database, IPublishEndpoint publisher, ILogger<IntegrationRelay> logger)
    : BackgroundService
{
    public const string CheckpointName = "integration_relay";

    /// <summary>Events published between two checkpoint commits, at most.</summary>
    public const int MaxBatch = 200;

    private static readonly TimeSpan PublishTimeout = TimeSpan.FromSeconds(30);

    private volatile IntegrationRelayStatus _status = new(GlobalPosition.Start, 0, "starting", null);

    public static EventFilter Filter { get; } = EventFilter.ForCategories("batch", "publiccode");

    public IntegrationRelayStatus Status => _status;

    /// <summary>Waits until the relay's checkpoint has passed every batch event up to <paramref name="position"/>.</summary>
    public Task WaitForAsync(GlobalPosition position, CancellationToken cancellationToken) =>
        CatchUpLoop.WaitForAsync(store, position, () => [(_status.Checkpoint, Filter)], cancellationToken);

    protected override async Task ExecuteAsync(CancellationToken stop)
    {
        var (checkpoint, published) = await database.LoadCheckpointAsync(CheckpointName, stop);
        _status = new IntegrationRelayStatus(checkpoint, published, "catching up", null);
        await CatchUpLoop.RunAsync(store, Filter, checkpoint, MaxBatch, async (batch, more, ct) =>
        {
            // Publish first, in order, each one awaited; commit after. Never the other way round.
            var count = 0;
            foreach (var e in batch)
            {
                if (await TranslateAsync(store, e, ct) is not { } message) continue;
                await PublishAsync(message, e.EventId, ct);
                count++;
            }

            await CommitCheckpointAsync(batch[^1].Position, published + count, ct);
            published += count;
            _status = new IntegrationRelayStatus(batch[^1].Position, published, more ? "catching up" : "live", null);
        }, (error, from) =>
        {
            // Nothing after the checkpoint counts as done: resume from it (re-publishing what was published since).
            logger.LogWarning(error, "Integration relay failed after {Checkpoint}; retrying", from);
            _status = new IntegrationRelayStatus(from, published, "failing", error.Message);
        }, stop);
    }

    private async Task PublishAsync(object message, Guid messageId, CancellationToken stop)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stop);
        timeout.CancelAfter(PublishTimeout);
        var pipe = Pipe.Execute<PublishContext>(context => context.MessageId = messageId);
        try
        {
            await publisher.Publish(message, message.GetType(), pipe, timeout.Token);
        }
        catch (OperationCanceledException) when (!stop.IsCancellationRequested)
        {
            throw new TimeoutException($"Publishing {message.GetType().Name} {messageId} took longer than {PublishTimeout}.");
        }
    }

    private Task CommitCheckpointAsync(GlobalPosition last, long published, CancellationToken cancellationToken) =>
        database.WriteAsync((connection, transaction) => database.SaveCheckpointAsync(connection, transaction, CheckpointName, last, published,
            cancellationToken), cancellationToken);

    /// <summary>
    /// The integration message for a stored batch event, read from its stored JSON (the stored schema is the contract);
    /// null for events that are not published. A recall also needs who holds the batch: folded from the stream up to it.
    /// </summary>
    public static async Task<object?> TranslateAsync(IEventStore store, RecordedEvent e, CancellationToken cancellationToken)
    {
        if (e.Type == "publiccode.assigned.v1")
        {
            using var assigned = JsonDocument.Parse(e.Data);
            var a = assigned.RootElement;
            return Guid.TryParse(a.Text("batchId"), out var codedBatch) && a.Text("code") is { } code
                ? new BatchPublicCodeAssignedIntegration(e.EventId, codedBatch, code, a.Text("gtin"), a.Text("lotNumber") ?? "", e.Recorded)
                : null;
        }

        if (e.Category != "batch" || !e.Type.StartsWith("batch.", StringComparison.Ordinal)) return null;
        using var document = JsonDocument.Parse(e.Data);
        var data = document.RootElement;
        if (data.Text("batchId") is not { } batchText || !Guid.TryParse(batchText, out var batchId)) return null;
        var step = data.Get("step");
        var occurredAt = Time(step?.Text("occurredAt"));
        switch (e.Type)
        {
            case "batch.registered.v1":
                var product = data.Get("product");
                var producer = data.Get("producer");
                return new BatchRegisteredIntegration(e.EventId, batchId, e.Revision, e.Type, e.Recorded,
                    GuidOf(producer?.Text("cooperativeId")),
                    producer?.Text("name") ?? "", product?.Text("nameVi") ?? "", product?.Text("nameEn"), product?.Text("category") ?? "",
                    product?.Text("gtin"), data.Text("lotNumber") ?? "", QuantityOf(data.Get("quantity")), Time(data.Text("producedAt")),
                    DateOnly.TryParse(data.Text("bestBefore"), CultureInfo.InvariantCulture, out var bestBefore) ? bestBefore : null,
                    data.Get("inputs") is { ValueKind: JsonValueKind.Array } inputs
                        ? inputs.EnumerateArray().Select(i => GuidOf(i.Text("batchId"))).Where(id => id != Guid.Empty).ToList()
                        : [],
                    PartyOf(data.Get("custodian")));
            case "batch.shipped.v1":
                return new BatchShippedIntegration(e.EventId, batchId, e.Revision, e.Type, e.Recorded, GuidOf(data.Text("shipmentId")), occurredAt,
                    PartyOf(step?.Get("recordedBy")), PartyOf(data.Get("to")), QuantityOf(data.Get("quantity")));
            case "batch.receipt_confirmed.v1":
                return new BatchReceiptConfirmedIntegration(e.EventId, batchId, e.Revision, e.Type, e.Recorded, GuidOf(data.Text("shipmentId")), occurredAt,
                    PartyOf(step?.Get("recordedBy")), QuantityOf(data.Get("quantity")), data.Text("condition"));
            case "batch.recalled.v1":
                var holder = await HolderBeforeAsync(store, e, cancellationToken);
                return new BatchRecalledIntegration(e.EventId, batchId, e.Revision, e.Type, e.Recorded, occurredAt, data.Text("reason") ?? "",
                    data.Text("severity") ?? "", Guid.TryParse(data.Text("causeBatchId"), out var cause) ? cause : null, PartyOf(step?.Get("recordedBy")),
                    holder.Custodian, holder.InTransitTo, holder.LotNumber, holder.ProductNameVi, holder.Gtin);
            default:
                // Every other batch event is a step: batch.washed.v1 → "washed".
                var name = e.Type["batch.".Length..];
                var version = name.LastIndexOf(".v", StringComparison.Ordinal);
                return new BatchStepRecordedIntegration(e.EventId, batchId, e.Revision, e.Type, e.Recorded, version > 0 ? name[..version] : name, occurredAt,
                    step?.Text("place"), PartyOf(step?.Get("recordedBy")));
        }
    }

    private sealed record Holder(PartyInfo? Custodian, PartyInfo? InTransitTo, string? LotNumber, string? ProductNameVi, string? Gtin);

    /// <summary>Custody just before <paramref name="recall"/>: the registration's custodian, moved by each confirmed shipment.</summary>
    private static async Task<Holder> HolderBeforeAsync(IEventStore store, RecordedEvent recall, CancellationToken cancellationToken)
    {
        var holder = new Holder(null, null, null, null, null);
        await foreach (var e in store.ReadStreamAsync(recall.Stream, ReadDirection.Forward, 0, recall.Revision, cancellationToken))
        {
            using var document = JsonDocument.Parse(e.Data);
            var data = document.RootElement;
            holder = e.Type switch
            {
                "batch.registered.v1" => new Holder(PartyOf(data.Get("custodian")), null, data.Text("lotNumber"),
                    data.Get("product")?.Text("nameVi"), data.Get("product")?.Text("gtin")),
                "batch.shipped.v1" => holder with { InTransitTo = PartyOf(data.Get("to")) },
                "batch.receipt_confirmed.v1" => holder with { Custodian = holder.InTransitTo ?? holder.Custodian, InTransitTo = null },
                _ => holder,
            };
        }

        return holder;
    }

    private static PartyInfo? PartyOf(JsonElement? party) =>
        party is { } p && Guid.TryParse(p.Text("id"), out var id) ? new PartyInfo(p.Text("kind") ?? "", id, p.Text("name") ?? "") : null;

    private static QuantityInfo? QuantityOf(JsonElement? quantity) =>
        quantity is { } q && decimal.TryParse(q.Text("amount"), NumberStyles.Number, CultureInfo.InvariantCulture, out var amount)
            ? new QuantityInfo(amount, q.Text("unit") ?? "")
            : null;

    private static Guid GuidOf(string? text) => Guid.TryParse(text, out var id) ? id : Guid.Empty;

    private static DateTimeOffset? Time(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) ? time : null;
}
