using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Projections.Hosting;

namespace Traceability.Api.Features.Provenance;

public sealed record ProvenanceStep(long Revision, string Type, string OccurredAt, string? Place, string? Organisation, JsonElement Details);

public sealed record ProvenanceCertification(string Scheme, long? OcopStars, string Number, string Issuer, string ValidFrom, string ValidTo);

public sealed record ProvenanceIntegrity(long EventCount, long LastRevision, string HeadHash);

/// <summary>The provenance read model of one batch: what its public page shows.</summary>
public sealed record ProvenanceResponse(
    string BatchId,
    string? Gtin,
    string LotNumber,
    JsonElement Product,
    JsonElement Producer,
    string ProducedAt,
    string? BestBefore,
    JsonElement Quantity,
    JsonElement? Origin,
    JsonElement Inputs,
    JsonElement Custodian,
    string Status,
    JsonElement? Recall,
    IReadOnlyList<ProvenanceStep> Timeline,
    IReadOnlyList<ProvenanceCertification> Certifications,
    ProvenanceIntegrity Integrity,
    string? PublicCode);

public static class GetProvenanceEndpoint
{
    public static IEndpointRouteBuilder MapProvenanceEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/provenance/{batchId:guid}", Handle).WithTags("Provenance").AllowAnonymous().WithReadProblems()
            .WithSummary("Thông tin truy xuất nguồn gốc: a batch's provenance read model (public subset only).");
        return routes;
    }

    private static async Task<Results<Ok<ProvenanceResponse>, ProblemHttpResult>> Handle(Guid batchId, ReadModelDatabase readModels,
        CancellationToken cancellationToken) =>
        await ProvenanceQueries.FindAsync(readModels, batchId, cancellationToken) is { } provenance
            ? TypedResults.Ok(provenance)
            : NotFound();

    public static ProblemHttpResult NotFound() =>
        Problems.Status(StatusCodes.Status404NotFound, "batch.not_found", "No such batch (or it is not projected yet).", "Không tìm thấy lô hàng.");
}

/// <summary>Reads one batch's provenance read model: the JSON endpoint and the public page show the same thing.</summary>
public static class ProvenanceQueries
{
    public static async Task<ProvenanceResponse?> FindAsync(ReadModelDatabase readModels, Guid batchId, CancellationToken cancellationToken)
    {
        var id = batchId.ToString();
        var batches = await readModels.QueryAsync("""
            SELECT cooperative_id, gtin, lot_number, product, producer, produced_at, best_before, quantity, origin, inputs, custodian,
                   status, recall, event_count, last_revision, head_hash, public_code
            FROM provenance_batches WHERE batch_id = @id
            """, r => new
            {
                Cooperative = r.GetString(0), Gtin = r.IsDBNull(1) ? null : r.GetString(1), Lot = r.GetString(2), Product = Json(r.GetString(3)),
                Producer = Json(r.GetString(4)), ProducedAt = r.GetString(5), BestBefore = r.IsDBNull(6) ? null : r.GetString(6),
                Quantity = Json(r.GetString(7)), Origin = r.IsDBNull(8) ? (JsonElement?)null : Json(r.GetString(8)), Inputs = Json(r.GetString(9)),
                Custodian = Json(r.GetString(10)), Status = r.GetString(11), Recall = r.IsDBNull(12) ? (JsonElement?)null : Json(r.GetString(12)),
                Integrity = new ProvenanceIntegrity(r.GetInt64(13), r.GetInt64(14), r.GetString(15)),
                PublicCode = r.IsDBNull(16) ? null : r.GetString(16),
            }, cancellationToken, ("@id", id));
        if (batches.Count == 0) return null;
        var b = batches[0];
        var timeline = await readModels.QueryAsync(
            "SELECT revision, event_type, occurred_at, place, organisation, details FROM provenance_steps WHERE batch_id = @id ORDER BY revision",
            r => new ProvenanceStep(r.GetInt64(0), r.GetString(1), r.GetString(2), r.IsDBNull(3) ? null : r.GetString(3),
                r.IsDBNull(4) ? null : r.GetString(4), Json(r.GetString(5))), cancellationToken, ("@id", id));
        // Certifications valid on the production day (ISO dates compare as text).
        var productionDay = b.ProducedAt.Length >= 10 ? b.ProducedAt[..10] : b.ProducedAt;
        var certifications = await readModels.QueryAsync("""
            SELECT scheme, ocop_stars, number, issuer, valid_from, valid_to FROM provenance_certifications
            WHERE cooperative_id = @cooperative AND revoked = 0 AND valid_from <= @day AND valid_to >= @day ORDER BY scheme, number
            """, r => new ProvenanceCertification(r.GetString(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3),
                r.GetString(4), r.GetString(5)), cancellationToken, ("@cooperative", b.Cooperative), ("@day", productionDay));
        return new ProvenanceResponse(id, b.Gtin, b.Lot, b.Product, b.Producer, b.ProducedAt, b.BestBefore, b.Quantity, b.Origin,
            b.Inputs, b.Custodian, b.Status, b.Recall, timeline, certifications, b.Integrity, b.PublicCode);
    }

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement;
}
