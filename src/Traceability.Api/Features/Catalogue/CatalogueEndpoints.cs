using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Traceability.Api.Infrastructure;
using Traceability.Projections.Hosting;
using Traceability.Projections.Report;

namespace Traceability.Api.Features.Catalogue;

/// <summary>An organisation's address: the commune/ward and province/city with their official codes, and the pre-2025 district if recorded.</summary>
public sealed record CatalogueAddress(string? Street, string CommuneWard, string CommuneWardCode, string ProvinceCity, string ProvinceCityCode,
    string? LegacyDistrict);

public sealed record CatalogueCooperativeSummary(
    string CooperativeId,
    string NameVi,
    string? NameEn,
    CatalogueAddress Address,
    long MemberCount,
    long WorkerCount,
    IReadOnlyList<string> ProductCategories,
    long ProductCount,
    long ActiveBatchCount);

public sealed record CatalogueListResponse(string? CommuneWardCode, IReadOnlyList<CatalogueCooperativeSummary> Cooperatives);

public sealed record CatalogueCertification(string CertificationId, string Scheme, long? OcopStars, string Number, string Issuer, string ValidFrom,
    string ValidTo);

/// <summary>A distinct product of the cooperative's batches (by GTIN, else category and Vietnamese name), and how many batches it has.</summary>
public sealed record CatalogueProduct(string NameVi, string? NameEn, string Category, string? Gtin, long BatchCount);

/// <summary>An organisation holding or about to receive a batch (never a person).</summary>
public sealed record CatalogueParty(string Kind, string Id, string Name);

public sealed record CatalogueBatch(
    string BatchId,
    string LotNumber,
    CatalogueProduct Product,
    string ProducedAt,
    string? BestBefore,
    JsonElement RegisteredQuantity,
    string Status,
    CatalogueParty Custodian,
    CatalogueParty? ShippedTo);

public sealed record CatalogueCooperativeResponse(
    string CooperativeId,
    string NameVi,
    string? NameEn,
    CatalogueAddress Address,
    string? Gln,
    long MemberCount,
    long WorkerCount,
    IReadOnlyList<string> ProductCategories,
    string RegisteredAt,
    string CertificationsValidOn,
    IReadOnlyList<CatalogueCertification> Certifications,
    IReadOnlyList<CatalogueProduct> Products,
    IReadOnlyList<CatalogueBatch> ActiveBatches);

/// <summary>
/// The public cooperative catalogue (danh mục HTX): cooperatives, their certifications, products and active batches, from
/// the catalogue read model (it may lag the events by a moment). Anonymous and rate-limited; organisation data only.
/// </summary>
public static class CatalogueEndpoints
{
    public static IEndpointRouteBuilder MapCatalogueEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/catalogue").WithTags("Catalogue").AllowAnonymous();
        group.MapGet("/cooperatives", List).WithReadProblems().ProducesValidationProblem()
            .WithSummary("Danh mục HTX: the cooperatives on the platform, optionally in one commune/ward (communeWardCode, 5 digits).");
        group.MapGet("/cooperatives/{cooperativeId:guid}", Get).WithReadProblems()
            .WithSummary("A cooperative's catalogue page: profile, certifications valid today (Vietnam time), products and active batches.");
        return routes;
    }

    private static async Task<Results<Ok<CatalogueListResponse>, ProblemHttpResult>> List([FromQuery] string? communeWardCode,
        ReadModelDatabase readModels, CancellationToken cancellationToken)
    {
        if (communeWardCode is not null && (communeWardCode.Length != 5 || !communeWardCode.All(char.IsAsciiDigit)))
            return Problems.Field("communeWardCode", "A commune/ward code is its 5-digit official code, e.g. 27676.",
                "Mã xã/phường là mã đơn vị hành chính gồm 5 chữ số, ví dụ 27676.");
        var rows = await readModels.QueryAsync($"""
            SELECT c.cooperative_id, c.name_vi, c.name_en, c.street, c.commune_ward, c.commune_ward_code, c.province_city, c.province_city_code,
                   c.legacy_district, c.member_count, c.worker_count, c.product_categories,
                   (SELECT count(*) FROM catalogue_products p WHERE p.cooperative_id = c.cooperative_id),
                   (SELECT count(*) FROM catalogue_batches b WHERE b.cooperative_id = c.cooperative_id AND b.status IN ('active', 'in_transit'))
            FROM catalogue_cooperatives c
            {(communeWardCode is null ? "" : "WHERE c.commune_ward_code = @code")}
            """, r => new CatalogueCooperativeSummary(r.GetString(0), r.GetString(1), Text(r, 2), Address(r, 3), Long(r, 9), Long(r, 10),
                Categories(r.GetString(11)), Long(r, 12), Long(r, 13)), cancellationToken,
            communeWardCode is null ? [] : [("@code", communeWardCode)]);
        // Sorted here, not in SQL: the two backends collate text differently; ordinal is the same everywhere.
        var sorted = rows.OrderBy(c => c.NameVi, StringComparer.Ordinal).ThenBy(c => c.CooperativeId, StringComparer.Ordinal).ToList();
        return TypedResults.Ok(new CatalogueListResponse(communeWardCode, sorted));
    }

    private static async Task<Results<Ok<CatalogueCooperativeResponse>, ProblemHttpResult>> Get(Guid cooperativeId, ReadModelDatabase readModels,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var id = cooperativeId.ToString();
        var found = await readModels.QueryAsync("""
            SELECT cooperative_id, name_vi, name_en, street, commune_ward, commune_ward_code, province_city, province_city_code, legacy_district,
                   gln, member_count, worker_count, product_categories, registered_at
            FROM catalogue_cooperatives WHERE cooperative_id = @id
            """, r => new
            {
                NameVi = r.GetString(1), NameEn = Text(r, 2), Address = Address(r, 3), Gln = Text(r, 9), Members = Long(r, 10), Workers = Long(r, 11),
                Categories = Categories(r.GetString(12)), RegisteredAt = r.GetString(13),
            }, cancellationToken, ("@id", id));
        if (found.Count == 0)
            return Problems.Status(StatusCodes.Status404NotFound, "cooperative.not_found", "No such cooperative (or it is not projected yet).",
                "Không tìm thấy hợp tác xã.");
        var c = found[0];

        // Valid today in Vietnam, not revoked (ISO dates compare as text).
        var today = VietnamTime.Today(time.GetUtcNow()).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var certifications = (await readModels.QueryAsync("""
                SELECT certification_id, scheme, ocop_stars, number, issuer, valid_from, valid_to FROM catalogue_certifications
                WHERE cooperative_id = @id AND revoked = 0 AND valid_from <= @today AND valid_to >= @today
                """, r => new CatalogueCertification(r.GetString(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetInt64(2), r.GetString(3),
                r.GetString(4), r.GetString(5), r.GetString(6)), cancellationToken, ("@id", id), ("@today", today)))
            .OrderBy(x => x.Scheme, StringComparer.Ordinal).ThenBy(x => x.Number, StringComparer.Ordinal).ToList();

        var products = (await readModels.QueryAsync("""
                SELECT product_key, name_vi, name_en, category, gtin, batch_count FROM catalogue_products WHERE cooperative_id = @id
                """, r => (Key: r.GetString(0), Product: new CatalogueProduct(r.GetString(1), Text(r, 2), r.GetString(3), Text(r, 4), Long(r, 5))),
                cancellationToken, ("@id", id)))
            .OrderBy(p => p.Product.Category, StringComparer.Ordinal).ThenBy(p => p.Product.NameVi, StringComparer.Ordinal)
            .ThenBy(p => p.Key, StringComparer.Ordinal).ToList();
        var productByKey = products.ToDictionary(p => p.Key, p => p.Product, StringComparer.Ordinal);

        var batches = (await readModels.QueryAsync("""
                SELECT batch_id, product_key, lot_number, produced_at, best_before, quantity, status, custodian_kind, custodian_id, custodian_name,
                       pending_kind, pending_id, pending_name
                FROM catalogue_batches WHERE cooperative_id = @id AND status IN ('active', 'in_transit')
                """, r => new CatalogueBatch(r.GetString(0), r.GetString(2), productByKey.GetValueOrDefault(r.GetString(1))
                    ?? new CatalogueProduct("", null, "", null, 0), r.GetString(3), Text(r, 4), Json(r.GetString(5)), r.GetString(6),
                new CatalogueParty(r.GetString(7), r.GetString(8), r.GetString(9)),
                r.IsDBNull(11) ? null : new CatalogueParty(r.GetString(10), r.GetString(11), r.GetString(12))), cancellationToken, ("@id", id)))
            .OrderByDescending(b => DateTimeOffset.TryParse(b.ProducedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
                ? at : DateTimeOffset.MinValue)
            .ThenBy(b => b.BatchId, StringComparer.Ordinal).ToList();

        return TypedResults.Ok(new CatalogueCooperativeResponse(id, c.NameVi, c.NameEn, c.Address, c.Gln, c.Members, c.Workers, c.Categories,
            c.RegisteredAt, today, certifications, products.Select(p => p.Product).ToList(), batches));
    }

    private static CatalogueAddress Address(System.Data.Common.DbDataReader r, int first) => new(Text(r, first), r.GetString(first + 1),
        r.GetString(first + 2), r.GetString(first + 3), r.GetString(first + 4), Text(r, first + 5));

    private static string? Text(System.Data.Common.DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static long Long(System.Data.Common.DbDataReader r, int ordinal) => Convert.ToInt64(r.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static IReadOnlyList<string> Categories(string json) => JsonSerializer.Deserialize<List<string>>(json) ?? [];

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();
}
