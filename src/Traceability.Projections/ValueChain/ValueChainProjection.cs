using System.Text.Json;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.ValueChain;

/// <summary>
/// The value chain: batch → batch edges (what went into what, with quantities: merges and splits) and party → party
/// custody edges (who shipped a batch to whom, and when the receiver confirmed). Indexed both ways, so lineage
/// up and down is a recursive query.
/// </summary>
public sealed class ValueChainProjection : IProjection
{
    public string Name => "value_chain";

    public EventFilter Filter { get; } = EventFilter.ForEventTypes("batch.registered.v1", "batch.shipped.v1", "batch.receipt_confirmed.v1");

    public IReadOnlyList<string> Tables { get; } = ["value_chain_batch_edges", "value_chain_custody"];

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
        """;

    public async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var e in batch.Events)
        {
            using var document = JsonDocument.Parse(e.Data);
            var data = document.RootElement;
            var batchId = data.Text("batchId");
            switch (e.Type)
            {
                case "batch.registered.v1":
                    if (data.Get("inputs") is not { } inputs) break;
                    foreach (var input in inputs.EnumerateArray())
                        await batch.ExecuteAsync("""
                            INSERT INTO value_chain_batch_edges (from_batch, to_batch, amount, unit) VALUES (@from, @to, @amount, @unit)
                            """, cancellationToken, ("@from", input.Text("batchId")), ("@to", batchId),
                            ("@amount", input.Get("quantityUsed")?.Text("amount")), ("@unit", input.Get("quantityUsed")?.Text("unit")));
                    break;
                case "batch.shipped.v1":
                    await batch.ExecuteAsync("""
                        INSERT INTO value_chain_custody (batch_id, shipment_id, from_party, to_party, to_kind, amount, unit, shipped_at, received_at)
                        VALUES (@batch, @shipment, @from, @to, @kind, @amount, @unit, @shipped, NULL)
                        """, cancellationToken, ("@batch", batchId), ("@shipment", data.Text("shipmentId")),
                        ("@from", data.Get("step")?.Get("recordedBy")?.Text("id")), ("@to", data.Get("to")?.Text("id")),
                        ("@kind", data.Get("to")?.Text("kind")), ("@amount", data.Get("quantity")?.Text("amount")),
                        ("@unit", data.Get("quantity")?.Text("unit")), ("@shipped", data.Get("step")?.Text("occurredAt")));
                    break;
                case "batch.receipt_confirmed.v1":
                    await batch.ExecuteAsync("""
                        UPDATE value_chain_custody SET received_at = @received WHERE batch_id = @batch AND shipment_id = @shipment
                        """, cancellationToken, ("@batch", batchId), ("@shipment", data.Text("shipmentId")),
                        ("@received", data.Get("step")?.Text("occurredAt")));
                    break;
            }
        }
    }
}
