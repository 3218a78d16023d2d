using System.Text.Json;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Provenance;

/// <summary>
/// What a consumer's provenance page shows, per batch: what Circular 02/2024/TT-BKHCN asks for (product, producer
/// and address, production time, lot, expiry), origin, the timeline of steps (time, place, organisation — never a
/// person), inputs, recall status, custody, and the stream's integrity facts (event count, head hash). Certifications
/// are kept per cooperative, so the page can show those valid at production time.
/// </summary>
public sealed class ProvenanceProjection : IProjection
{
    public string Name => "provenance";

    public EventFilter Filter { get; } = EventFilter.ForCategories("batch", "cooperative", "publiccode");

    public IReadOnlyList<string> Tables { get; } = ["provenance_batches", "provenance_steps", "provenance_certifications"];

    public string CreateSchema => """
        CREATE TABLE IF NOT EXISTS provenance_batches (
            batch_id         TEXT PRIMARY KEY,
            cooperative_id   TEXT NOT NULL,
            gtin             TEXT,
            lot_number       TEXT NOT NULL,
            product          TEXT NOT NULL,
            producer         TEXT NOT NULL,
            produced_at      TEXT NOT NULL,
            best_before      TEXT,
            quantity         TEXT NOT NULL,
            origin           TEXT,
            inputs           TEXT NOT NULL,
            custodian        TEXT NOT NULL,
            pending_shipment TEXT,
            status           TEXT NOT NULL,
            recall           TEXT,
            event_count      BIGINT NOT NULL,
            last_revision    BIGINT NOT NULL,
            head_hash        TEXT NOT NULL,
            public_code      TEXT
        );
        CREATE INDEX IF NOT EXISTS provenance_by_gtin_lot ON provenance_batches (gtin, lot_number);
        CREATE UNIQUE INDEX IF NOT EXISTS provenance_by_public_code ON provenance_batches (public_code);
        CREATE TABLE IF NOT EXISTS provenance_steps (
            batch_id     TEXT NOT NULL,
            revision     BIGINT NOT NULL,
            event_type   TEXT NOT NULL,
            occurred_at  TEXT NOT NULL,
            place        TEXT,
            organisation TEXT,
            details      TEXT NOT NULL,
            PRIMARY KEY (batch_id, revision)
        );
        CREATE TABLE IF NOT EXISTS provenance_certifications (
            cooperative_id   TEXT NOT NULL,
            certification_id TEXT NOT NULL,
            scheme           TEXT NOT NULL,
            ocop_stars       BIGINT,
            number           TEXT NOT NULL,
            issuer           TEXT NOT NULL,
            valid_from       TEXT NOT NULL,
            valid_to         TEXT NOT NULL,
            revoked          BIGINT NOT NULL,
            PRIMARY KEY (cooperative_id, certification_id)
        );
        """;

    public async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        // The integrity facts change with every event of a batch but only the last one counts: write them once per
        // batch of events (a rebuild's batches hold thousands).
        var integrity = new Dictionary<string, (long Events, long Revision, string Hash)>(StringComparer.Ordinal);
        foreach (var (e, data) in batch.Events)
        {
            if (e.Category == "cooperative") await ApplyCooperativeAsync(batch, e, data, cancellationToken);
            else if (e.Type == "publiccode.assigned.v1")
                // Appended in the same commit as the batch's registration, right after it.
                await batch.ExecuteAsync("UPDATE provenance_batches SET public_code = @code WHERE batch_id = @id", cancellationToken,
                    ("@id", data.Text("batchId")), ("@code", data.Text("code")));
            else if (e.Category == "batch")
            {
                var batchId = await ApplyBatchAsync(batch, e, data, cancellationToken);
                var counted = integrity.GetValueOrDefault(batchId).Events;
                integrity[batchId] = (counted + 1, e.Revision, Convert.ToHexStringLower(e.Hash.Span));
            }
        }

        foreach (var (batchId, facts) in integrity)
            await batch.ExecuteAsync("""
                UPDATE provenance_batches SET event_count = event_count + @events, last_revision = @revision, head_hash = @hash WHERE batch_id = @id
                """, cancellationToken, ("@id", batchId), ("@events", facts.Events), ("@revision", facts.Revision), ("@hash", facts.Hash));
    }

    private static async Task<string> ApplyBatchAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, CancellationToken cancellationToken)
    {
        var batchId = data.Text("batchId")!;
        if (e.Type == "batch.registered.v1")
        {
            await batch.ExecuteAsync("""
                INSERT INTO provenance_batches (batch_id, cooperative_id, gtin, lot_number, product, producer, produced_at, best_before, quantity,
                    origin, inputs, custodian, pending_shipment, status, recall, event_count, last_revision, head_hash)
                VALUES (@id, @cooperative, @gtin, @lot, @product, @producer, @produced, @bestBefore, @quantity, @origin, @inputs, @custodian,
                    NULL, 'active', NULL, 0, -1, '')
                """, cancellationToken,
                ("@id", batchId), ("@cooperative", data.Get("producer")?.Text("cooperativeId")), ("@gtin", data.Get("product")?.Text("gtin")),
                ("@lot", data.Text("lotNumber")), ("@product", data.Raw("product")), ("@producer", data.Raw("producer")),
                ("@produced", data.Text("producedAt")), ("@bestBefore", data.Text("bestBefore")), ("@quantity", data.Raw("quantity")),
                ("@origin", data.Raw("origin")), ("@inputs", data.Raw("inputs") ?? "[]"), ("@custodian", data.Raw("custodian")));
        }
        else
        {
            var step = data.Get("step");
            await batch.ExecuteAsync("""
                INSERT INTO provenance_steps (batch_id, revision, event_type, occurred_at, place, organisation, details)
                VALUES (@id, @revision, @type, @occurred, @place, @organisation, @details)
                """, cancellationToken,
                ("@id", batchId), ("@revision", e.Revision), ("@type", e.Type), ("@occurred", step?.Text("occurredAt") ?? ""),
                ("@place", step?.Text("place")), ("@organisation", step?.Get("recordedBy")?.Text("name")), ("@details", e.Data.Length == 0 ? "{}" : data.GetRawText()));
            await ApplyStatusAsync(batch, e, data, batchId, cancellationToken);
        }

        return batchId;
    }

    /// <summary>Custody and recall as a consumer sees them: who holds the batch now, and whether it is recalled.</summary>
    private static Task ApplyStatusAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, string batchId, CancellationToken cancellationToken) =>
        e.Type switch
        {
            "batch.shipped.v1" => batch.ExecuteAsync("""
                UPDATE provenance_batches SET pending_shipment = @to,
                    status = CASE WHEN status = 'recalled' THEN status ELSE 'in_transit' END WHERE batch_id = @id
                """, cancellationToken, ("@id", batchId), ("@to", data.Raw("to"))),
            "batch.receipt_confirmed.v1" => batch.ExecuteAsync("""
                UPDATE provenance_batches SET custodian = coalesce(pending_shipment, custodian), pending_shipment = NULL,
                    status = CASE WHEN status = 'recalled' THEN status ELSE 'active' END WHERE batch_id = @id
                """, cancellationToken, ("@id", batchId)),
            "batch.recalled.v1" => batch.ExecuteAsync("UPDATE provenance_batches SET status = 'recalled', recall = @recall WHERE batch_id = @id",
                cancellationToken, ("@id", batchId), ("@recall", data.GetRawText())),
            _ => Task.CompletedTask,
        };

    private static Task ApplyCooperativeAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, CancellationToken cancellationToken) =>
        e.Type switch
        {
            "cooperative.certification_granted.v1" => batch.ExecuteAsync("""
                INSERT INTO provenance_certifications (cooperative_id, certification_id, scheme, ocop_stars, number, issuer, valid_from, valid_to, revoked)
                VALUES (@cooperative, @certification, @scheme, @stars, @number, @issuer, @from, @to, 0)
                """, cancellationToken,
                ("@cooperative", data.Text("cooperativeId")), ("@certification", data.Text("certificationId")), ("@scheme", data.Text("scheme")),
                ("@stars", data.Get("ocopStars")?.GetInt64()), ("@number", data.Text("number")), ("@issuer", data.Text("issuer")),
                ("@from", data.Text("validFrom")), ("@to", data.Text("validTo"))),
            "cooperative.certification_revoked.v1" => batch.ExecuteAsync("""
                UPDATE provenance_certifications SET revoked = 1 WHERE cooperative_id = @cooperative AND certification_id = @certification
                """, cancellationToken, ("@cooperative", data.Text("cooperativeId")), ("@certification", data.Text("certificationId"))),
            _ => Task.CompletedTask,
        };
}
