using Traceability.Domain.Shared;

namespace Traceability.Domain.Cooperatives;

public sealed record RegisterCooperative(Guid CooperativeId, CooperativeProfile Profile, DateTimeOffset Now);

public sealed record UpdateCooperativeProfile(Guid CooperativeId, CooperativeProfile Profile, DateTimeOffset Now);

public sealed record GrantCertification(Guid CooperativeId, Guid CertificationId, CertificationScheme Scheme, int? OcopStars,
    string Number, string Issuer, DateOnly ValidFrom, DateOnly ValidTo, DateTimeOffset Now);

public sealed record RevokeCertification(Guid CooperativeId, Guid CertificationId, string Reason, DateTimeOffset Now);

/// <summary>Pure decisions on a cooperative: state and command in, events out, or a <see cref="DomainException"/>.</summary>
public static class CooperativeDecisions
{
    public static IReadOnlyList<ICooperativeEvent> Decide(Cooperative state, RegisterCooperative command)
    {
        if (state.Exists)
            throw new DomainException("cooperative.already_registered", "Hợp tác xã này đã được đăng ký.", "This cooperative is already registered.");
        ProfileRules.Check(command.Profile);
        return [new CooperativeRegistered(command.CooperativeId, command.Profile, command.Now)];
    }

    public static IReadOnlyList<ICooperativeEvent> Decide(Cooperative state, UpdateCooperativeProfile command)
    {
        RequireExists(state);
        ProfileRules.Check(command.Profile);
        return ProfileRules.Same(state.Profile, command.Profile) ? [] : [new CooperativeProfileUpdated(command.CooperativeId, command.Profile, command.Now)];
    }

    public static IReadOnlyList<ICooperativeEvent> Decide(Cooperative state, GrantCertification command)
    {
        RequireExists(state);
        if (state.Certifications.ContainsKey(command.CertificationId))
            throw new DomainException("certification.already_granted", "Chứng nhận này đã được cấp.", "This certification is already granted.");
        if (command.ValidTo < command.ValidFrom)
            throw new DomainException("certification.invalid_window", "Ngày hết hạn phải sau ngày hiệu lực.",
                "A certification must end on or after the day it starts.");
        if (command.Scheme == CertificationScheme.Ocop && command.OcopStars is not (>= 3 and <= 5))
            throw new DomainException("certification.ocop_stars", "Chứng nhận OCOP phải có từ 3 đến 5 sao.",
                "An OCOP certification has 3 to 5 stars.");
        if (command.Scheme != CertificationScheme.Ocop && command.OcopStars is not null)
            throw new DomainException("certification.stars_not_ocop", "Chỉ chứng nhận OCOP mới có số sao.", "Only OCOP certifications have stars.");
        Text.Require(command.Number, "number", 100);
        Text.Require(command.Issuer, "issuer", 200);
        return [new CertificationGranted(command.CooperativeId, command.CertificationId, command.Scheme, command.OcopStars,
            command.Number, command.Issuer, command.ValidFrom, command.ValidTo, command.Now)];
    }

    public static IReadOnlyList<ICooperativeEvent> Decide(Cooperative state, RevokeCertification command)
    {
        RequireExists(state);
        if (!state.Certifications.TryGetValue(command.CertificationId, out var certification))
            throw new DomainException("certification.not_found", "Không tìm thấy chứng nhận.", "No such certification.");
        if (certification.Revoked)
            throw new DomainException("certification.already_revoked", "Chứng nhận đã bị thu hồi.", "This certification is already revoked.");
        Text.Require(command.Reason, "reason", 500);
        return [new CertificationRevoked(command.CooperativeId, command.CertificationId, command.Reason, command.Now)];
    }

    private static void RequireExists(Cooperative state)
    {
        if (!state.Exists)
            throw new DomainException("cooperative.not_found", "Không tìm thấy hợp tác xã.", "No such cooperative.");
    }
}

internal static partial class ProfileRules
{
    [System.Text.RegularExpressions.GeneratedRegex(@"^[0-9]{10}(-[0-9]{3})?\z")]
    private static partial System.Text.RegularExpressions.Regex TaxCodePattern();

    /// <summary>Equal profiles, lists compared by content (a profile read from a request is never the same list object).</summary>
    public static bool Same(CooperativeProfile? a, CooperativeProfile b) =>
        a is not null && a with { ProductCategories = b.ProductCategories } == b && a.ProductCategories.SequenceEqual(b.ProductCategories);

    public static void Check(CooperativeProfile profile)
    {
        Text.Require(profile.NameVi, "nameVi", 200);
        Text.Optional(profile.NameEn, "nameEn", 200);
        AddressRules.Check(profile.Address, "address");
        if (profile.Gln is not null && (profile.Gln.Length != 13 || !profile.Gln.All(char.IsAsciiDigit) ||
                                        Gtin.CheckDigit(profile.Gln.AsSpan(0, 12)) != profile.Gln[12] - '0'))
            throw new InvalidFieldException("gln", "Mã GLN không hợp lệ (13 chữ số, số kiểm tra đúng).", "Not a valid GLN: 13 digits with a correct check digit.");
        if (profile.TaxCode is not null && !TaxCodePattern().IsMatch(profile.TaxCode))
            throw new InvalidFieldException("taxCode", "Mã số thuế không hợp lệ (10 chữ số, hoặc 10-3 cho chi nhánh).",
                "Not a valid tax code: 10 digits, or 10-3 for a branch.");
        if (profile.MemberCount is < 0 or > 1_000_000)
            throw new InvalidFieldException("memberCount", "Số thành viên không hợp lệ.", "The member count must be between 0 and 1,000,000.");
        if (profile.WorkerCount is < 0 or > 1_000_000)
            throw new InvalidFieldException("workerCount", "Số lao động không hợp lệ.", "The worker count must be between 0 and 1,000,000.");
        if (profile.ProductCategories is null || profile.ProductCategories.Count > 50 || profile.ProductCategories.Any(c => c is null))
            throw new InvalidFieldException("productCategories", "Tối đa 50 nhóm sản phẩm, không để trống.", "At most 50 product categories, none empty.");
        foreach (var category in profile.ProductCategories) Text.Require(category, "productCategories", 100);
    }
}
