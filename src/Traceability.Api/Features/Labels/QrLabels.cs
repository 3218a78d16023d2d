using System.Text;
using MassTransit;
using QRCoder;
using Traceability.Api.Features.Provenance;
using Traceability.Api.Infrastructure;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;
using Traceability.Contracts;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Labels;

/// <summary>The public site's address, which every QR code and link points to (<c>Public:BaseUrl</c>).</summary>
public sealed record LabelOptions(Uri PublicBaseUrl)
{
    public string Base => PublicBaseUrl.AbsoluteUri.TrimEnd('/');

    /// <summary>
    /// What a batch's QR code encodes: its GS1 Digital Link <c>{base}/01/{gtin14}/10/{lot}</c> when it has a GTIN (any
    /// GS1 scanner app understands it), else the short form <c>{base}/p/{code}</c>. Both are short enough for a QR
    /// version of 5 or less at level M with a host name of up to ~25 characters, so a 2 cm label scans.
    /// </summary>
    public string ItemUri(BatchIdentity batch) =>
        batch.Gtin is { } gtin ? $"{Base}/01/{gtin}/10/{Uri.EscapeDataString(batch.LotNumber)}" : ShortUri(batch.PublicCode);

    public string ShortUri(string publicCode) => $"{Base}/p/{publicCode}";
}

/// <summary>What identifies a batch to the public: its id, public code, GTIN (if any) and lot number.</summary>
public sealed record BatchIdentity(Guid BatchId, string PublicCode, string? Gtin, string LotNumber);

/// <summary>A batch's QR code in both formats, and the URI it encodes.</summary>
public sealed record QrLabel(Guid BatchId, string Uri, string Svg, byte[] Png);

/// <summary>How a QR code is drawn: error-correction level (L, M, Q, H) and pixels per module (PNG).</summary>
public sealed record QrStyle(QRCodeGenerator.ECCLevel Level, int PixelsPerModule)
{
    /// <summary>Level M (15 %: survives a scuffed label), 10 px per module.</summary>
    public static QrStyle Default { get; } = new(QRCodeGenerator.ECCLevel.M, QrRenderer.PixelsPerModule);

    public const int MinPixels = 2;
    public const int MaxPixels = 40;

    /// <summary>Reads <c>ecc</c> and <c>size</c> query values; null means the default; a bad one is a field error.</summary>
    public static QrStyle From(string? ecc, int? size)
    {
        var level = Default.Level;
        if (ecc is not null && !TryLevel(ecc, out level))
            throw new InvalidFieldException("ecc", "Mức sửa lỗi là L, M, Q hoặc H.", "The error-correction level is L, M, Q or H.");
        if (size is { } s && s is < MinPixels or > MaxPixels)
            throw new InvalidFieldException("size", $"Kích thước điểm ảnh từ {MinPixels} đến {MaxPixels}.",
                $"The size is {MinPixels} to {MaxPixels} pixels per module.");
        return new QrStyle(level, size ?? Default.PixelsPerModule);
    }

    private static bool TryLevel(string text, out QRCodeGenerator.ECCLevel level)
    {
        level = text.ToUpperInvariant() switch
        {
            "L" => QRCodeGenerator.ECCLevel.L,
            "M" => QRCodeGenerator.ECCLevel.M,
            "Q" => QRCodeGenerator.ECCLevel.Q,
            "H" => QRCodeGenerator.ECCLevel.H,
            _ => (QRCodeGenerator.ECCLevel)(-1),
        };
        return (int)level >= 0;
    }
}

/// <summary>
/// Renders QR codes with QRCoder (no System.Drawing), always with the standard quiet zone of 4 modules around the code;
/// the SVG scales (viewBox).
/// </summary>
public static class QrRenderer
{
    public const int PixelsPerModule = 10;
    public const int QuietZoneModules = 4; // what QRCoder draws when drawQuietZones is true

    public static QrLabel Render(Guid batchId, string uri) => Render(batchId, uri, QrStyle.Default);

    public static QrLabel Render(Guid batchId, string uri, QrStyle style)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, style.Level);
        var png = new PngByteQRCode(data).GetGraphic(style.PixelsPerModule, drawQuietZones: true);
        var svg = new SvgQRCode(data).GetGraphic(style.PixelsPerModule, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
        return new QrLabel(batchId, uri, svg, png);
    }

    /// <summary>The QR version (1–40) a URI needs at a level: labels want 5 or less.</summary>
    public static int VersionOf(string uri, QRCodeGenerator.ECCLevel level)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, level);
        return data.Version;
    }
}

/// <summary>The rendered QR codes, cached in the read-model database (table <c>label_qr_codes</c>).</summary>
public sealed class LabelStore(ReadModelDatabase database)
{
    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS label_qr_codes (
            batch_id    TEXT PRIMARY KEY,
            uri         TEXT NOT NULL,
            svg         TEXT NOT NULL,
            png_base64  TEXT NOT NULL,
            rendered_at TEXT NOT NULL
        )
        """;

    private long _writes;

    /// <summary>Labels written by this store (tests check idempotency with it).</summary>
    public long Writes => Interlocked.Read(ref _writes);

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => database.EnsureSchemaAsync("label_qr_codes", Ddl, cancellationToken);

    public async Task<QrLabel?> FindAsync(Guid batchId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        var rows = await database.QueryAsync("SELECT uri, svg, png_base64 FROM label_qr_codes WHERE batch_id = @id",
            r => new QrLabel(batchId, r.GetString(0), r.GetString(1), Convert.FromBase64String(r.GetString(2))), cancellationToken,
            ("@id", batchId.ToString("N")));
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task SaveAsync(QrLabel label, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        await database.WriteAsync((connection, transaction) => SaveAsync(connection, transaction, label, cancellationToken), cancellationToken);
    }

    public Task<int> SaveAsync(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, QrLabel label,
        CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _writes);
        return database.ExecuteAsync(connection, transaction, """
            INSERT INTO label_qr_codes (batch_id, uri, svg, png_base64, rendered_at) VALUES (@id, @uri, @svg, @png, @at)
            ON CONFLICT (batch_id) DO UPDATE SET uri = excluded.uri, svg = excluded.svg, png_base64 = excluded.png_base64,
                rendered_at = excluded.rendered_at
            """, cancellationToken, ("@id", label.BatchId.ToString("N")), ("@uri", label.Uri), ("@svg", label.Svg),
            ("@png", Convert.ToBase64String(label.Png)), ("@at", DateTimeOffset.UtcNow.ToString("O")));
    }
}

/// <summary>When a batch gets its public code, renders its QR code and caches it, once per message id.</summary>
public sealed class LabelRenderingConsumer(LabelStore labels, IntegrationInbox inbox, LabelOptions options) : IConsumer<BatchPublicCodeAssignedIntegration>
{
    public const string InboxName = "labels";

    public async Task Consume(ConsumeContext<BatchPublicCodeAssignedIntegration> context)
    {
        var m = context.Message;
        var messageId = context.MessageId ?? m.EventId;
        if (await inbox.HasProcessedAsync(InboxName, messageId, context.CancellationToken)) return;
        await labels.EnsureSchemaAsync(context.CancellationToken);
        var label = QrRenderer.Render(m.BatchId, options.ItemUri(new BatchIdentity(m.BatchId, m.PublicCode, m.Gtin, m.LotNumber)));
        await inbox.ProcessOnceAsync(InboxName, messageId, (connection, transaction) => labels.SaveAsync(connection, transaction, label,
            context.CancellationToken), context.CancellationToken);
    }
}

/// <summary>Finds a batch's public identity in the provenance read model, by id, public code or GTIN + lot.</summary>
public sealed class BatchIdentities(ReadModelDatabase readModels)
{
    private const string Columns = "SELECT batch_id, public_code, gtin, lot_number FROM provenance_batches";

    /// <summary>Found identities by code or GTIN + lot. A code, once given, names its batch for ever, so a hit is kept (a miss is not).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, BatchIdentity> _found = new(StringComparer.Ordinal);

    private const int MaxRemembered = 100_000;

    private async Task<BatchIdentity?> RememberedAsync(string key, Func<Task<BatchIdentity?>> find)
    {
        if (_found.TryGetValue(key, out var known)) return known;
        var found = await find();
        if (found is null) return null;
        if (_found.Count >= MaxRemembered) _found.Clear();
        _found[key] = found;
        return found;
    }

    public Task<BatchIdentity?> ByIdAsync(Guid batchId, CancellationToken cancellationToken) =>
        FirstAsync($"{Columns} WHERE batch_id = @v AND public_code IS NOT NULL", batchId.ToString(), cancellationToken);

    public Task<BatchIdentity?> ByCodeAsync(PublicCode code, CancellationToken cancellationToken) =>
        RememberedAsync($"code\n{code.Value}", () => FirstAsync($"{Columns} WHERE public_code = @v", code.Value, cancellationToken));

    /// <summary>A lot number is unique per cooperative and product, and a GTIN names one brand owner's product.</summary>
    public Task<BatchIdentity?> ByGtinAndLotAsync(string gtin, string lot, CancellationToken cancellationToken) =>
        RememberedAsync($"gtin\n{gtin}\n{lot}", async () =>
        {
            var rows = await readModels.QueryAsync($"{Columns} WHERE gtin = @gtin AND lot_number = @lot AND public_code IS NOT NULL ORDER BY produced_at LIMIT 1",
                Read, cancellationToken, ("@gtin", gtin), ("@lot", lot));
            return rows.Count > 0 ? rows[0] : null;
        });

    private async Task<BatchIdentity?> FirstAsync(string sql, string value, CancellationToken cancellationToken)
    {
        var rows = await readModels.QueryAsync(sql, Read, cancellationToken, ("@v", value));
        return rows.Count > 0 ? rows[0] : null;
    }

    private static BatchIdentity Read(System.Data.Common.DbDataReader r) =>
        new(Guid.Parse(r.GetString(0)), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetString(3));
}

/// <summary>
/// <c>GET /api/batches/{batchId}/qr.svg</c> and <c>qr.png</c>: anonymous, with an ETag. The default style (level M,
/// 10 px per module) comes from the cache the labels consumer fills; <c>ecc</c> and <c>size</c> render another on demand.
/// </summary>
public static class LabelEndpoints
{
    public static IEndpointRouteBuilder MapLabelEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:guid}").WithTags("Labels");
        group.MapGet("/qr.svg", (Guid batchId, string? ecc, int? size, HttpContext http, LabelStore labels, LabelOptions options, BatchIdentities identities) =>
                ServeAsync(batchId, QrStyle.From(ecc, size), http, labels, options, identities, svg: true))
            .AllowAnonymous().WithReadProblems().ProducesValidationProblem().Produces(StatusCodes.Status200OK, contentType: "image/svg+xml")
            .Produces(StatusCodes.Status304NotModified)
            .WithSummary("The batch's QR code (mã QR) as SVG; it opens the batch's public page. ecc = L, M (default), Q or H.");
        group.MapGet("/qr.png", (Guid batchId, string? ecc, int? size, HttpContext http, LabelStore labels, LabelOptions options, BatchIdentities identities) =>
                ServeAsync(batchId, QrStyle.From(ecc, size), http, labels, options, identities, svg: false))
            .AllowAnonymous().WithReadProblems().ProducesValidationProblem().Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces(StatusCodes.Status304NotModified)
            .WithSummary("The batch's QR code (mã QR) as PNG: size = pixels per module (2–40, default 10), quiet zone of 4 modules, ecc = L, M, Q or H.");
        return routes;
    }

    /// <summary>The batch's label in a style: the default one from the cache (rendered and kept on a miss), others rendered now.</summary>
    public static async Task<QrLabel> LabelAsync(BatchIdentity identity, QrStyle style, LabelStore labels, LabelOptions options,
        CancellationToken cancellationToken)
    {
        var uri = options.ItemUri(identity);
        if (style != QrStyle.Default) return QrRenderer.Render(identity.BatchId, uri, style);
        var label = await labels.FindAsync(identity.BatchId, cancellationToken);
        if (label is not null && label.Uri == uri) return label;
        // Not rendered yet by the consumer (or the public address changed): render and keep it now.
        label = QrRenderer.Render(identity.BatchId, uri);
        await labels.SaveAsync(label, cancellationToken);
        return label;
    }

    private static async Task<IResult> ServeAsync(Guid batchId, QrStyle style, HttpContext http, LabelStore labels, LabelOptions options,
        BatchIdentities identities, bool svg)
    {
        if (await identities.ByIdAsync(batchId, http.RequestAborted) is not { } identity) return GetProvenanceEndpoint.NotFound();
        var label = await LabelAsync(identity, style, labels, options, http.RequestAborted);
        var bytes = svg ? Encoding.UTF8.GetBytes(label.Svg) : label.Png;
        return HttpCaching.Serve(http, bytes, svg ? "image/svg+xml" : "image/png", "public, max-age=86400");
    }
}
