using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.Keys;
using Traceability.Api.Security;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;

namespace Traceability.IntegrationTests.Api;

/// <summary>
/// The parties of the Cần Giờ flow, registered through the Api by its admin: the cooperative, a second
/// cooperative, a distributor in central Ho Chi Minh City and a retailer, each with its own API key.
/// </summary>
public sealed record CanGioParties(
    HttpClient Admin,
    HttpClient Anonymous,
    Guid CooperativeId,
    HttpClient Cooperative,
    Guid OtherCooperativeId,
    HttpClient OtherCooperative,
    Guid DistributorId,
    HttpClient Distributor,
    Guid RetailerId,
    HttpClient Retailer)
{
    public static readonly Address CanGio = new("Ấp Long Thạnh", "Xã Cần Giờ", "27676", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");

    public static CooperativeProfile Profile(string name) =>
        new(name, "Can Gio Fisheries Cooperative (demo)", CanGio, null, "0312345678", 25, 40, ["fish.one_sun", "shrimp.dried"]);

    public static async Task<CanGioParties> RegisterAsync(ApiFactory api)
    {
        var admin = api.ClientFor(api.AdminKey);
        var cooperative = await RegisterCooperativeAsync(admin, "HTX Thủy sản Cần Giờ (demo)");
        var other = await RegisterCooperativeAsync(admin, "HTX Nông nghiệp Bình Khánh (demo)");
        var distributor = await RegisterBuyerAsync(admin, "Công ty Phân phối Sài Gòn (demo)",
            new Address("12 Lê Lợi", "Phường Sài Gòn", "26740", "Thành phố Hồ Chí Minh", "79", "Quận 1"));
        var retailer = await RegisterBuyerAsync(admin, "Cửa hàng Đặc sản Bến Thành (demo)",
            new Address("45 Lê Thánh Tôn", "Phường Bến Thành", "26743", "Thành phố Hồ Chí Minh", "79", "Quận 1"));
        return new CanGioParties(admin, api.ClientFor(null),
            cooperative, api.ClientFor(await IssueKeyAsync(admin, ApiRole.Cooperative, cooperative)),
            other, api.ClientFor(await IssueKeyAsync(admin, ApiRole.Cooperative, other)),
            distributor, api.ClientFor(await IssueKeyAsync(admin, ApiRole.Buyer, distributor)),
            retailer, api.ClientFor(await IssueKeyAsync(admin, ApiRole.Buyer, retailer)));
    }

    private static async Task<Guid> RegisterCooperativeAsync(HttpClient admin, string name) =>
        (await (await admin.PostJson("/api/cooperatives", Profile(name))).Read<CooperativeChanged>()).CooperativeId;

    private static async Task<Guid> RegisterBuyerAsync(HttpClient admin, string name, Address address) =>
        (await (await admin.PostJson("/api/buyers", new RegisterBuyerRequest(name, address))).Read<BuyerResponse>()).BuyerId;

    public static async Task<string> IssueKeyAsync(HttpClient admin, ApiRole role, Guid? party) =>
        (await (await admin.PostJson("/api/keys", new IssueKeyRequest(role, party))).Read<IssuedKeyResponse>()).Key;
}
