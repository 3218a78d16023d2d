using System.Security.Claims;
using Traceability.Domain.Shared;

namespace Traceability.Api.Security;

/// <summary>The organisation a request acts for, read from its authenticated key.</summary>
public static class Party
{
    public const string IdClaim = "party_id";
    public const string NameClaim = "party_name";
    public const string KeyIdClaim = "key_id";

    public static class Roles
    {
        public const string Admin = "admin";
        public const string Cooperative = "cooperative";
        public const string Buyer = "buyer";
    }

    public static class Policies
    {
        public const string Admin = "admin";
        public const string Cooperative = "cooperative";
        /// <summary>Any organisation that can hold a batch: cooperatives and buyers.</summary>
        public const string Holder = "holder";
        /// <summary>The cooperative named by the route's <c>cooperativeId</c>, or an admin.</summary>
        public const string OwnCooperative = "own-cooperative";
    }

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(Roles.Admin);

    public static Guid? KeyId(this ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(KeyIdClaim), out var id) ? id : null;

    public static Guid? PartyId(this ClaimsPrincipal user) => Guid.TryParse(user.FindFirstValue(IdClaim), out var id) ? id : null;

    /// <summary>The acting party as the domain sees it; admins act as themselves (no custody).</summary>
    public static PartyRef ToPartyRef(this ClaimsPrincipal user) => new(
        user.IsInRole(Roles.Buyer) ? PartyKind.Buyer : PartyKind.Cooperative,
        user.PartyId() ?? Guid.Empty,
        user.FindFirstValue(NameClaim) ?? "");

    /// <summary>A stable label for event metadata and idempotency records.</summary>
    public static string Label(this ClaimsPrincipal user) =>
        user.IsAdmin() ? $"admin:{user.KeyId()}" : $"{user.FindFirstValue(ClaimTypes.Role)}:{user.PartyId()}";
}
