using System.Globalization;
using System.Text.Json;
using Traceability.Domain.Shared;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.ValueChain;

/// <summary>
/// The value chain: batch → batch edges (what went into what, with quantities: merges and splits), party → party
/// custody edges (who shipped a batch to whom, and when the receiver confirmed), and per batch what mass balance and a
/// recall need (lot, category, declared yield, registered / weighed / dried quantities, what was consumed, the current
/// custodian, recalled or not). Edges are indexed both ways, so lineage up and down is a recursive query.
/// </summary>
public sealed class ValueChainProjection : IProjection
{
    public string Name => "value_chain";

    public EventFilter Filter { get; } = EventFilter.ForEventTypes("batch.registered.v1", "batch.received.v1", "batch.dried.v1", "batch.consumed.v1",
        "batch.shipped.v1", "batch.receipt_confirmed.v1", "batch.recalled.v1");

    public IReadOnlyList<string> Tables { get; } = ["value_chain_batch_edges", "value_chain_custody", "value_chain_batches"];

    public string CreateSchema => """
        CREATE TABLE IF NOT EXISTS value_chain_batch_edges (
            from_batch TEXT NOT NULL,
            to_batch   TEXT NOT NULL,
            amount     TEXT NOT NULL,
            unit       TEXT NOT NULL,
            PRIMARY KEY (from_batch, to_batch)
        );
        CREATE INDEX IF NOT EXISTS value_chain_upstream ON value_chain_batch_edges (to_batch, from_batch);
        CREATE TABLE IF NOT EXISTS value_chain_custody (
            batch_id     TEXT NOT NULL,
            shipment_id  TEXT NOT NULL,
            from_party   TEXT NOT NULL,
            to_party     TEXT NOT NULL,
            to_kind      TEXT NOT NULL,
            amount       TEXT NOT NULL,
            unit         TEXT NOT NULL,
            shipped_at   TEXT NOT NULL,
            received_at  TEXT,
            PRIMARY KEY (batch_id, shipment_id)
        );
        CREATE INDEX IF NOT EXISTS value_chain_custody_by_receiver ON value_chain_custody (to_party);
        CREATE TABLE IF NOT EXISTS value_chain_batches (
            batch_id          TEXT PRIMARY KEY,
            cooperative_id    TEXT NOT NULL,
            lot_number        TEXT NOT NULL,
            category          TEXT,
            declared_yield    TEXT,
            registered_amount TEXT NOT NULL,
            unit              TEXT NOT NULL,
            received_amount   TEXT,
            received_unit     TEXT,
            output_amount     TEXT,
            output_unit       TEXT,
            consumed_amount   TEXT NOT NULL,
            custodian_party   TEXT NOT NULL,
            custodian_kind    TEXT NOT NULL,
            custodian_name    TEXT,
            pending_party     TEXT,
            pending_kind      TEXT,
            pending_name      TEXT,
            recalled          BIGINT NOT NULL
        );
        """;

    public async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var (e, data) in batch.Events)
        {
            var batchId = data.Text("batchId");
            switch (e.Type)
            {
                case "batch.registered.v1":
                    await batch.ExecuteAsync("""
                        INSERT INTO value_chain_batches (batch_id, cooperative_id, lot_number, category, declared_yield, registered_amount, unit,
                            received_amount, received_unit, output_amount, output_unit, consumed_amount, custodian_party, custodian_kind, custodian_name,
                            pending_party, pending_kind, pending_name, recalled)
                        VALUES (@id, @cooperative, @lot, @category, @yield, @amount, @unit, NULL, NULL, NULL, NULL, '0', @custodian, @kind, @name,
                            NULL, NULL, NULL, 0)
                        """, cancellationToken, ("@id", batchId), ("@cooperative", data.Get("producer")?.Text("cooperativeId")),
                        ("@lot", data.Text("lotNumber")), ("@category", data.Get("product")?.Text("category")), ("@yield", data.Text("declaredYield")),
                        ("@amount", data.Get("quantity")?.Text("amount")), ("@unit", data.Get("quantity")?.Text("unit")),
                        ("@custodian", data.Get("custodian")?.Text("id")), ("@kind", data.Get("custodian")?.Text("kind")),
                        ("@name", data.Get("custodian")?.Text("name")));
                    if (data.Get("inputs") is not { } inputs) break;
                    foreach (var input in inputs.EnumerateArray())
                        await batch.ExecuteAsync("""
                            INSERT INTO value_chain_batch_edges (from_batch, to_batch, amount, unit) VALUES (@from, @to, @amount, @unit)
                            """, cancellationToken, ("@from", input.Text("batchId")), ("@to", batchId),
                            ("@amount", input.Get("quantityUsed")?.Text("amount")), ("@unit", input.Get("quantityUsed")?.Text("unit")));
                    break;
                case "batch.received.v1":
                    // The weighed quantity replaces what was declared at registration.
                    await batch.ExecuteAsync("UPDATE value_chain_batches SET received_amount = @amount, received_unit = @unit WHERE batch_id = @id",
                        cancellationToken, ("@id", batchId), ("@amount", data.Get("quantity")?.Text("amount")), ("@unit", data.Get("quantity")?.Text("unit")));
                    break;
                case "batch.dried.v1":
                    // The latest drying with a weighed output is what the batch produced.
                    if (data.Get("output") is not { } output) break;
                    await batch.ExecuteAsync("UPDATE value_chain_batches SET output_amount = @amount, output_unit = @unit WHERE batch_id = @id",
                        cancellationToken, ("@id", batchId), ("@amount", output.Text("amount")), ("@unit", output.Text("unit")));
                    break;
                case "batch.consumed.v1":
                    await ApplyConsumedAsync(batch, batchId, data, cancellationToken);
                    break;
                case "batch.shipped.v1":
                    await batch.ExecuteAsync("""
                        INSERT INTO value_chain_custody (batch_id, shipment_id, from_party, to_party, to_kind, amount, unit, shipped_at, received_at)
                        VALUES (@batch, @shipment, @from, @to, @kind, @amount, @unit, @shipped, NULL)
                        """, cancellationToken, ("@batch", batchId), ("@shipment", data.Text("shipmentId")),
                        ("@from", data.Get("step")?.Get("recordedBy")?.Text("id")), ("@to", data.Get("to")?.Text("id")),
                        ("@kind", data.Get("to")?.Text("kind")), ("@amount", data.Get("quantity")?.Text("amount")),
                        ("@unit", data.Get("quantity")?.Text("unit")), ("@shipped", data.Get("step")?.Text("occurredAt")));
                    await batch.ExecuteAsync("UPDATE value_chain_batches SET pending_party = @to, pending_kind = @kind, pending_name = @name WHERE batch_id = @id",
                        cancellationToken, ("@id", batchId), ("@to", data.Get("to")?.Text("id")), ("@kind", data.Get("to")?.Text("kind")),
                        ("@name", data.Get("to")?.Text("name")));
                    break;
                case "batch.receipt_confirmed.v1":
                    await batch.ExecuteAsync("""
                        UPDATE value_chain_custody SET received_at = @received WHERE batch_id = @batch AND shipment_id = @shipment
                        """, cancellationToken, ("@batch", batchId), ("@shipment", data.Text("shipmentId")),
                        ("@received", data.Get("step")?.Text("occurredAt")));
                    // Custody moves to whom the shipment went (the receipt names no party: the shipment does).
                    await batch.ExecuteAsync("""
                        UPDATE value_chain_batches SET
                            custodian_party = coalesce(pending_party, custodian_party),
                            custodian_kind = coalesce(pending_kind, custodian_kind),
                            custodian_name = CASE WHEN pending_party IS NULL THEN custodian_name ELSE pending_name END,
                            pending_party = NULL, pending_kind = NULL, pending_name = NULL
                        WHERE batch_id = @id
                        """, cancellationToken, ("@id", batchId));
                    break;
                case "batch.recalled.v1":
                    await batch.ExecuteAsync("UPDATE value_chain_batches SET recalled = 1 WHERE batch_id = @id", cancellationToken, ("@id", batchId));
                    break;
            }
        }
    }

    /// <summary>Keeps the running total consumed into other batches, in the batch's registered unit (exact decimal text).</summary>
    private static async Task ApplyConsumedAsync(ProjectionBatch batch, string? batchId, JsonElement data, CancellationToken cancellationToken)
    {
        var row = await batch.ScalarAsync("SELECT consumed_amount || '|' || unit FROM value_chain_batches WHERE batch_id = @id", cancellationToken,
            ("@id", batchId));
        if (row is not string text || text.Split('|') is not [var consumedText, var unitText]) return;
        var quantity = ValueChainQuantities.Parse(data.Get("quantity")?.Text("amount"), data.Get("quantity")?.Text("unit"));
        if (quantity is null || ValueChainQuantities.ParseUnit(unitText) is not { } unit || quantity.Value.In(unit) is not { } used) return;
        var consumed = decimal.Parse(consumedText, NumberStyles.Number, CultureInfo.InvariantCulture) + used;
        await batch.ExecuteAsync("UPDATE value_chain_batches SET consumed_amount = @consumed WHERE batch_id = @id", cancellationToken,
            ("@id", batchId), ("@consumed", ValueChainQuantities.Format(consumed)));
    }
}

/// <summary>Quantities as the stored events write them: exact decimal text and a snake_case unit.</summary>
public static class ValueChainQuantities
{
    public static QuantityUnit? ParseUnit(string? unit) => unit switch
    {
        "kg" => QuantityUnit.Kg,
        "g" => QuantityUnit.G,
        "t" => QuantityUnit.T,
        "piece" => QuantityUnit.Piece,
        "pack" => QuantityUnit.Pack,
        _ => null,
    };

    public static string UnitText(QuantityUnit unit) => unit.ToString().ToLowerInvariant();

    public static decimal? ParseAmount(string? amount) =>
        decimal.TryParse(amount, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    public static Quantity? Parse(string? amount, string? unit) =>
        ParseAmount(amount) is { } value && ParseUnit(unit) is { } u ? new Quantity(value, u) : null;

    /// <summary>Canonical decimal text (no trailing zeros), so the same total always reads the same.</summary>
    public static string Format(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
