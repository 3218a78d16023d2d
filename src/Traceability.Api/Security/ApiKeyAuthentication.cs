using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Traceability.Api.Security;

/// <summary>Authenticates <c>Authorization: Bearer trc_…</c> (or <c>X-Api-Key</c>) against the key registry.</summary>
public sealed class ApiKeyAuthentication(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    ApiKeyRegistry registry) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? presented = Request.Headers["X-Api-Key"];
        var authorization = Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) presented = authorization[7..].Trim();
        if (string.IsNullOrEmpty(presented)) return AuthenticateResult.NoResult();

        await registry.CaughtUp;
        if (!ApiKeys.TryParse(presented, out var keyId, out var secret) || registry.Find(keyId) is not { } key ||
            !ApiKeys.Matches(secret, key.SecretHash))
            return AuthenticateResult.Fail("The API key is not valid.");

        return AuthenticateResult.Success(new AuthenticationTicket(PrincipalFor(key), SchemeName));
    }

    /// <summary>Who a key's holder is: role, key id, party name and id. Cookie sign-in and the demo seed build the same.</summary>
    public static ClaimsPrincipal PrincipalFor(ApiKeyIssued key, string scheme = SchemeName)
    {
        Claim[] claims =
        [
            new(ClaimTypes.Role, key.Role.ToString().ToLowerInvariant()),
            new(Party.KeyIdClaim, key.KeyId.ToString()),
            new(Party.NameClaim, key.PartyName),
            .. key.PartyId is { } partyId ? [new Claim(Party.IdClaim, partyId.ToString())] : Array.Empty<Claim>(),
        ];
        return new ClaimsPrincipal(new ClaimsIdentity(claims, scheme));
    }
}
