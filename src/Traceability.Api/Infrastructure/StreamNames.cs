using System.Security.Cryptography;
using System.Text;

namespace Traceability.Api.Infrastructure;

/// <summary>Every stream name the Api writes, in one place.</summary>
public static class StreamNames
{
    public static string Cooperative(Guid id) => $"cooperative-{id:N}";
    public static string Batch(Guid id) => $"batch-{id:N}";
    public static string Buyer(Guid id) => $"buyer-{id:N}";
    public static string ApiKey(Guid id) => $"apikey-{id:N}";

    /// <summary>Reserves a lot number per cooperative and product, so two batches never share one.</summary>
    public static string Lot(Guid cooperativeId, string productKey, string lotNumber) =>
        $"lot-{Digest($"{cooperativeId:N}\n{productKey}\n{lotNumber}")}";

    /// <summary>Reserves a batch's public code (upper case in the code, lower case in the stream name).</summary>
    public static string PublicCode(Domain.Shared.PublicCode code) => $"publiccode-{code.Value.ToLowerInvariant()}";

    /// <summary>The record of a command sent with an Idempotency-Key, per party.</summary>
    public static string Idempotency(string party, string key) => $"idempotency-{Digest($"{party}\n{key}")}";

    private static string Digest(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..40];
}
