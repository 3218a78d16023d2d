namespace Traceability.Domain.Shared;

/// <summary>
/// A Vietnamese address as the country has been organised since 1 July 2025: province or city, then commune,
/// ward or special zone, each with its official administrative-unit code. <see cref="LegacyDistrict"/> keeps the
/// pre-2025 district for documents and plans written before the reform (e.g. "Huyện Cần Giờ").
/// </summary>
public sealed record Address(
    string? Street,
    string CommuneWard,
    string CommuneWardCode,
    string ProvinceCity,
    string ProvinceCityCode,
    string? LegacyDistrict);

/// <summary>A point on the map (WGS 84), e.g. a fishing area or a drying yard.</summary>
public sealed record GeoPoint(decimal Latitude, decimal Longitude);

/// <summary>Who holds or acts on a batch: a cooperative or a buyer (distributor, agent, shop), by id.</summary>
public sealed record PartyRef(PartyKind Kind, Guid Id, string Name);

public enum PartyKind
{
    Cooperative,
    Buyer,
}

/// <summary>What makes an address valid: the current units by name and official code, bounded free text.</summary>
public static class AddressRules
{
    public static void Check(Address? address, string field)
    {
        if (address is null)
            throw new InvalidFieldException(field, "Địa chỉ là bắt buộc.", "An address is required.");
        Text.Require(address.CommuneWard, $"{field}.communeWard", 100);
        Text.Require(address.ProvinceCity, $"{field}.provinceCity", 100);
        Text.Optional(address.Street, $"{field}.street", 200);
        Text.Optional(address.LegacyDistrict, $"{field}.legacyDistrict", 100);
        Text.Digits(address.CommuneWardCode, $"{field}.communeWardCode", 5);
        Text.Digits(address.ProvinceCityCode, $"{field}.provinceCityCode", 2);
    }
}
