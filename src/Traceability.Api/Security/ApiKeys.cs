using System.Security.Cryptography;
using System.Text;

namespace Traceability.Api.Security;

/// <summary>
/// Key format: <c>trc_{key id, 32 hex}_{secret, 43 base64url chars}</c>. The id finds the key; the secret is
/// compared by its hash in constant time.
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "trc_";

    public static (Guid KeyId, string Key, string SecretHash) Create(Guid keyId)
    {
        var secret = Base64Url(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId:N}_{secret}", Hash(secret));
    }

    public static bool TryParse(string? key, out Guid keyId, out string secret)
    {
        keyId = Guid.Empty;
        secret = "";
        if (key is null || key.Length != Prefix.Length + 32 + 1 + 43 || !key.StartsWith(Prefix, StringComparison.Ordinal) || key[Prefix.Length + 32] != '_')
            return false;
        secret = key[(Prefix.Length + 33)..];
        return Guid.TryParseExact(key.AsSpan(Prefix.Length, 32), "N", out keyId);
    }

    public static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    public static bool Matches(string secret, string storedHash) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(secret)), Encoding.ASCII.GetBytes(storedHash));

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
