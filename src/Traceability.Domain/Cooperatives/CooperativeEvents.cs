using Traceability.Domain.Shared;

namespace Traceability.Domain.Cooperatives;

/// <summary>Events of a cooperative's stream (<c>cooperative-{id}</c>). Organisation data only: no personal data.</summary>
public interface ICooperativeEvent;

public enum CertificationScheme
{
    VietGap,
    GlobalGap,
    Ocop,
    Haccp,
    Iso22000,
    Organic,
    Other,
}

/// <summary>The profile a cooperative registers and updates; contact persons live in the erasable personal-data table.</summary>
public sealed record CooperativeProfile(
    string NameVi,
    string? NameEn,
    Address Address,
    string? Gln,
    string? TaxCode,
    int MemberCount,
    int WorkerCount,
    IReadOnlyList<string> ProductCategories);

[EventType("cooperative.registered.v1")]
public sealed record CooperativeRegistered(Guid CooperativeId, CooperativeProfile Profile, DateTimeOffset RegisteredAt) : ICooperativeEvent;

[EventType("cooperative.profile_updated.v1")]
public sealed record CooperativeProfileUpdated(Guid CooperativeId, CooperativeProfile Profile, DateTimeOffset UpdatedAt) : ICooperativeEvent;

[EventType("cooperative.certification_granted.v1")]
public sealed record CertificationGranted(
    Guid CooperativeId,
    Guid CertificationId,
    CertificationScheme Scheme,
    int? OcopStars,
    string Number,
    string Issuer,
    DateOnly ValidFrom,
    DateOnly ValidTo,
    DateTimeOffset GrantedAt) : ICooperativeEvent;

[EventType("cooperative.certification_revoked.v1")]
public sealed record CertificationRevoked(Guid CooperativeId, Guid CertificationId, string Reason, DateTimeOffset RevokedAt) : ICooperativeEvent;
