using System.Net;
using System.Text;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>
/// Khô cá dứa một nắng from the boat to the shop, through the HTTP Api only: landing, receiving, washing, salting,
/// sun-drying, inspection, packing, storage, shipment to a distributor, then on to a retailer.
/// </summary>
public sealed class CanGioFlowTests
{
    private const string Landing = "Bến cá Cần Thạnh, xã Cần Giờ";
    private const string DryingYard = "Sân phơi Long Hòa – phơi một nắng";
    private const string Inspector = "Tổ kiểm soát chất lượng HTX";

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Dried_fish_travels_from_the_boat_to_the_retailer_with_its_whole_record(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var gtinData = "893456789012";
        var gtin = Gtin.Parse(gtinData + Gtin.CheckDigit(gtinData), "gtin");
        var product = new Product("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", gtin);
        var origin = FishingArea(clock);

        // Fishers land the raw fish: the cooperative registers the batch (lô hàng) with its fishing area and dates.
        var register = await p.Cooperative.PostJson("/api/batches",
            new RegisterBatchRequest(null, product, "CG-2025-0815", Kg(120m), origin, clock.Next(), null, null));
        var registered = await register.Read<BatchChanged>();
        Assert.Equal(HttpStatusCode.Created, register.StatusCode);
        Assert.Equal(0, registered.Revision);
        Assert.Equal("batch.registered.v1", registered.EventType);
        Assert.Equal("\"0\"", register.Headers.ETag?.Tag);
        Assert.Equal($"/api/batches/{registered.BatchId}", register.Headers.Location?.OriginalString);
        var id = registered.BatchId;

        var raw = await SummaryAsync(p.Anonymous, id);
        Assert.Equal(BatchStatus.Active, raw.Status);
        Assert.Equal(ProcessingStage.Raw, raw.Stage);
        Assert.Equal(Kg(120m), raw.OnHand);
        Assert.Equal(p.CooperativeId, raw.Custodian.Id);

        // The cooperative receives and weighs it: the weighed quantity is what is on hand.
        await StepAsync(p.Cooperative, id, "receiving",
            new ReceivingRequest(clock.Next(), Landing, "Cá tươi, ướp đá, còn nguyên con", Kg(118.4m), "Tổ đánh bắt số 3"), 1, "batch.received.v1");
        Assert.Equal(Kg(118.4m), (await SummaryAsync(p.Anonymous, id)).OnHand);

        await StepAsync(p.Cooperative, id, "washing",
            new WashingRequest(clock.Next(), "Nhà sơ chế HTX", null, "Rửa nước muối loãng, bỏ ruột, xẻ bướm"), 2, "batch.washed.v1");
        await StepAsync(p.Cooperative, id, "salting",
            new SaltingRequest(clock.Next(), "Nhà sơ chế HTX", "Muối hột Cần Giờ", 8.5m, 3m), 3, "batch.salted.v1");

        // Sun-dried: the weight after is at most half the fish (the one-sun yield); more is refused.
        var dryingStart = clock.Next();
        var dryingEnd = clock.Next();
        var overDried = await p.Cooperative.PostJson($"/api/batches/{id}/drying",
            new DryingRequest(clock.Current, DryingYard, null, DryingMethod.Sun, dryingStart, dryingEnd, 38m, Kg(59.3m)));
        Assert.Equal("batch.mass_balance", CodeOf(await overDried.Problem(422)));
        await StepAsync(p.Cooperative, id, "drying",
            new DryingRequest(clock.Current, DryingYard, "Trời nắng to, gió đông", DryingMethod.Sun, dryingStart, dryingEnd, 38m, Kg(55.2m)), 4,
            "batch.dried.v1");
        var dried = await SummaryAsync(p.Anonymous, id);
        Assert.Equal(ProcessingStage.Dried, dried.Stage);
        Assert.Equal(Kg(55.2m), dried.OnHand);

        Measurement[] measurements = [new("Độ ẩm", 38.0m, "%"), new("Hàm lượng muối", 3.2m, "%"), new("Histamin", 12m, "mg/kg")];
        await StepAsync(p.Cooperative, id, "inspections",
            new InspectionRequest(clock.Next(), "Phòng kiểm nghiệm HTX", null, Inspector, InspectionResult.Pass, measurements, "PKN-2025-017"), 5,
            "batch.inspected.v1");

        // Packed: packs × size may not exceed what is on hand.
        var bestBefore = clock.Today.AddMonths(6);
        var tooMany = await p.Cooperative.PostJson($"/api/batches/{id}/packing",
            new PackingRequest(clock.Next(), "Xưởng đóng gói HTX", null, 111, Kg(0.5m), bestBefore));
        Assert.Equal("batch.mass_balance", CodeOf(await tooMany.Problem(422)));
        await StepAsync(p.Cooperative, id, "packing",
            new PackingRequest(clock.Next(), "Xưởng đóng gói HTX", "Túi hút chân không 500 g", 110, Kg(0.5m), bestBefore), 6, "batch.packed.v1");
        await StepAsync(p.Cooperative, id, "storage",
            new StorageRequest(clock.Next(), "Kho mát HTX", null, "Khô ráo, thoáng mát", 4m), 7, "batch.stored.v1");

        // Shipped whole to the distributor: in transit until the distributor confirms.
        await StepAsync(p.Cooperative, id, "shipments",
            new ShippingRequest(clock.Next(), "Kho mát HTX", null, PartyKind.Buyer, p.DistributorId, Kg(55.2m), "Xe tải lạnh 51C-123.45"), 8,
            "batch.shipped.v1");
        var travelling = await SummaryAsync(p.Anonymous, id);
        Assert.Equal(BatchStatus.InTransit, travelling.Status);
        Assert.Equal(p.CooperativeId, travelling.Custodian.Id);
        var shipment = Assert.IsType<PendingShipment>(travelling.Shipment);
        Assert.Equal(p.DistributorId, shipment.To.Id);
        Assert.Equal(PartyKind.Buyer, shipment.To.Kind);
        Assert.Equal("Công ty Phân phối Sài Gòn (demo)", shipment.To.Name);
        var inTransit = await p.Cooperative.PostJson($"/api/batches/{id}/storage", new StorageRequest(clock.Current, null, null, null, 4m));
        Assert.Equal("batch.in_transit", CodeOf(await inTransit.Problem(422)));
        var notYetHolder = await p.Distributor.PostJson($"/api/batches/{id}/storage", new StorageRequest(clock.Current, null, null, null, 4m));
        Assert.Equal("batch.not_custodian", CodeOf(await notYetHolder.Problem(403)));
        var wrongReceiver = await p.Retailer.PostJson($"/api/batches/{id}/receipts",
            new ReceiptRequest(clock.Current, null, null, shipment.ShipmentId, Kg(55.2m), ReceiptCondition.Good));
        Assert.Equal("batch.not_custodian", CodeOf(await wrongReceiver.Problem(403)));

        await StepAsync(p.Distributor, id, "receipts",
            new ReceiptRequest(clock.Next(), "Kho Công ty Phân phối Sài Gòn, Phường Sài Gòn", "Đủ 110 gói, nguyên vẹn", shipment.ShipmentId,
                Kg(55.2m), ReceiptCondition.Good), 9, "batch.receipt_confirmed.v1");

        // Custody moved: the cooperative can no longer record steps on it.
        var afterHandOver = await p.Cooperative.PostJson($"/api/batches/{id}/storage",
            new StorageRequest(clock.Next(), "Kho mát HTX", null, null, 4m));
        Assert.Equal("batch.not_custodian", CodeOf(await afterHandOver.Problem(403)));
        var atDistributor = await SummaryAsync(p.Anonymous, id);
        Assert.Equal(p.DistributorId, atDistributor.Custodian.Id);
        Assert.Equal(BatchStatus.Active, atDistributor.Status);
        Assert.Null(atDistributor.Shipment);
        Assert.Equal(9, atDistributor.Revision);

        await StepAsync(p.Distributor, id, "storage",
            new StorageRequest(clock.Next(), "Kho Công ty Phân phối Sài Gòn", null, "Kho mát", 6m), 10, "batch.stored.v1");
        await StepAsync(p.Distributor, id, "shipments",
            new ShippingRequest(clock.Next(), "Kho Công ty Phân phối Sài Gòn", null, PartyKind.Buyer, p.RetailerId, Kg(55.2m), "Xe ba gác"), 11,
            "batch.shipped.v1");
        var toRetailer = (await SummaryAsync(p.Anonymous, id)).Shipment!;
        await StepAsync(p.Retailer, id, "receipts",
            new ReceiptRequest(clock.Next(), "Cửa hàng Đặc sản Bến Thành", null, toRetailer.ShipmentId, Kg(55.2m), ReceiptCondition.Good), 12,
            "batch.receipt_confirmed.v1");
        var afterSecondHandOver = await p.Distributor.PostJson($"/api/batches/{id}/storage", new StorageRequest(clock.Next(), null, null, null, 6m));
        Assert.Equal("batch.not_custodian", CodeOf(await afterSecondHandOver.Problem(403)));

        // The public summary: at the retailer, packed, active; Vietnamese text round-trips.
        var summaryResponse = await p.Anonymous.GetAsync($"/api/batches/{id}");
        var summaryText = await summaryResponse.Content.ReadAsStringAsync();
        var summary = await summaryResponse.Read<BatchSummary>();
        Assert.Equal("\"12\"", summaryResponse.Headers.ETag?.Tag);
        Assert.Equal(12, summary.Revision);
        Assert.Equal(id, summary.BatchId);
        Assert.Equal(BatchStatus.Active, summary.Status);
        Assert.Equal(ProcessingStage.Packed, summary.Stage);
        Assert.Equal(Kg(55.2m), summary.OnHand);
        Assert.Equal(new PartyRef(PartyKind.Buyer, p.RetailerId, "Cửa hàng Đặc sản Bến Thành (demo)"), summary.Custodian);
        Assert.Null(summary.Shipment);
        Assert.Empty(summary.Outputs);
        Assert.Equal("CG-2025-0815", summary.LotNumber);
        Assert.Equal(product, summary.Product);
        Assert.Equal(p.CooperativeId, summary.Producer.CooperativeId);
        Assert.Equal("HTX Thủy sản Cần Giờ (demo)", summary.Producer.Name);
        Assert.Equal(CanGioParties.CanGio, summary.Producer.Address);
        Assert.Contains("Khô cá dứa một nắng", summaryText, StringComparison.Ordinal);
        Assert.Contains("HTX Thủy sản Cần Giờ (demo)", summaryText, StringComparison.Ordinal);

        var notModified = new HttpRequestMessage(HttpMethod.Get, $"/api/batches/{id}");
        notModified.Headers.TryAddWithoutValidation("If-None-Match", "\"12\"");
        Assert.Equal(HttpStatusCode.NotModified, (await p.Anonymous.SendAsync(notModified)).StatusCode);

        // The retailer, a holder, reads the whole record with hashes: it is exactly what the store holds.
        var stored = await BatchEventsAsync(api, id);
        string[] expectedTypes =
        [
            "batch.registered.v1", "batch.received.v1", "batch.washed.v1", "batch.salted.v1", "batch.dried.v1", "batch.inspected.v1",
            "batch.packed.v1", "batch.stored.v1", "batch.shipped.v1", "batch.receipt_confirmed.v1", "batch.stored.v1", "batch.shipped.v1",
            "batch.receipt_confirmed.v1",
        ];
        Assert.Equal(expectedTypes, stored.Select(e => e.Type));
        Assert.Equal(Enumerable.Range(0, 13).Select(i => (long)i), stored.Select(e => e.Revision));

        var history = await (await p.Retailer.GetAsync($"/api/batches/{id}/history")).Read<List<HistoryEntry>>();
        Assert.Equal(expectedTypes, history.Select(h => h.Type));
        Assert.Equal(stored.Select(e => e.Revision), history.Select(h => h.Revision));
        Assert.Equal(stored.Select(e => e.EventId), history.Select(h => h.EventId));
        Assert.Equal(stored.Select(e => Convert.ToHexStringLower(e.Hash.Span)), history.Select(h => h.Hash));
        Assert.All(history, h => Assert.Matches("^[0-9a-f]{64}$", h.Hash));
        Assert.Equal(history.Count, history.Select(h => h.Hash).Distinct().Count());
        Assert.Equal(stored.Select(e => e.Position.ToString()), history.Select(h => h.Position));

        var registeredData = history[0].Data;
        Assert.Equal("Khô cá dứa một nắng", registeredData.GetProperty("product").GetProperty("nameVi").GetString());
        Assert.Equal(gtin.Value, registeredData.GetProperty("product").GetProperty("gtin").GetString());
        Assert.Equal(origin.Area, registeredData.GetProperty("origin").GetProperty("area").GetString());
        Assert.Equal(origin.HarvestFrom, registeredData.GetProperty("origin").GetProperty("harvestFrom").Deserialize<DateOnly>(Json.Options));
        Assert.Equal(origin.HarvestTo, registeredData.GetProperty("origin").GetProperty("harvestTo").Deserialize<DateOnly>(Json.Options));
        Assert.Equal("Tàu CG-90123-TS", registeredData.GetProperty("origin").GetProperty("vesselOrHouseholdRef").GetString());
        Assert.Equal(Landing, history[1].Data.GetProperty("step").GetProperty("place").GetString());
        Assert.Equal("Cá tươi, ướp đá, còn nguyên con", history[1].Data.GetProperty("step").GetProperty("note").GetString());
        Assert.Equal(118.4m, history[1].Data.GetProperty("quantity").GetProperty("amount").GetDecimal());
        Assert.Equal(8.5m, history[3].Data.GetProperty("saltPercent").GetDecimal());
        Assert.Equal(3m, history[3].Data.GetProperty("durationHours").GetDecimal());
        Assert.Equal("sun", history[4].Data.GetProperty("method").GetString());
        Assert.Equal(DryingYard, history[4].Data.GetProperty("step").GetProperty("place").GetString());
        Assert.Equal(55.2m, history[4].Data.GetProperty("output").GetProperty("amount").GetDecimal());
        Assert.Equal("pass", history[5].Data.GetProperty("result").GetString());
        Assert.Equal(Inspector, history[5].Data.GetProperty("inspector").GetString());
        Assert.Equal(measurements, history[5].Data.GetProperty("measurements").Deserialize<Measurement[]>(Json.Options));
        Assert.Equal(110, history[6].Data.GetProperty("packCount").GetInt32());
        Assert.Equal(bestBefore, history[6].Data.GetProperty("bestBefore").Deserialize<DateOnly>(Json.Options));
        Assert.Equal(p.DistributorId, history[9].Data.GetProperty("step").GetProperty("recordedBy").GetProperty("id").GetGuid());
        Assert.Equal(p.RetailerId, history[12].Data.GetProperty("step").GetProperty("recordedBy").GetProperty("id").GetGuid());
        Assert.Equal($"cooperative:{p.CooperativeId}", history[0].Metadata.GetProperty("actor").GetString());
        Assert.Equal($"buyer:{p.RetailerId}", history[12].Metadata.GetProperty("actor").GetString());

        // Stored as readable UTF-8, not escaped.
        Assert.True(stored[0].Data.Span.IndexOf(Encoding.UTF8.GetBytes("Khô cá dứa một nắng")) >= 0);
        Assert.True(stored[4].Data.Span.IndexOf(Encoding.UTF8.GetBytes(DryingYard)) >= 0);

        // Every party that held it may audit it; others may not.
        Assert.Equal(HttpStatusCode.OK, (await p.Cooperative.GetAsync($"/api/batches/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await p.Distributor.GetAsync($"/api/batches/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await p.Admin.GetAsync($"/api/batches/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await p.OtherCooperative.GetAsync($"/api/batches/{id}/history")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await p.Anonymous.GetAsync($"/api/batches/{id}/history")).StatusCode);

        // Anyone can check the chain: intact, thirteen events, the head is the last event's hash.
        var verification = await (await p.Anonymous.GetAsync($"/api/batches/{id}/verify")).Read<VerificationResponse>();
        Assert.True(verification.Intact);
        Assert.Equal(13, verification.EventCount);
        Assert.Equal(StreamNames.Batch(id), verification.Stream);
        Assert.Equal(history[^1].Hash, verification.HeadHash);
        Assert.Null(verification.FirstMismatch);
        var storeVerification = await api.Store.VerifyStreamAsync(StreamNames.Batch(id));
        Assert.True(storeVerification.IsIntact);
        Assert.Equal(13, storeVerification.EventCount);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Vietnamese_text_round_trips_through_requests_store_and_responses(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-VN-01");
        const string note = "Ghi chú: cá được phơi trên giàn tre, đảo mặt mỗi 2 giờ; trời hửng nắng, độ ẩm không khí ~70%. “Đạt” – ổn.";
        Assert.True(note.IsNormalized(NormalizationForm.FormC));
        await StepAsync(p.Cooperative, id, "notes", new NoteRequest(clock.Next(), note), 1, "batch.note_added.v1");

        var history = await (await p.Cooperative.GetAsync($"/api/batches/{id}/history")).Read<List<HistoryEntry>>();
        Assert.Equal(note, history[1].Data.GetProperty("step").GetProperty("note").GetString());
        var stored = await BatchEventsAsync(api, id);
        Assert.Equal(note, JsonDocument.Parse(stored[1].Data).RootElement.GetProperty("step").GetProperty("note").GetString());
        Assert.True(stored[1].Data.Span.IndexOf(Encoding.UTF8.GetBytes("cá được phơi trên giàn tre")) >= 0);

        // Decomposed Vietnamese (NFD) is refused rather than stored in a second spelling.
        var decomposed = await p.Cooperative.PostJson($"/api/batches/{id}/notes", new NoteRequest(clock.Next(), note.Normalize(NormalizationForm.FormD)));
        var problem = await decomposed.Problem(400);
        Assert.Equal("request.invalid_field", CodeOf(problem));
        Assert.Equal(2, (await BatchEventsAsync(api, id)).Count);
    }
}
