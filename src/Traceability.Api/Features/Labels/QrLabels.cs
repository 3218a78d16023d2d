using System.Security.Cryptography;
using System.Text;
using MassTransit;
using Microsoft.Net.Http.Headers;
using QRCoder;
using Traceability.Api.Infrastructure;
using Traceability.EventStore;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;
using BatchRegisteredIntegration = Traceability.Contracts.BatchRegisteredIntegration;

namespace Traceability.Api.Features.Labels;

/// <summary>Where a batch's QR code points: <c>{Public:BaseUrl}/p/{batchId}</c> (public short codes come later).</summary>
public sealed record LabelOptions(Uri PublicBaseUrl)
{
    public string PageUri(Guid batchId) => $"{PublicBaseUrl.AbsoluteUri.TrimEnd('/')}/p/{batchId:D}";
}

/// <summary>A batch's QR code in both formats, and the URI it encodes.</summary>
public sealed record QrLabel(Guid BatchId, string Uri, string Svg, byte[] Png);

/// <summary>
/// Renders QR codes with QRCoder (no System.Drawing): error correction level M (15 %, survives a scuffed label) and
/// the standard quiet zone of 4 modules. PNG at 10 px per module; SVG scales (viewBox).
/// </summary>
public static class QrRenderer
{
    public const int PixelsPerModule = 10;
    public const int QuietZoneModules = 4; // what QRCoder draws when drawQuietZones is true

    public static QrLabel Render(Guid batchId, string uri)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(uri, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(PixelsPerModule, drawQuietZones: true);
        var svg = new SvgQRCode(data).GetGraphic(PixelsPerModule, "#000000", "#ffffff", drawQuietZones: true, SvgQRCode.SizingMode.ViewBoxAttribute);
        return new QrLabel(batchId, uri, svg, png);
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

/// <summary>On a new batch, renders its QR code and caches it, once per message id.</summary>
public sealed class LabelRenderingConsumer(LabelStore labels, IntegrationInbox inbox, LabelOptions options) : IConsumer<BatchRegisteredIntegration>
{
    public const string InboxName = "labels";

    public async Task Consume(ConsumeContext<BatchRegisteredIntegration> context)
    {
        var messageId = context.MessageId ?? context.Message.EventId;
        if (await inbox.HasProcessedAsync(InboxName, messageId, context.CancellationToken)) return;
        await labels.EnsureSchemaAsync(context.CancellationToken);
        var label = QrRenderer.Render(context.Message.BatchId, options.PageUri(context.Message.BatchId));
        await inbox.ProcessOnceAsync(InboxName, messageId, (connection, transaction) => labels.SaveAsync(connection, transaction, label,
            context.CancellationToken), context.CancellationToken);
    }
}

/// <summary><c>GET /api/batches/{batchId}/qr.svg</c> and <c>qr.png</c>: anonymous, cached, with an ETag; rendered on a cache miss.</summary>
public static class LabelEndpoints
{
    public static IEndpointRouteBuilder MapLabelEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/batches/{batchId:guid}").WithTags("Labels");
        group.MapGet("/qr.svg", (Guid batchId, HttpContext http, LabelStore labels, LabelOptions options, IEventStore store) =>
                ServeAsync(batchId, http, labels, options, store, svg: true))
            .AllowAnonymous().WithReadProblems().Produces(StatusCodes.Status200OK, contentType: "image/svg+xml")
            .Produces(StatusCodes.Status304NotModified).WithSummary("The batch's QR code (mã QR) as SVG; it opens the public provenance page.");
        group.MapGet("/qr.png", (Guid batchId, HttpContext http, LabelStore labels, LabelOptions options, IEventStore store) =>
                ServeAsync(batchId, http, labels, options, store, svg: false))
            .AllowAnonymous().WithReadProblems().Produces(StatusCodes.Status200OK, contentType: "image/png")
            .Produces(StatusCodes.Status304NotModified).WithSummary("The batch's QR code (mã QR) as PNG, 10 px per module, quiet zone of 4 modules.");
        return routes;
    }

    private static async Task<IResult> ServeAsync(Guid batchId, HttpContext http, LabelStore labels, LabelOptions options, IEventStore store, bool svg)
    {
        var cancellationToken = http.RequestAborted;
        var uri = options.PageUri(batchId);
        var label = await labels.FindAsync(batchId, cancellationToken);
        if (label is null || label.Uri != uri)
        {
            // Cache miss (or the base URL changed): only for a batch that exists.
            var exists = false;
            await foreach (var _ in store.ReadStreamAsync(StreamNames.Batch(batchId), ReadDirection.Forward, 0, 1, cancellationToken)) exists = true;
            if (!exists)
                return Problems.Status(StatusCodes.Status404NotFound, "batch.not_found", "No such batch.", "Không tìm thấy lô hàng.");
            label = QrRenderer.Render(batchId, uri);
            await labels.SaveAsync(label, cancellationToken);
        }

        var bytes = svg ? Encoding.UTF8.GetBytes(label.Svg) : label.Png;
        var etag = new EntityTagHeaderValue($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))[..32]}\"");
        http.Response.Headers.CacheControl = "public, max-age=3600";
        http.Response.Headers.ETag = etag.ToString();
        var ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false)))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(bytes, svg ? "image/svg+xml" : "image/png");
    }
}
