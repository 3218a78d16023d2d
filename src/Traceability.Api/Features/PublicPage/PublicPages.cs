using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;
using Traceability.Api.Features.Labels;
using Traceability.Api.Features.Provenance;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Shared;
using Traceability.EventStore;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;

namespace Traceability.Api.Features.PublicPage;

/// <summary>
/// The resolver a QR code opens (GS1 Digital Link): <c>/01/{gtin}/10/{lot}</c> and the short form <c>/p/{code}</c>.
/// People get the provenance page (HTML); machines get the read model (<c>Accept: application/json</c>), a link set
/// (<c>linkType=all</c> or <c>Accept: application/linkset+json</c>, RFC 9264) or a 307 to one linked resource
/// (<c>linkType=gs1:…</c>).
/// </summary>
public static class PublicPages
{
    private const string Gs1 = "https://gs1.org/voc/";
    private const string LinksetType = "application/linkset+json";

    public static IEndpointRouteBuilder MapPublicPages(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("").WithTags("Resolver (GS1 Digital Link)").AllowAnonymous();
        group.MapGet("/p/{code}", ByCode).WithReadProblems()
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces<ProvenanceResponse>(contentType: "application/json")
            .Produces(StatusCodes.Status307TemporaryRedirect)
            .WithSummary("Trang truy xuất nguồn gốc by the batch's short trace code (mã truy xuất): HTML, JSON, link set or a redirect by linkType.");
        group.MapGet("/01/{gtin}/10/{lot}", ByGtinAndLot).WithReadProblems().ProducesValidationProblem()
            .Produces(StatusCodes.Status200OK, contentType: "text/html").Produces<ProvenanceResponse>(contentType: "application/json")
            .Produces(StatusCodes.Status307TemporaryRedirect)
            .WithSummary("GS1 Digital Link: a batch by GTIN and lot number (AI 01 and 10): HTML, JSON, link set or a redirect by linkType.");
        group.MapGet("/api/batches/{batchId:guid}/recall-status", RecallStatus).WithReadProblems()
            .WithSummary("Whether a batch is recalled (gs1:recallStatus), with the reason.");
        return routes;
    }

    public sealed record RecallStatusResponse(string BatchId, bool Recalled, string? Reason, string? Severity, string? RecalledAt);

    private static async Task<IResult> ByCode(string code, HttpContext http, BatchIdentities identities, PageRenderer renderer)
    {
        var identity = PublicCode.TryParse(code, out var parsed) ? await identities.ByCodeAsync(parsed, http.RequestAborted) : null;
        return await RespondAsync(http, identity, code, renderer, byCode: true);
    }

    private static async Task<IResult> ByGtinAndLot(string gtin, string lot, HttpContext http, BatchIdentities identities, PageRenderer renderer)
    {
        lot = LotAsSent(http) ?? lot;
        // GS1 Digital Link carries a GTIN as 14 digits; shorter GTINs (8, 12, 13) are padded with zeros on the left.
        if (gtin.Length is not (8 or 12 or 13 or 14) || !gtin.All(char.IsAsciiDigit))
            throw new InvalidFieldException("gtin", "GTIN gồm 8, 12, 13 hoặc 14 chữ số.", "A GTIN has 8, 12, 13 or 14 digits.");
        var gtin14 = gtin.PadLeft(14, '0');
        if (!Gtin.TryParse(gtin14, out var valid))
            throw new InvalidFieldException("gtin", "Số kiểm tra của GTIN không đúng.", "The GTIN's check digit is wrong.");
        if (lot.Length is 0 or > 100)
            throw new InvalidFieldException("lot", "Số lô dài 1 đến 100 ký tự.", "A lot number is 1 to 100 characters.");
        var identity = await identities.ByGtinAndLotAsync(valid.Value, lot, http.RequestAborted);
        return await RespondAsync(http, identity, $"{gtin14}/{lot}", renderer, byCode: false);
    }

    /// <summary>
    /// The lot segment of <c>/01/{gtin}/10/{lot}</c> decoded exactly once. The server decodes the path before routing
    /// except an encoded slash, which stays "%2F" (and "%252F" arrives as "%2F" too), so a lot with a slash — GS1 allows
    /// it in AI 10, and every label encodes it as %2F — would never be found: it is read from the raw request target.
    /// Null when the target has another shape (absolute form, a path base), where the route's value stands.
    /// </summary>
    private static string? LotAsSent(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (string.IsNullOrEmpty(target)) return null;
        var end = target.IndexOfAny(['?', '#']);
        var segments = (end >= 0 ? target[..end] : target).Split('/');
        return segments is ["", "01", _, "10", { Length: > 0 } lot] ? Uri.UnescapeDataString(lot) : null;
    }

    private static async Task<IResult> RespondAsync(HttpContext http, BatchIdentity? identity, string asked, PageRenderer renderer, bool byCode)
    {
        var linkType = http.Request.Query["linkType"].ToString();
        var wants = Negotiate(http.Request);
        if (identity is null)
        {
            if (wants == Wanted.Html && linkType.Length == 0)
                return await renderer.NotFoundAsync(http, asked);
            return Problems.Status(StatusCodes.Status404NotFound, "batch.not_found", "No batch has this code.", "Không tìm thấy sản phẩm với mã này.");
        }

        if (linkType.Length > 0 && linkType != "all")
        {
            var links = Links(http, identity, await renderer.CooperativeOfAsync(identity.BatchId, http.RequestAborted));
            var wanted = linkType.StartsWith("gs1:", StringComparison.Ordinal) ? Gs1 + linkType[4..] : linkType;
            return links.FirstOrDefault(l => l.Relation == wanted) is { } link
                ? Results.Redirect(link.Href, permanent: false, preserveMethod: true)
                : Problems.Status(StatusCodes.Status404NotFound, "link_type.not_available",
                    $"This item has no '{linkType}' link; available: {string.Join(", ", links.Select(l => "gs1:" + l.Relation[Gs1.Length..]))}, all.",
                    "Không có liên kết loại này cho sản phẩm.");
        }

        if (linkType == "all" || wants == Wanted.Linkset)
            return Linkset(http, identity, await renderer.CooperativeOfAsync(identity.BatchId, http.RequestAborted));
        if (wants == Wanted.Json)
            return await ProvenanceQueries.FindAsync(renderer.ReadModels, identity.BatchId, http.RequestAborted) is { } provenance
                ? TypedResults.Ok(provenance)
                : GetProvenanceEndpoint.NotFound();
        // The page's own links and its cache key use the canonical address, whatever spelling was typed (case, hyphens,
        // GTIN-13): a few copies per batch, however many spellings a visitor (or an attacker) tries.
        var canonical = byCode || identity.Gtin is null
            ? $"/p/{identity.PublicCode}"
            : $"/01/{identity.Gtin}/10/{Uri.EscapeDataString(identity.LotNumber)}";
        return await renderer.PageAsync(http, identity, canonical);
    }

    private enum Wanted
    {
        Html,
        Json,
        Linkset,
    }

    /// <summary>A browser asks for HTML first; a program that asks for JSON or a link set (and not HTML) gets it.</summary>
    private static Wanted Negotiate(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept.Where(a => a.Quality is not 0).OrderByDescending(a => a.Quality ?? 1).ToList();
        foreach (var type in accept)
        {
            var media = type.MediaType.Value ?? "";
            if (media.Equals(LinksetType, StringComparison.OrdinalIgnoreCase)) return Wanted.Linkset;
            if (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase))
                return Wanted.Json;
            if (media.Equals("text/html", StringComparison.OrdinalIgnoreCase) || media.Equals("application/xhtml+xml", StringComparison.OrdinalIgnoreCase))
                return Wanted.Html;
        }

        return Wanted.Html;
    }

    private sealed record Link(string Relation, string Href, string Title, string Type);

    private static List<Link> Links(HttpContext http, BatchIdentity identity, Guid? cooperativeId)
    {
        var origin = $"{http.Request.Scheme}://{http.Request.Host}";
        var links = new List<Link>
        {
            new(Gs1 + "pip", $"{origin}/p/{identity.PublicCode}", "Thông tin truy xuất nguồn gốc / Product traceability page", "text/html"),
            new(Gs1 + "traceability", $"{origin}/api/provenance/{identity.BatchId}", "Provenance (JSON)", "application/json"),
            new(Gs1 + "recallStatus", $"{origin}/api/batches/{identity.BatchId}/recall-status", "Recall status (JSON)", "application/json"),
            new(Gs1 + "epcis", $"{origin}/api/batches/{identity.BatchId}/history", "Event history with hashes (JSON, buyers and auditors)", "application/json"),
        };
        if (cooperativeId is { } cooperative)
            links.Add(new(Gs1 + "certificationInfo", $"{origin}/api/cooperatives/{cooperative}", "Producer and certifications (JSON)", "application/json"));
        return links;
    }

    private static IResult Linkset(HttpContext http, BatchIdentity identity, Guid? cooperativeId)
    {
        var origin = $"{http.Request.Scheme}://{http.Request.Host}";
        var anchor = identity.Gtin is { } gtin ? $"{origin}/01/{gtin}/10/{Uri.EscapeDataString(identity.LotNumber)}" : $"{origin}/p/{identity.PublicCode}";
        var entry = new Dictionary<string, object> { ["anchor"] = anchor };
        var links = Links(http, identity, cooperativeId);
        entry[Gs1 + "defaultLink"] = new[] { new { href = links[0].Href, title = links[0].Title, type = links[0].Type, hreflang = new[] { "vi", "en" } } };
        foreach (var link in links)
            entry[link.Relation] = new[] { new { href = link.Href, title = link.Title, type = link.Type } };
        var body = JsonSerializer.SerializeToUtf8Bytes(new { linkset = new[] { entry } });
        return Results.Bytes(body, LinksetType);
    }

    private static async Task<IResult> RecallStatus(Guid batchId, ReadModelDatabase readModels, CancellationToken cancellationToken)
    {
        var rows = await readModels.QueryAsync("SELECT status, recall FROM provenance_batches WHERE batch_id = @id",
            r => (Status: r.GetString(0), Recall: r.IsDBNull(1) ? null : r.GetString(1)), cancellationToken, ("@id", batchId.ToString()));
        if (rows.Count == 0) return GetProvenanceEndpoint.NotFound();
        var recall = rows[0].Recall is { } text ? JsonDocument.Parse(text).RootElement : (JsonElement?)null;
        return TypedResults.Ok(new RecallStatusResponse(batchId.ToString(), rows[0].Status == "recalled", recall?.Text("reason"),
            recall?.Text("severity"), recall?.Get("step")?.Text("occurredAt")));
    }
}

/// <summary>
/// Renders the public pages to bytes once per batch revision and language (Razor components, static rendering) and
/// serves them with a strict Content-Security-Policy, an ETag of the bytes and <c>Cache-Control: no-cache</c> — a
/// phone revalidates every time (a recall must show at once) and gets a 304 when nothing changed.
/// </summary>
public sealed class PageRenderer(PageHtml pages, ReadModelDatabase readModels, IEventStore store, ProvenanceCache cache)
{
    public ReadModelDatabase ReadModels => readModels;

    public sealed record RenderedPage(byte[] Html, string ETag);

    public async Task<IResult> PageAsync(HttpContext http, BatchIdentity identity, string canonicalPath)
    {
        var language = PageLanguage.Of(http.Request);
        var toggle = $"{canonicalPath}?lang={language.Other.Code}";
        var variant = $"html-{language.Code}-{toggle}";
        if (!cache.TryGet<RenderedPage>(identity.BatchId, variant, out var page))
        {
            // Absent while its read model is being rebuilt (the code itself is known): the friendly 404, like the JSON read.
            if (await ProvenanceQueries.FindAsync(readModels, identity.BatchId, http.RequestAborted) is not { } found)
                return await NotFoundAsync(http, identity.PublicCode);
            page = await cache.GetOrAddAsync(identity.BatchId, variant, ct => RenderPageAsync(found, language, toggle, ct), http.RequestAborted);
        }

        SecurityHeaders(http, language);
        return HttpCaching.Serve(http, page.Html, "text/html; charset=utf-8", "public, no-cache", page.ETag);
    }

    private async Task<(RenderedPage, long)> RenderPageAsync(ProvenanceResponse provenance, PageLanguage language, string toggle, CancellationToken ct)
    {
        var view = await ViewAsync(provenance, ct);
        var html = await RenderAsync<ProvenancePage>(new Dictionary<string, object?>
        {
            [nameof(ProvenancePage.View)] = view, [nameof(ProvenancePage.L)] = language, [nameof(ProvenancePage.ToggleUrl)] = toggle,
        });
        return (new RenderedPage(html, HttpCaching.ETagOf(html)), provenance.Integrity.LastRevision);
    }

    public async Task<IResult> NotFoundAsync(HttpContext http, string asked)
    {
        var language = PageLanguage.Of(http.Request);
        var html = await pages.RenderAsync<NotFoundPage>(new Dictionary<string, object?>
        {
            [nameof(NotFoundPage.L)] = language, [nameof(NotFoundPage.Code)] = asked.Length > 64 ? asked[..64] : asked,
        });
        SecurityHeaders(http, language);
        http.Response.Headers.CacheControl = "no-store";
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, StatusCodes.Status404NotFound);
    }

    public async Task<Guid?> CooperativeOfAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var rows = await readModels.QueryAsync("SELECT cooperative_id FROM provenance_batches WHERE batch_id = @id", r => r.GetString(0),
            cancellationToken, ("@id", batchId.ToString()));
        return rows.Count > 0 && Guid.TryParse(rows[0], out var id) ? id : null;
    }

    private async Task<ProvenanceView> ViewAsync(ProvenanceResponse provenance, CancellationToken cancellationToken)
    {
        var stream = StreamNames.Batch(Guid.Parse(provenance.BatchId));
        // The badge is earned at render time: the stream's hash chain is recomputed, not taken from the read model.
        var verification = await store.VerifyStreamAsync(stream, cancellationToken);
        string? lastRecorded = null;
        await foreach (var e in store.ReadStreamAsync(stream, ReadDirection.Backward, StreamRevision.End, 1, cancellationToken))
            lastRecorded = e.Recorded.ToString("O");
        var inputs = new List<InputLink>();
        foreach (var input in provenance.Inputs.EnumerateArray())
        {
            var inputId = input.Text("batchId") ?? "";
            var rows = await readModels.QueryAsync("SELECT product, public_code FROM provenance_batches WHERE batch_id = @id",
                r => (Product: JsonDocument.Parse(r.GetString(0)).RootElement, Code: r.IsDBNull(1) ? null : r.GetString(1)), cancellationToken, ("@id", inputId));
            var used = input.Get("quantityUsed");
            decimal? amount = used?.Text("amount") is { } a && decimal.TryParse(a, System.Globalization.NumberStyles.Number,
                System.Globalization.CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
            inputs.Add(new InputLink(rows.Count > 0 ? rows[0].Product.Text("nameVi") ?? inputId : inputId, rows.Count > 0 ? rows[0].Code : null,
                amount, used?.Text("unit")));
        }

        return new ProvenanceView(provenance, verification.IsIntact, verification.FirstMismatch is { } bad ? bad.Revision + 1 : null,
            verification.EventCount, lastRecorded, inputs);
    }

    private async Task<byte[]> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent =>
        Encoding.UTF8.GetBytes(await pages.RenderAsync<TComponent>(parameters));

    private static void SecurityHeaders(HttpContext http, PageLanguage language)
    {
        PageHtml.SecurityHeaders(http, "no-referrer");
        var headers = http.Response.Headers;
        headers.ContentLanguage = language.Code;
        headers.Vary = "Accept, Accept-Language";
    }
}
