using System.Text.Json;
using Traceability.EventStore;
using Traceability.Projections.Catalogue;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Report;

/// <summary>
/// The facts behind the alliance report (báo cáo Liên minh Hợp tác xã), each bucketed by its business time in
/// Vietnam's time zone (UTC+7) into a calendar month (<c>yyyy-MM</c>): half-years and years are unions of months, so
/// every period is answered from the same facts (see <see cref="AllianceReport"/>). Facts are kept per cooperative,
/// not pre-aggregated per commune/ward, so a report groups them by the address the cooperative declared as of the
/// period's end, and distinct counts stay exact.
/// <list type="bullet">
/// <item>a cooperative's registration (<c>registeredAt</c>) and every profile it declared (<c>registeredAt</c>/<c>updatedAt</c>: address, workers);</item>
/// <item>activity: a cooperative registered a batch (<c>registeredAt</c>) or recorded a step (<c>step.occurredAt</c>, <c>step.recordedBy</c>);</item>
/// <item>batches registered (<c>registeredAt</c>, merges and splits included) with their product, attributed to the producer;</item>
/// <item>value-chain links: a buyer confirmed receipt (<c>step.occurredAt</c>) of a shipment a cooperative sent it;</item>
/// <item>recalls of a cooperative's batches (<c>step.occurredAt</c>; one per batch, propagated recalls included).</item>
/// </list>
/// </summary>
public sealed class AllianceReportProjection : IProjection
{
    public string Name => "alliance_report";

    public EventFilter Filter { get; } = EventFilter.ForCategories("batch", "cooperative");

    public IReadOnlyList<string> Tables { get; } =
    [
        "alliance_cooperatives", "alliance_profiles", "alliance_activity", "alliance_batches", "alliance_shipments", "alliance_links",
        "alliance_recalls",
    ];

    public string CreateSchema => """
        CREATE TABLE IF NOT EXISTS alliance_cooperatives (
            cooperative_id   TEXT PRIMARY KEY,
            registered_at    TEXT NOT NULL,
            registered_month TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS alliance_profiles (
            cooperative_id     TEXT NOT NULL,
            revision           BIGINT NOT NULL,
            declared_month     TEXT NOT NULL,
            commune_ward       TEXT NOT NULL,
            commune_ward_code  TEXT NOT NULL,
            province_city      TEXT NOT NULL,
            province_city_code TEXT NOT NULL,
            legacy_district    TEXT,
            worker_count       BIGINT NOT NULL,
            PRIMARY KEY (cooperative_id, revision)
        );
        CREATE TABLE IF NOT EXISTS alliance_activity (
            cooperative_id TEXT NOT NULL,
            month          TEXT NOT NULL,
            PRIMARY KEY (cooperative_id, month)
        );
        CREATE INDEX IF NOT EXISTS alliance_activity_by_month ON alliance_activity (month);
        CREATE TABLE IF NOT EXISTS alliance_batches (
            batch_id       TEXT PRIMARY KEY,
            cooperative_id TEXT NOT NULL,
            product_key    TEXT NOT NULL,
            month          TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alliance_batches_by_month ON alliance_batches (month);
        CREATE TABLE IF NOT EXISTS alliance_shipments (
            batch_id       TEXT NOT NULL,
            shipment_id    TEXT NOT NULL,
            cooperative_id TEXT NOT NULL,
            buyer_id       TEXT NOT NULL,
            PRIMARY KEY (batch_id, shipment_id)
        );
        CREATE TABLE IF NOT EXISTS alliance_links (
            cooperative_id TEXT NOT NULL,
            buyer_id       TEXT NOT NULL,
            month          TEXT NOT NULL,
            PRIMARY KEY (cooperative_id, buyer_id, month)
        );
        CREATE INDEX IF NOT EXISTS alliance_links_by_month ON alliance_links (month);
        CREATE TABLE IF NOT EXISTS alliance_recalls (
            batch_id       TEXT PRIMARY KEY,
            cooperative_id TEXT NOT NULL,
            month          TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alliance_recalls_by_month ON alliance_recalls (month);
        """;

    public async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var (e, data) in batch.Events)
        {
            if (e.Category == "cooperative") await ApplyCooperativeAsync(batch, e, data, cancellationToken);
            else if (e.Category == "batch") await ApplyBatchAsync(batch, e, data, cancellationToken);
        }
    }

    private static async Task ApplyCooperativeAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, CancellationToken cancellationToken)
    {
        var at = e.Type switch
        {
            "cooperative.registered.v1" => data.Text("registeredAt"),
            "cooperative.profile_updated.v1" => data.Text("updatedAt"),
            _ => null,
        };
        if (at is null || VietnamTime.MonthOf(at) is not { } month) return;
        var id = data.Text("cooperativeId");
        if (e.Type == "cooperative.registered.v1")
            await batch.ExecuteAsync("""
                INSERT INTO alliance_cooperatives (cooperative_id, registered_at, registered_month) VALUES (@id, @at, @month)
                ON CONFLICT (cooperative_id) DO NOTHING
                """, cancellationToken, ("@id", id), ("@at", at), ("@month", month));

        var profile = data.Get("profile");
        var address = profile?.Get("address");
        await batch.ExecuteAsync("""
            INSERT INTO alliance_profiles (cooperative_id, revision, declared_month, commune_ward, commune_ward_code, province_city, province_city_code,
                legacy_district, worker_count)
            VALUES (@id, @revision, @month, @commune, @communeCode, @province, @provinceCode, @legacy, @workers)
            ON CONFLICT (cooperative_id, revision) DO NOTHING
            """, cancellationToken,
            ("@id", id), ("@revision", e.Revision), ("@month", month), ("@commune", address?.Text("communeWard") ?? ""),
            ("@communeCode", address?.Text("communeWardCode") ?? ""), ("@province", address?.Text("provinceCity") ?? ""),
            ("@provinceCode", address?.Text("provinceCityCode") ?? ""), ("@legacy", address?.Text("legacyDistrict")),
            ("@workers", profile?.Get("workerCount")?.GetInt64() ?? 0L));
    }

    private static async Task ApplyBatchAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, CancellationToken cancellationToken)
    {
        var batchId = data.Text("batchId");
        if (e.Type == "batch.registered.v1")
        {
            if (VietnamTime.MonthOf(data.Text("registeredAt")) is not { } registered) return;
            await batch.ExecuteAsync("""
                INSERT INTO alliance_batches (batch_id, cooperative_id, product_key, month) VALUES (@id, @cooperative, @product, @month)
                ON CONFLICT (batch_id) DO NOTHING
                """, cancellationToken, ("@id", batchId), ("@cooperative", data.Get("producer")?.Text("cooperativeId")),
                ("@product", CatalogueProjection.ProductKey(data.Get("product"))), ("@month", registered));
            await ActivityAsync(batch, data.Get("custodian"), registered, cancellationToken);
            return;
        }

        var step = data.Get("step");
        if (VietnamTime.MonthOf(step?.Text("occurredAt")) is not { } month) return;
        var recordedBy = step?.Get("recordedBy");
        await ActivityAsync(batch, recordedBy, month, cancellationToken);
        switch (e.Type)
        {
            case "batch.shipped.v1":
                // Only cooperative → buyer shipments make alliance value-chain links.
                if (recordedBy?.Text("kind") != "cooperative" || data.Get("to")?.Text("kind") != "buyer") break;
                await batch.ExecuteAsync("""
                    INSERT INTO alliance_shipments (batch_id, shipment_id, cooperative_id, buyer_id) VALUES (@batch, @shipment, @cooperative, @buyer)
                    ON CONFLICT (batch_id, shipment_id) DO NOTHING
                    """, cancellationToken, ("@batch", batchId), ("@shipment", data.Text("shipmentId")), ("@cooperative", recordedBy.Value.Text("id")),
                    ("@buyer", data.Get("to")?.Text("id")));
                break;
            case "batch.receipt_confirmed.v1":
                await batch.ExecuteAsync("""
                    INSERT INTO alliance_links (cooperative_id, buyer_id, month)
                    SELECT cooperative_id, buyer_id, @month FROM alliance_shipments WHERE batch_id = @batch AND shipment_id = @shipment
                    ON CONFLICT (cooperative_id, buyer_id, month) DO NOTHING
                    """, cancellationToken, ("@batch", batchId), ("@shipment", data.Text("shipmentId")), ("@month", month));
                break;
            case "batch.recalled.v1":
                await batch.ExecuteAsync("""
                    INSERT INTO alliance_recalls (batch_id, cooperative_id, month)
                    SELECT batch_id, cooperative_id, @month FROM alliance_batches WHERE batch_id = @batch
                    ON CONFLICT (batch_id) DO NOTHING
                    """, cancellationToken, ("@batch", batchId), ("@month", month));
                break;
        }
    }

    /// <summary>A cooperative recorded something this month (a buyer's or an admin's records are not a cooperative's activity).</summary>
    private static Task ActivityAsync(ProjectionBatch batch, JsonElement? party, string month, CancellationToken cancellationToken) =>
        party?.Text("kind") == "cooperative" && party.Value.Text("id") is { } id && Guid.TryParse(id, out var guid) && guid != Guid.Empty
            ? batch.ExecuteAsync("""
                INSERT INTO alliance_activity (cooperative_id, month) VALUES (@id, @month) ON CONFLICT (cooperative_id, month) DO NOTHING
                """, cancellationToken, ("@id", id), ("@month", month))
            : Task.CompletedTask;
}
