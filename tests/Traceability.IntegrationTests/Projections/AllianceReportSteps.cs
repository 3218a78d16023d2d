using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Security;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Hosting;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Projections;

/// <summary>
/// Steps with explicit business times, for the catalogue and alliance-report tests: a batch may be registered with a
/// production time in the past and its steps dated then (never before the previous step, never in the future).
/// </summary>
public static class AllianceReportSteps
{
    public static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);

    public static readonly Address BinhKhanh = new("Ấp Bình Thạnh", "Xã Bình Khánh", "27667", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");

    /// <summary>A unit in another province, without a legacy district; its name needs CSV quoting (a comma and quotes).</summary>
    public static readonly Address CanGiuoc = new(null, "Xã Cần Giuộc (thử nghiệm, \"demo\")", "27790", "Tỉnh Tây Ninh", "80", null);

    public static Product DriedShrimp => new("Tôm khô Cần Giờ", "Dried shrimp", "shrimp.dried", null);

    public static Product SeaSalt => new("Muối hạt Bình Khánh", "Sea salt", "salt", null);

    public static Product FreshFishWithGtin => new("Cá dứa tươi", "Fresh catfish", "fish.fresh", Gtin.Parse("8931234500016", "gtin"));

    public static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    /// <summary>Waits, bounded, until every projection has applied everything written so far.</summary>
    public static async Task SettleProjectionsAsync(ApiFactory api) =>
        await api.Services.GetRequiredService<Projector>().WaitForAsync(await SettleAsync(api), Bounded());

    public static DateTimeOffset Vn(int year, int month, int day, int hour, int minute = 0) => new(year, month, day, hour, minute, 0, Vietnam);

    public static async Task<(Guid Id, HttpClient Client)> RegisterCooperativeAsync(ApiFactory api, HttpClient admin, CooperativeProfile profile)
    {
        var id = (await (await admin.PostJson("/api/cooperatives", profile)).Read<CooperativeChanged>()).CooperativeId;
        return (id, api.ClientFor(await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, id)));
    }

    public static async Task<Guid> RegisterBatchAtAsync(HttpClient cooperative, string lot, Product product, DateTimeOffset producedAt, decimal kg = 100m) =>
        (await (await cooperative.PostJson("/api/batches", new RegisterBatchRequest(null, product, lot, Kg(kg), null, producedAt, null, null)))
            .Read<BatchChanged>()).BatchId;

    public static async Task WashAsync(HttpClient client, Guid batch, DateTimeOffset at) =>
        await (await client.PostJson($"/api/batches/{batch}/washing", new WashingRequest(at, "Xưởng HTX", null, "Nước sạch"))).Read<BatchChanged>();

    /// <summary>Ships the whole batch; returns the shipment id.</summary>
    public static async Task<Guid> ShipAsync(HttpClient from, Guid batch, PartyKind toKind, Guid to, DateTimeOffset at)
    {
        var onHand = (await SummaryAsync(from, batch)).OnHand;
        await (await from.PostJson($"/api/batches/{batch}/shipments", new ShippingRequest(at, "Kho HTX", null, toKind, to, onHand, "Xe tải lạnh")))
            .Read<BatchChanged>();
        return (await SummaryAsync(from, batch)).Shipment?.ShipmentId ?? throw new InvalidOperationException("No pending shipment.");
    }

    public static async Task ConfirmAsync(HttpClient to, Guid batch, Guid shipment, DateTimeOffset at)
    {
        var quantity = (await SummaryAsync(to, batch)).Shipment!.Quantity;
        await (await to.PostJson($"/api/batches/{batch}/receipts", new ReceiptRequest(at, "Kho bên nhận", null, shipment, quantity, ReceiptCondition.Good)))
            .Read<BatchChanged>();
    }

    public static async Task RecallAsync(HttpClient client, Guid batch, DateTimeOffset at) =>
        await (await client.PostJson($"/api/batches/{batch}/recall", new RecallRequest(at, "Phát hiện vượt ngưỡng vi sinh (kiểm thử)", RecallSeverity.High, null)))
            .Read<RecallResponse>();
}
