using Traceability.Domain.Shared;

namespace Traceability.Api.Security;

public enum ApiRole
{
    Admin,
    Cooperative,
    Buyer,
}

/// <summary>
/// An API key was issued. Only the SHA-256 of its secret is stored, so the event log never holds a usable key.
/// <see cref="PartyId"/> is the cooperative or buyer the key acts for (none for admins).
/// </summary>
[EventType("apikey.issued.v1")]
public sealed record ApiKeyIssued(Guid KeyId, string SecretHash, ApiRole Role, Guid? PartyId, string PartyName, DateTimeOffset IssuedAt);

[EventType("apikey.revoked.v1")]
public sealed record ApiKeyRevoked(Guid KeyId, DateTimeOffset RevokedAt);
