using System.Collections.Immutable;

namespace Traceability.Domain.Cooperatives;

public sealed record Certification(Guid Id, CertificationScheme Scheme, int? OcopStars, string Number, string Issuer,
    DateOnly ValidFrom, DateOnly ValidTo, bool Revoked)
{
    public bool IsValidOn(DateOnly day) => !Revoked && ValidFrom <= day && day <= ValidTo;
}

/// <summary>A cooperative as its events describe it.</summary>
public sealed record Cooperative(Guid Id, CooperativeProfile? Profile, ImmutableDictionary<Guid, Certification> Certifications)
{
    public static Cooperative Initial { get; } = new(Guid.Empty, null, ImmutableDictionary<Guid, Certification>.Empty);

    public bool Exists => Profile is not null;

    public static Cooperative Evolve(Cooperative state, ICooperativeEvent @event) => @event switch
    {
        CooperativeRegistered e => state with { Id = e.CooperativeId, Profile = e.Profile },
        CooperativeProfileUpdated e => state with { Profile = e.Profile },
        CertificationGranted e => state with
        {
            Certifications = state.Certifications.SetItem(e.CertificationId,
                new Certification(e.CertificationId, e.Scheme, e.OcopStars, e.Number, e.Issuer, e.ValidFrom, e.ValidTo, Revoked: false)),
        },
        CertificationRevoked e when state.Certifications.TryGetValue(e.CertificationId, out var c) => state with
        {
            Certifications = state.Certifications.SetItem(e.CertificationId, c with { Revoked = true }),
        },
        _ => state,
    };

    public static Cooperative Fold(IEnumerable<ICooperativeEvent> events) => events.Aggregate(Initial, Evolve);
}
