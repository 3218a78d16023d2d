using System.Text.Json;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Catalogue;

/// <summary>
/// The public cooperative catalogue (danh mục hợp tác xã): each cooperative's profile as last declared (names, address
/// with the commune/ward and its official code, the legacy district, member and worker counts, product categories),
/// its certifications (validity and revocation), the distinct products of its batches, and its batches with their
/// status and current custodian. Organisation data only: contact persons live in the erasable personal-data table and
/// never reach these events; custodians are organisations (name and id).
/// </summary>
public sealed class CatalogueProjection : IProjection
{
    public string Name => "catalogue";

    public EventFilter Filter { get; } = EventFilter.ForCategories("batch", "cooperative");

    public IReadOnlyList<string> Tables { get; } =
        ["catalogue_cooperatives", "catalogue_certifications", "catalogue_products", "catalogue_batches"];

    public string CreateSchema => """
        CREATE TABLE IF NOT EXISTS catalogue_cooperatives (
            cooperative_id     TEXT PRIMARY KEY,
            name_vi            TEXT NOT NULL,
            name_en            TEXT,
            street             TEXT,
            commune_ward       TEXT NOT NULL,
            commune_ward_code  TEXT NOT NULL,
            province_city      TEXT NOT NULL,
            province_city_code TEXT NOT NULL,
            legacy_district    TEXT,
            gln                TEXT,
            member_count       BIGINT NOT NULL,
            worker_count       BIGINT NOT NULL,
            product_categories TEXT NOT NULL,
            registered_at      TEXT NOT NULL,
            updated_at         TEXT NOT NULL,
            revision           BIGINT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS catalogue_cooperatives_by_commune ON catalogue_cooperatives (commune_ward_code);
        CREATE TABLE IF NOT EXISTS catalogue_certifications (
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
        CREATE TABLE IF NOT EXISTS catalogue_products (
            cooperative_id TEXT NOT NULL,
            product_key    TEXT NOT NULL,
            name_vi        TEXT NOT NULL,
            name_en        TEXT,
            category       TEXT NOT NULL,
            gtin           TEXT,
            batch_count    BIGINT NOT NULL,
            PRIMARY KEY (cooperative_id, product_key)
        );
        CREATE TABLE IF NOT EXISTS catalogue_batches (
            batch_id        TEXT PRIMARY KEY,
            cooperative_id  TEXT NOT NULL,
            product_key     TEXT NOT NULL,
            lot_number      TEXT NOT NULL,
            produced_at     TEXT NOT NULL,
            best_before     TEXT,
            quantity        TEXT NOT NULL,
            status          TEXT NOT NULL,
            custodian_kind  TEXT NOT NULL,
            custodian_id    TEXT NOT NULL,
            custodian_name  TEXT NOT NULL,
            pending_kind    TEXT,
            pending_id      TEXT,
            pending_name    TEXT,
            registered_at   TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS catalogue_batches_by_cooperative ON catalogue_batches (cooperative_id, status);
        """;

    /// <summary>
    /// What makes two batches the same product: the GTIN when there is one, else category and Vietnamese name — the
    /// same key the Api reserves lot numbers under.
    /// </summary>
    public static string ProductKey(JsonElement? product) =>
        product?.Text("gtin") is { Length: > 0 } gtin ? gtin : $"{product?.Text("category")}/{product?.Text("nameVi")}";

    public async Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken)
    {
        foreach (var (e, data) in batch.Events)
        {
            if (e.Category == "cooperative") await ApplyCooperativeAsync(batch, e, data, cancellationToken);
            else if (e.Category == "batch") await ApplyBatchAsync(batch, e, data, cancellationToken);
        }
    }

    private static Task ApplyCooperativeAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, CancellationToken cancellationToken) =>
        e.Type switch
        {
            "cooperative.registered.v1" => UpsertProfileAsync(batch, e, data, data.Text("registeredAt"), cancellationToken),
            "cooperative.profile_updated.v1" => UpsertProfileAsync(batch, e, data, data.Text("updatedAt"), cancellationToken),
            "cooperative.certification_granted.v1" => batch.ExecuteAsync("""
                INSERT INTO catalogue_certifications (cooperative_id, certification_id, scheme, ocop_stars, number, issuer, valid_from, valid_to, revoked)
                VALUES (@cooperative, @certification, @scheme, @stars, @number, @issuer, @from, @to, 0)
                ON CONFLICT (cooperative_id, certification_id) DO NOTHING
                """, cancellationToken,
                ("@cooperative", data.Text("cooperativeId")), ("@certification", data.Text("certificationId")), ("@scheme", data.Text("scheme")),
                ("@stars", data.Get("ocopStars")?.GetInt64()), ("@number", data.Text("number")), ("@issuer", data.Text("issuer")),
                ("@from", data.Text("validFrom")), ("@to", data.Text("validTo"))),
            "cooperative.certification_revoked.v1" => batch.ExecuteAsync("""
                UPDATE catalogue_certifications SET revoked = 1 WHERE cooperative_id = @cooperative AND certification_id = @certification
                """, cancellationToken, ("@cooperative", data.Text("cooperativeId")), ("@certification", data.Text("certificationId"))),
            _ => Task.CompletedTask,
        };

    /// <summary>Registration and every profile update replace the profile; the registration time is kept from the first.</summary>
    private static Task UpsertProfileAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, string? at, CancellationToken cancellationToken)
    {
        var profile = data.Get("profile");
        var address = profile?.Get("address");
        return batch.ExecuteAsync("""
            INSERT INTO catalogue_cooperatives (cooperative_id, name_vi, name_en, street, commune_ward, commune_ward_code, province_city,
                province_city_code, legacy_district, gln, member_count, worker_count, product_categories, registered_at, updated_at, revision)
            VALUES (@id, @nameVi, @nameEn, @street, @commune, @communeCode, @province, @provinceCode, @legacy, @gln, @members, @workers,
                @categories, @at, @at, @revision)
            ON CONFLICT (cooperative_id) DO UPDATE SET name_vi = excluded.name_vi, name_en = excluded.name_en, street = excluded.street,
                commune_ward = excluded.commune_ward, commune_ward_code = excluded.commune_ward_code, province_city = excluded.province_city,
                province_city_code = excluded.province_city_code, legacy_district = excluded.legacy_district, gln = excluded.gln,
                member_count = excluded.member_count, worker_count = excluded.worker_count, product_categories = excluded.product_categories,
                updated_at = excluded.updated_at, revision = excluded.revision
            """, cancellationToken,
            ("@id", data.Text("cooperativeId")), ("@nameVi", profile?.Text("nameVi") ?? ""), ("@nameEn", profile?.Text("nameEn")),
            ("@street", address?.Text("street")), ("@commune", address?.Text("communeWard") ?? ""),
            ("@communeCode", address?.Text("communeWardCode") ?? ""), ("@province", address?.Text("provinceCity") ?? ""),
            ("@provinceCode", address?.Text("provinceCityCode") ?? ""), ("@legacy", address?.Text("legacyDistrict")),
            ("@gln", profile?.Text("gln")), ("@members", profile?.Get("memberCount")?.GetInt64() ?? 0L),
            ("@workers", profile?.Get("workerCount")?.GetInt64() ?? 0L), ("@categories", profile?.Raw("productCategories") ?? "[]"),
            ("@at", at ?? ""), ("@revision", e.Revision));
    }

    private static async Task ApplyBatchAsync(ProjectionBatch batch, RecordedEvent e, JsonElement data, CancellationToken cancellationToken)
    {
        var batchId = data.Text("batchId");
        switch (e.Type)
        {
            case "batch.registered.v1":
            {
                var product = data.Get("product");
                var cooperative = data.Get("producer")?.Text("cooperativeId");
                var key = ProductKey(product);
                var custodian = data.Get("custodian");
                var inserted = await batch.ExecuteAsync("""
                    INSERT INTO catalogue_batches (batch_id, cooperative_id, product_key, lot_number, produced_at, best_before, quantity, status,
                        custodian_kind, custodian_id, custodian_name, pending_kind, pending_id, pending_name, registered_at)
                    VALUES (@id, @cooperative, @key, @lot, @produced, @bestBefore, @quantity, 'active', @kind, @party, @name, NULL, NULL, NULL, @registered)
                    ON CONFLICT (batch_id) DO NOTHING
                    """, cancellationToken,
                    ("@id", batchId), ("@cooperative", cooperative), ("@key", key), ("@lot", data.Text("lotNumber")),
                    ("@produced", data.Text("producedAt")), ("@bestBefore", data.Text("bestBefore")), ("@quantity", data.Raw("quantity") ?? "{}"),
                    ("@kind", custodian?.Text("kind") ?? ""), ("@party", custodian?.Text("id") ?? ""), ("@name", custodian?.Text("name") ?? ""),
                    ("@registered", data.Text("registeredAt") ?? ""));
                if (inserted == 0) break;
                // The first batch of a product names it; later batches only count.
                await batch.ExecuteAsync("""
                    INSERT INTO catalogue_products (cooperative_id, product_key, name_vi, name_en, category, gtin, batch_count)
                    VALUES (@cooperative, @key, @nameVi, @nameEn, @category, @gtin, 1)
                    ON CONFLICT (cooperative_id, product_key) DO UPDATE SET batch_count = catalogue_products.batch_count + 1
                    """, cancellationToken,
                    ("@cooperative", cooperative), ("@key", key), ("@nameVi", product?.Text("nameVi") ?? ""), ("@nameEn", product?.Text("nameEn")),
                    ("@category", product?.Text("category") ?? ""), ("@gtin", product?.Text("gtin")));
                break;
            }
            case "batch.shipped.v1":
            {
                var to = data.Get("to");
                await batch.ExecuteAsync("""
                    UPDATE catalogue_batches SET pending_kind = @kind, pending_id = @party, pending_name = @name,
                        status = CASE WHEN status = 'recalled' THEN status ELSE 'in_transit' END
                    WHERE batch_id = @id
                    """, cancellationToken, ("@id", batchId), ("@kind", to?.Text("kind")), ("@party", to?.Text("id")), ("@name", to?.Text("name")));
                break;
            }
            case "batch.receipt_confirmed.v1":
                await batch.ExecuteAsync("""
                    UPDATE catalogue_batches SET custodian_kind = coalesce(pending_kind, custodian_kind), custodian_id = coalesce(pending_id, custodian_id),
                        custodian_name = coalesce(pending_name, custodian_name), pending_kind = NULL, pending_id = NULL, pending_name = NULL,
                        status = CASE WHEN status = 'recalled' THEN status ELSE 'active' END
                    WHERE batch_id = @id
                    """, cancellationToken, ("@id", batchId));
                break;
            case "batch.recalled.v1":
                await batch.ExecuteAsync("UPDATE catalogue_batches SET status = 'recalled' WHERE batch_id = @id", cancellationToken, ("@id", batchId));
                break;
        }
    }
}
