using Traceability.Domain.Cooperatives;
using static Traceability.Domain.Tests.CanGio;
using static Traceability.Domain.Tests.CooperativeSpec;

namespace Traceability.Domain.Tests;

public class CooperativeSpecs
{
    private static readonly DateTimeOffset Now = At(1, 9);
    private static readonly Guid Ocop = Guid.Parse("0c0b0000-0000-4000-8000-000000000001");
    private static readonly Guid VietGap = Guid.Parse("0c0b0000-0000-4000-8000-000000000002");

    private static CooperativeRegistered Registered() => new(CooperativeId, Profile, Now);

    private static GrantCertification GrantOcop(int? stars = 4, DateOnly? from = null, DateOnly? to = null, string number = "OCOP-HCM-2024-0123") =>
        new(CooperativeId, Ocop, CertificationScheme.Ocop, stars, number, "UBND Thành phố Hồ Chí Minh", from ?? new DateOnly(2024, 12, 1),
            to ?? new DateOnly(2027, 11, 30), Now);

    private static CertificationGranted OcopGranted(int? stars = 4, DateOnly? from = null, DateOnly? to = null) =>
        new(CooperativeId, Ocop, CertificationScheme.Ocop, stars, "OCOP-HCM-2024-0123", "UBND Thành phố Hồ Chí Minh", from ?? new DateOnly(2024, 12, 1),
            to ?? new DateOnly(2027, 11, 30), Now);

    // --- Registration ---
    [Fact]
    public void A_new_cooperative_registers_with_its_post_2025_address() =>
        Given().When(new RegisterCooperative(CooperativeId, Profile, Now)).Then(Registered());

    [Fact]
    public void A_cooperative_registers_only_once() =>
        Given(Registered()).When(new RegisterCooperative(CooperativeId, Profile, Now)).ThenFails("cooperative.already_registered");

    [Theory]
    [InlineData("nameVi")]
    [InlineData("nameEn")]
    [InlineData("address.communeWard")]
    [InlineData("address.communeWardCode")]
    [InlineData("address.provinceCityCode")]
    [InlineData("address.legacyDistrict")]
    [InlineData("gln")]
    [InlineData("taxCode")]
    [InlineData("memberCount")]
    [InlineData("workerCount")]
    [InlineData("productCategories")]
    public void A_malformed_profile_field_is_rejected(string field) =>
        Given().When(new RegisterCooperative(CooperativeId, Broken(field), Now)).ThenInvalid(field);

    private static CooperativeProfile Broken(string field) => field switch
    {
        "nameVi" => Profile with { NameVi = Nfd("HTX Thủy sản Cần Giờ") },
        "nameEn" => Profile with { NameEn = "Can Gio\u0000Seafood" },
        "address.communeWard" => Profile with { Address = Address with { CommuneWard = "  " } },
        "address.communeWardCode" => Profile with { Address = Address with { CommuneWardCode = "2767" } },
        "address.provinceCityCode" => Profile with { Address = Address with { ProvinceCityCode = "079" } },
        "address.legacyDistrict" => Profile with { Address = Address with { LegacyDistrict = Nfd("Huyện Cần Giờ") } },
        "gln" => Profile with { Gln = Gln[..12] + (Gln[12] == '9' ? '0' : (char)(Gln[12] + 1)) },
        "taxCode" => Profile with { TaxCode = "031234567" },
        "memberCount" => Profile with { MemberCount = -1 },
        "workerCount" => Profile with { WorkerCount = 1_000_001 },
        "productCategories" => Profile with { ProductCategories = ["fish.one_sun", "tôm\u0007khô"] },
        _ => throw new ArgumentOutOfRangeException(nameof(field)),
    };

    [Fact]
    public void A_branch_tax_code_and_no_GLN_are_accepted()
    {
        var profile = Profile with { TaxCode = "0312345678-001", Gln = null, NameEn = null };
        Given().When(new RegisterCooperative(CooperativeId, profile, Now)).Then(new CooperativeRegistered(CooperativeId, profile, Now));
    }

    [Theory]
    [InlineData("03-1234567")]
    [InlineData("----------")]
    [InlineData("0312345678001-")]
    public void A_tax_code_that_is_not_10_digits_or_10_dash_3_is_rejected(string taxCode) =>
        Given().When(new RegisterCooperative(CooperativeId, Profile with { TaxCode = taxCode }, Now)).ThenInvalid("taxCode");

    // --- Profile updates ---
    [Fact]
    public void An_updated_profile_is_recorded()
    {
        var profile = Profile with { MemberCount = 45, Address = Address with { Street = "Đường Thạnh Thới, ấp Thạnh Bình" } };
        Given(Registered()).When(new UpdateCooperativeProfile(CooperativeId, profile, At(2, 9)))
            .Then(new CooperativeProfileUpdated(CooperativeId, profile, At(2, 9)));
    }

    [Fact]
    public void An_unchanged_profile_records_nothing() =>
        Given(Registered()).When(new UpdateCooperativeProfile(CooperativeId, Profile, At(2, 9))).ThenNothing();

    [Fact]
    public void An_unchanged_profile_sent_again_by_a_client_records_nothing()
    {
        // What the API sees: the same values, deserialised into new objects (a new list of categories).
        var resent = Profile with { ProductCategories = [.. Profile.ProductCategories] };
        Given(Registered()).When(new UpdateCooperativeProfile(CooperativeId, resent, At(2, 9))).ThenNothing();
    }

    [Fact]
    public void An_unknown_cooperative_cannot_be_updated() =>
        Given().When(new UpdateCooperativeProfile(CooperativeId, Profile, At(2, 9))).ThenFails("cooperative.not_found");

    [Fact]
    public void An_update_is_checked_like_a_registration() =>
        Given(Registered()).When(new UpdateCooperativeProfile(CooperativeId, Broken("address.communeWardCode"), At(2, 9)))
            .ThenInvalid("address.communeWardCode");

    // --- Certifications ---
    [Theory]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void OCOP_is_granted_with_3_to_5_stars(int stars) =>
        Given(Registered()).When(GrantOcop(stars)).Then(OcopGranted(stars));

    [Theory]
    [InlineData(null)]
    [InlineData(2)]
    [InlineData(6)]
    public void OCOP_without_3_to_5_stars_is_rejected(int? stars) =>
        Given(Registered()).When(GrantOcop(stars)).ThenFails("certification.ocop_stars");

    [Fact]
    public void VietGAP_is_granted_without_stars() =>
        Given(Registered()).When(GrantOcop(null) with { CertificationId = VietGap, Scheme = CertificationScheme.VietGap, Number = "VietGAP-TS-19-03-79-0042" })
            .Then(OcopGranted(null) with { CertificationId = VietGap, Scheme = CertificationScheme.VietGap, Number = "VietGAP-TS-19-03-79-0042" });

    [Fact]
    public void Only_OCOP_has_stars() =>
        Given(Registered()).When(GrantOcop(4) with { CertificationId = VietGap, Scheme = CertificationScheme.VietGap })
            .ThenFails("certification.stars_not_ocop");

    [Fact]
    public void A_certification_valid_for_a_single_day_is_granted() =>
        Given(Registered()).When(GrantOcop(from: Day(20), to: Day(20))).Then(OcopGranted(from: Day(20), to: Day(20)));

    [Fact]
    public void A_certification_ending_before_it_starts_is_rejected() =>
        Given(Registered()).When(GrantOcop(from: Day(20), to: Day(19))).ThenFails("certification.invalid_window");

    [Fact]
    public void A_certification_is_granted_once() =>
        Given(Registered(), OcopGranted()).When(GrantOcop()).ThenFails("certification.already_granted");

    [Fact]
    public void A_certification_needs_a_number() =>
        Given(Registered()).When(GrantOcop(number: " ")).ThenInvalid("number");

    [Fact]
    public void An_unknown_cooperative_gets_no_certification() =>
        Given().When(GrantOcop()).ThenFails("cooperative.not_found");

    [Fact]
    public void A_certification_is_valid_within_its_window_until_revoked()
    {
        var granted = Given(Registered(), OcopGranted()).State.Certifications[Ocop];
        Assert.False(granted.IsValidOn(new DateOnly(2024, 11, 30)));
        Assert.True(granted.IsValidOn(new DateOnly(2024, 12, 1)));
        Assert.True(granted.IsValidOn(new DateOnly(2027, 11, 30)));
        Assert.False(granted.IsValidOn(new DateOnly(2027, 12, 1)));

        var revoked = Given(Registered(), OcopGranted(), new CertificationRevoked(CooperativeId, Ocop, "Sai sót hồ sơ", At(2, 9))).State.Certifications[Ocop];
        Assert.False(revoked.IsValidOn(new DateOnly(2025, 3, 2)));
    }

    [Fact]
    public void A_certification_is_revoked_with_a_reason() =>
        Given(Registered(), OcopGranted()).When(new RevokeCertification(CooperativeId, Ocop, "Sai sót hồ sơ", At(2, 9)))
            .Then(new CertificationRevoked(CooperativeId, Ocop, "Sai sót hồ sơ", At(2, 9)));

    [Fact]
    public void A_revocation_needs_a_reason() =>
        Given(Registered(), OcopGranted()).When(new RevokeCertification(CooperativeId, Ocop, "", At(2, 9))).ThenInvalid("reason");

    [Fact]
    public void An_unknown_certification_cannot_be_revoked() =>
        Given(Registered()).When(new RevokeCertification(CooperativeId, Ocop, "Sai sót hồ sơ", At(2, 9))).ThenFails("certification.not_found");

    [Fact]
    public void A_certification_is_revoked_once() =>
        Given(Registered(), OcopGranted(), new CertificationRevoked(CooperativeId, Ocop, "Sai sót hồ sơ", At(2, 9)))
            .When(new RevokeCertification(CooperativeId, Ocop, "Lần nữa", At(3, 9))).ThenFails("certification.already_revoked");
}
