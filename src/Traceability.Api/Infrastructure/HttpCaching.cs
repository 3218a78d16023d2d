using System.Security.Cryptography;
using Microsoft.Net.Http.Headers;

namespace Traceability.Api.Infrastructure;

/// <summary>Serves bytes with an ETag made from their content, answering a matching If-None-Match with 304.</summary>
public static class HttpCaching
{
    public static string ETagOf(ReadOnlySpan<byte> content) => $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..32]}\"";

    public static IResult Serve(HttpContext http, byte[] content, string contentType, string cacheControl, string? etag = null)
    {
        var tag = new EntityTagHeaderValue(etag ?? ETagOf(content));
        http.Response.Headers.CacheControl = cacheControl;
        http.Response.Headers.ETag = tag.ToString();
        var ifNoneMatch = http.Request.GetTypedHeaders().IfNoneMatch;
        if (ifNoneMatch.Any(t => t.Equals(EntityTagHeaderValue.Any) || t.Compare(tag, useStrongComparison: false)))
            return Results.StatusCode(StatusCodes.Status304NotModified);
        return Results.Bytes(content, contentType);
    }
}
