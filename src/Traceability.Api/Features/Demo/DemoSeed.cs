using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Demo;

/// <summary>
/// The Cần Giờ demo, seeded on the first start in embedded mode (<c>Demo:Enabled</c>, on by default with SQLite,
/// off with PostgreSQL). Every name says "(demo)". It goes through the same command handlers as the API, each
/// command with its own Idempotency-Key: a second start, or a start after a crash half-way, replays what was
/// done (same ids, nothing appended twice) and does the rest.
/// </summary>
public sealed class DemoSeed(IServiceProvider services, IEventStore store, ApiKeyRegistry registry, TimeProvider time, ILogger<DemoSeed> logger)
{
    /// <summary>The demo cooperative's key: fixed, so the README and the start-up log can name it. Demo data only.</summary>
    public static readonly Guid CooperativeKeyId = Guid.Parse("0d3e0000-0000-7000-8000-00000000c091");

    public static string CooperativeKey { get; } =
        $"trc_{CooperativeKeyId:N}_{Convert.ToBase64String(SHA256.HashData("Traceability demo: HTX Thủy sản Cần Giờ"u8)).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";

    private static readonly Guid AdminKeyId = Guid.Parse("0d3e0000-0000-7000-8000-0000000ad000");

    /// <summary>What the start-up log and tests need: the demo's ids and codes.</summary>
    public sealed record Seeded(Guid CooperativeId, Guid OtherCooperativeId, Guid DistributorId, Guid FishBatchId, Guid ShrimpBatchId,
        Guid RecalledBatchId);

    public static readonly Address CanGio = new("Ấp Long Thạnh", "Xã Cần Giờ", "27676", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");
    public static readonly Address BinhKhanh = new("Ấp Bình Trường", "Xã Bình Khánh", "27658", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");
    public static readonly Address SaiGon = new("12 Lê Lợi", "Phường Sài Gòn", "26740", "Thành phố Hồ Chí Minh", "79", "Quận 1");

    /// <summary>GTIN-13 under GS1 Vietnam's prefix 893 (a made-up company number; the check digit is computed).</summary>
    public static Gtin DemoGtin(string item) => Gtin.Parse($"8930000{item}{Gtin.CheckDigit($"8930000{item}".PadLeft(13, '0'))}", "gtin");

    public async Task<Seeded> RunAsync(CancellationToken cancellationToken)
    {
        var admin = Principal(AdminKeyId, ApiRole.Admin, null, "demo seed");
        var cooperativeId = (await SendAsync<CooperativeChanged>("cooperative", admin, http => RegisterCooperativeEndpoint.Handle(
            new CooperativeProfile("HTX Thủy sản Cần Giờ (demo)", "Can Gio Fisheries Cooperative (demo)", CanGio, null, "0312345678", 25, 40,
                ["fish.one_sun", "shrimp.dried"]), http, Pipeline), cancellationToken)).CooperativeId;
        var otherId = (await SendAsync<CooperativeChanged>("cooperative-2", admin, http => RegisterCooperativeEndpoint.Handle(
            new CooperativeProfile("HTX Nông nghiệp Bình Khánh (demo)", "Binh Khanh Agricultural Cooperative (demo)", BinhKhanh, null, null, 12, 18,
                ["squid.one_sun"]), http, Pipeline), cancellationToken)).CooperativeId;
        var distributorId = (await SendAsync<BuyerResponse>("distributor", admin, http => BuyerEndpoints.Register(
            new RegisterBuyerRequest("Công ty Phân phối Sài Gòn (demo)", SaiGon), http, Pipeline), cancellationToken)).BuyerId;
        await SendAsync<CooperativeChanged>("ocop", admin, http => GrantCertificationEndpoint.Handle(cooperativeId,
            new GrantCertificationRequest(CertificationScheme.Ocop, 4, "OCOP-HCM-2025-0417 (demo)", "UBND Thành phố Hồ Chí Minh",
                new DateOnly(2025, 8, 1), new DateOnly(2028, 7, 31)), http, Pipeline, Reader), cancellationToken);
        await SendAsync<CooperativeChanged>("vietgap", admin, http => GrantCertificationEndpoint.Handle(cooperativeId,
            new GrantCertificationRequest(CertificationScheme.VietGap, null, "VG-TS-0912 (demo)", "Chi cục Thủy sản TP.HCM",
                new DateOnly(2025, 3, 1), new DateOnly(2027, 2, 28)), http, Pipeline, Reader), cancellationToken);
        await EnsureCooperativeKeyAsync(cooperativeId, cancellationToken);

        var coop = Principal(CooperativeKeyId, ApiRole.Cooperative, cooperativeId, "HTX Thủy sản Cần Giờ (demo)");
        var distributor = Principal(Guid.Parse("0d3e0000-0000-7000-8000-0000000b0001"), ApiRole.Buyer, distributorId, "Công ty Phân phối Sài Gòn (demo)");
        var at = new DateTimeOffset(2026, 10, 14, 5, 30, 0, TimeSpan.FromHours(7));
        DateTimeOffset Next(double hours) => at = at.AddHours(hours);

        // Khô cá dứa một nắng: landed at dawn, washed, salted, one sun, inspected, packed, shipped to Saigon and received.
        var fishProduct = new Product("Khô cá dứa một nắng", "One-sun dried catfish (Pangasius kunyit)", "fish.one_sun", DemoGtin("10015"));
        var fishOrigin = new Origin("Vùng biển Cần Giờ – cửa sông Lòng Tàu", new GeoPoint(10.4114m, 106.9538m), new DateOnly(2026, 10, 13),
            new DateOnly(2026, 10, 14), "Tàu CG-90123-TS");
        var fish = Guid.Parse("0d3e0000-0000-7000-8000-00000000f001");
        await SendAsync<BatchChanged>("fish", coop, http => RegisterBatchEndpoint.Handle(new RegisterBatchRequest(fish, fishProduct, "CG-2026-1014",
            Kg(120m), fishOrigin, Next(0), new DateOnly(2027, 1, 14), null), http, Pipeline, Reader), cancellationToken);
        await StepAsync("fish-received", coop, fish, (id, http) => RecordReceivingEndpoint.Handle(id, new ReceivingRequest(Next(0.5), "Bến cá Cần Thạnh",
            "Cá tươi, ướp đá, còn nguyên con", Kg(118.4m), "Tổ đánh bắt số 3"), http, Commands), cancellationToken);
        await StepAsync("fish-washed", coop, fish, (id, http) => RecordWashingEndpoint.Handle(id, new WashingRequest(Next(1), "Nhà sơ chế HTX", null,
            "Rửa nước muối loãng, bỏ ruột, xẻ bướm"), http, Commands), cancellationToken);
        await StepAsync("fish-salted", coop, fish, (id, http) => RecordSaltingEndpoint.Handle(id, new SaltingRequest(Next(1), "Nhà sơ chế HTX",
            "Muối hột Cần Giờ", 8.5m, 3m), http, Commands), cancellationToken);
        var sunUp = Next(3.5);
        await StepAsync("fish-dried", coop, fish, (id, http) => RecordDryingEndpoint.Handle(id, new DryingRequest(Next(9), "Sân phơi HTX, Ấp Long Thạnh",
            "Trời nắng to, gió đông", DryingMethod.Sun, sunUp, at, 38m, Kg(55.2m)), http, Commands), cancellationToken);
        await StepAsync("fish-inspected", coop, fish, (id, http) => RecordInspectionEndpoint.Handle(id, new InspectionRequest(Next(14),
            "Phòng kiểm nghiệm HTX", null, "Tổ kiểm tra chất lượng HTX", InspectionResult.Pass,
            [new Measurement("Độ ẩm", 37.6m, "%"), new Measurement("Muối", 4.1m, "%")], "PKN-2026-117"), http, Commands), cancellationToken);
        await StepAsync("fish-packed", coop, fish, (id, http) => RecordPackingEndpoint.Handle(id, new PackingRequest(Next(2), "Xưởng đóng gói HTX",
            "Túi hút chân không 500 g", 110, Kg(0.5m), new DateOnly(2027, 1, 14)), http, Commands), cancellationToken);
        await StepAsync("fish-stored", coop, fish, (id, http) => RecordStorageEndpoint.Handle(id, new StorageRequest(Next(1), "Kho mát HTX", null,
            "Khô ráo, thoáng mát", 4m), http, Commands), cancellationToken);
        await StepAsync("fish-shipped", coop, fish, (id, http) => ShipBatchEndpoint.Handle(id, new ShippingRequest(Next(20), "Kho mát HTX", null,
            PartyKind.Buyer, distributorId, Kg(55.2m), "Xe tải lạnh 51C-123.45"), http, Commands, Reader), cancellationToken);
        var shipment = await PendingShipmentAsync(fish, cancellationToken);
        if (shipment is { } shipmentId)
            await StepAsync("fish-received-by-distributor", distributor, fish, (id, http) => ConfirmReceiptEndpoint.Handle(id, new ReceiptRequest(Next(3),
                "Kho Công ty Phân phối Sài Gòn, Phường Sài Gòn", "Đủ 110 gói, nguyên vẹn", shipmentId, Kg(55.2m), ReceiptCondition.Good), http, Commands),
                cancellationToken);

        // Tôm khô: boiled, sun-dried over two days (about a fifth of the weight stays), packed; still at the cooperative.
        var shrimp = Guid.Parse("0d3e0000-0000-7000-8000-00000000f002");
        at = new DateTimeOffset(2026, 10, 20, 6, 0, 0, TimeSpan.FromHours(7));
        await SendAsync<BatchChanged>("shrimp", coop, http => RegisterBatchEndpoint.Handle(new RegisterBatchRequest(shrimp,
            new Product("Tôm khô Cần Giờ", "Can Gio dried shrimp", "shrimp.dried", DemoGtin("10022")), "CG-2026-1020", Kg(80m),
            new Origin("Rừng ngập mặn Cần Giờ – vuông tôm Ấp Long Thạnh", new GeoPoint(10.4380m, 106.8810m), new DateOnly(2026, 10, 19),
                new DateOnly(2026, 10, 20), "Hộ nuôi HN-017"), Next(0), new DateOnly(2027, 4, 20), 0.22m), http, Pipeline, Reader), cancellationToken);
        await StepAsync("shrimp-washed", coop, shrimp, (id, http) => RecordWashingEndpoint.Handle(id, new WashingRequest(Next(1), "Nhà sơ chế HTX",
            null, "Rửa sạch, luộc nước muối"), http, Commands), cancellationToken);
        var dryFrom = Next(1);
        await StepAsync("shrimp-dried", coop, shrimp, (id, http) => RecordDryingEndpoint.Handle(id, new DryingRequest(Next(34), "Sân phơi HTX",
            "Phơi hai nắng", DryingMethod.Sun, dryFrom, at, 18m, Kg(17.2m)), http, Commands), cancellationToken);
        await StepAsync("shrimp-packed", coop, shrimp, (id, http) => RecordPackingEndpoint.Handle(id, new PackingRequest(Next(3), "Xưởng đóng gói HTX",
            "Hũ 200 g", 80, new Quantity(200m, QuantityUnit.G), new DateOnly(2027, 4, 20)), http, Commands), cancellationToken);

        // A batch recalled after a failed test: the banner every consumer must see.
        var recalled = Guid.Parse("0d3e0000-0000-7000-8000-00000000f003");
        at = new DateTimeOffset(2026, 11, 2, 5, 45, 0, TimeSpan.FromHours(7));
        await SendAsync<BatchChanged>("recalled", coop, http => RegisterBatchEndpoint.Handle(new RegisterBatchRequest(recalled, fishProduct,
            "CG-2026-1102", Kg(90m), fishOrigin with { HarvestFrom = new DateOnly(2026, 11, 1), HarvestTo = new DateOnly(2026, 11, 2) }, Next(0),
            new DateOnly(2027, 2, 2), null), http, Pipeline, Reader), cancellationToken);
        await StepAsync("recalled-salted", coop, recalled, (id, http) => RecordSaltingEndpoint.Handle(id, new SaltingRequest(Next(2), "Nhà sơ chế HTX",
            null, 8m, 3m), http, Commands), cancellationToken);
        await StepAsync("recalled-inspected", coop, recalled, (id, http) => RecordInspectionEndpoint.Handle(id, new InspectionRequest(Next(30),
            "Trung tâm kiểm nghiệm (demo)", null, "Trung tâm kiểm nghiệm (demo)", InspectionResult.Fail,
            [new Measurement("Histamine", 212m, "mg/kg")], "KN-2026-3391"), http, Commands), cancellationToken);
        await SendAsync<object>("recalled-recall", coop, http => RecallBatchEndpoint.Handle(recalled, new RecallRequest(Next(1),
            "Kết quả kiểm nghiệm histamine vượt ngưỡng cho phép", RecallSeverity.High, "Đề nghị khách hàng ngừng sử dụng và liên hệ HTX để đổi trả"),
            http, Pipeline, Reader), cancellationToken);

        return new Seeded(cooperativeId, otherId, distributorId, fish, shrimp, recalled);
    }

    private CommandPipeline Pipeline => services.GetRequiredService<CommandPipeline>();

    private AggregateReader Reader => services.GetRequiredService<AggregateReader>();

    private BatchCommands Commands => services.GetRequiredService<BatchCommands>();

    private static Quantity Kg(decimal amount) => new(amount, QuantityUnit.Kg);

    private Task StepAsync(string key, ClaimsPrincipal user, Guid batchId, Func<Guid, HttpContext, Task<IResult>> step, CancellationToken cancellationToken) =>
        SendAsync<BatchChanged>(key, user, http => step(batchId, http), cancellationToken);

    /// <summary>
    /// Runs one handler as if it came over HTTP with <c>Idempotency-Key: demo-{key}</c>, executes its result into a
    /// buffer and reads the body. A refusal stops the seed with the handler's own problem text.
    /// </summary>
    private async Task<T> SendAsync<T>(string key, ClaimsPrincipal user, Func<HttpContext, Task<IResult>> handler, CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider, User = user, RequestAborted = cancellationToken };
        http.Request.Method = "POST";
        http.Request.Headers[CommandPipeline.IdempotencyHeader] = $"demo-{key}";
        http.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes(key));
        var body = new MemoryStream();
        http.Response.Body = body;
        var result = await handler(http);
        await result.ExecuteAsync(http);
        var text = Encoding.UTF8.GetString(body.ToArray());
        if (http.Response.StatusCode is < 200 or > 299)
            throw new InvalidOperationException($"Demo step '{key}' was refused ({http.Response.StatusCode}): {text}");
        return typeof(T) == typeof(object) ? default! : JsonSerializer.Deserialize<T>(text, Json.Options)!;
    }

    private async Task<Guid?> PendingShipmentAsync(Guid batchId, CancellationToken cancellationToken)
    {
        var (state, _) = await Reader.LoadBatchAsync(batchId, cancellationToken);
        return state.Shipment?.ShipmentId;
    }

    private async Task EnsureCooperativeKeyAsync(Guid cooperativeId, CancellationToken cancellationToken)
    {
        if (registry.Find(CooperativeKeyId) is not null) return;
        ApiKeys.TryParse(CooperativeKey, out _, out var secret);
        var issued = new ApiKeyIssued(CooperativeKeyId, ApiKeys.Hash(secret), ApiRole.Cooperative, cooperativeId, "HTX Thủy sản Cần Giờ (demo)",
            time.GetUtcNow());
        var metadata = new EventMetadata("demo", null, Guid.CreateVersion7(), Guid.CreateVersion7(), null, null);
        try
        {
            await store.AppendAsync(StreamNames.ApiKey(CooperativeKeyId), ExpectedRevision.NoStream, [EventCodec.Encode(issued, metadata)], cancellationToken);
        }
        catch (WrongExpectedRevisionException)
        {
            logger.LogDebug("The demo cooperative key was issued before");
        }

        registry.Apply(issued);
    }

    private static ClaimsPrincipal Principal(Guid keyId, ApiRole role, Guid? partyId, string name) =>
        ApiKeyAuthentication.PrincipalFor(new ApiKeyIssued(keyId, "", role, partyId, name, DateTimeOffset.UnixEpoch));
}
