using System.Net;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>Merging landings into one processing lot, splitting packed goods for several buyers, and a recall that reaches all of them.</summary>
public sealed class TransformationAndRecallTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Merge_split_ship_then_recall_the_raw_batch_reaches_every_downstream_batch(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var a = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-A-01", 100m, FreshFish);
        var b = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-B-01", 80m, FreshFish);
        var mergedProduct = new Product("Cá dứa tươi – lô sơ chế gộp", "Fresh catfish, merged processing lot", "fish.fresh", null);
        MergeRequest Merge(decimal output, decimal? declaredYield = null) => new(null, mergedProduct, "CG-M-01", Kg(output),
            [new BatchInput(a, Kg(60m)), new BatchInput(b, Kg(40m))], declaredYield, clock.Next(), null, "Nhà sơ chế HTX", "Gộp hai chuyến cá");

        // More out than went in (× yield) is refused, and refused as a whole: no input changed, no lot reserved.
        Assert.Empty(await RecordedDuringAsync(api, async () =>
        {
            Assert.Equal("batch.mass_balance", CodeOf(await (await p.Cooperative.PostJson("/api/batches/merge", Merge(100.5m))).Problem(422)));
            Assert.Equal("batch.mass_balance", CodeOf(await (await p.Cooperative.PostJson("/api/batches/merge", Merge(50.5m, 0.5m))).Problem(422)));
        }));

        var mergeResponse = await p.Cooperative.PostJson("/api/batches/merge", Merge(98m));
        var merged = await mergeResponse.Read<TransformationResponse>();
        Assert.Equal(HttpStatusCode.Created, mergeResponse.StatusCode);
        var m = Assert.Single(merged.CreatedBatches);
        Assert.Equal(new Dictionary<Guid, long> { [a] = 1, [b] = 1, [m] = 0 }, merged.Revisions);
        var summaryA = await SummaryAsync(p.Anonymous, a);
        Assert.Equal(Kg(40m), summaryA.OnHand);
        Assert.Equal(new[] { m }, summaryA.Outputs);
        Assert.Equal(Kg(40m), (await SummaryAsync(p.Anonymous, b)).OnHand);
        var summaryM = await SummaryAsync(p.Anonymous, m);
        Assert.Equal(Kg(98m), summaryM.OnHand);
        Assert.Equal(ProcessingStage.Raw, summaryM.Stage);
        Assert.Equal(mergedProduct, summaryM.Product);
        Assert.Equal("CG-M-01", summaryM.LotNumber);
        Assert.Equal(p.CooperativeId, summaryM.Custodian.Id);
        var registeredM = DataOf((await BatchEventsAsync(api, m))[0]);
        var inputs = registeredM.GetProperty("inputs").Deserialize<BatchInput[]>(Json.Options)!;
        Assert.Equal(new[] { new BatchInput(a, Kg(60m)), new BatchInput(b, Kg(40m)) }, inputs);
        Assert.Equal(new[] { "batch.registered.v1", "batch.consumed.v1" }, (await BatchEventsAsync(api, a)).Select(e => e.Type));

        // The merged lot is processed and packed…
        await StepAsync(p.Cooperative, m, "washing", new WashingRequest(clock.Next(), null, null, "Rửa nước muối"), 1, "batch.washed.v1");
        await StepAsync(p.Cooperative, m, "salting", new SaltingRequest(clock.Next(), null, null, 9m, 4m), 2, "batch.salted.v1");
        var dryFrom = clock.Next();
        var dryTo = clock.Next();
        await StepAsync(p.Cooperative, m, "drying",
            new DryingRequest(dryTo, "Sân phơi", null, DryingMethod.Sun, dryFrom, dryTo, 37m, Kg(45m)), 3, "batch.dried.v1");
        await StepAsync(p.Cooperative, m, "packing", new PackingRequest(clock.Next(), null, null, 90, Kg(0.5m), clock.Today.AddMonths(6)), 4,
            "batch.packed.v1");

        // …split in two (more than is on hand is refused)…
        var tooMuch = await p.Cooperative.PostJson($"/api/batches/{m}/split", new SplitRequest(clock.Next(), null, null,
            [new SplitChildRequest(null, "CG-M-01-A", Kg(20m)), new SplitChildRequest(null, "CG-M-01-B", Kg(25.5m))]));
        Assert.Equal("batch.insufficient_quantity", CodeOf(await tooMuch.Problem(422)));
        var splitResponse = await p.Cooperative.PostJson($"/api/batches/{m}/split", new SplitRequest(clock.Next(), "Xưởng đóng gói", "Chia cho hai đại lý",
            [new SplitChildRequest(null, "CG-M-01-A", Kg(20m)), new SplitChildRequest(null, "CG-M-01-B", Kg(25m))]));
        var split = await splitResponse.Read<TransformationResponse>();
        Assert.Equal(HttpStatusCode.Created, splitResponse.StatusCode);
        Assert.Equal(2, split.CreatedBatches.Count);
        var (c1, c2) = (split.CreatedBatches[0], split.CreatedBatches[1]);
        Assert.Equal(new Dictionary<Guid, long> { [m] = 6, [c1] = 0, [c2] = 0 }, split.Revisions);
        var summaryC1 = await SummaryAsync(p.Anonymous, c1);
        Assert.Equal(ProcessingStage.Packed, summaryC1.Stage);
        Assert.Equal(Kg(20m), summaryC1.OnHand);
        Assert.Equal("CG-M-01-A", summaryC1.LotNumber);
        Assert.Equal(mergedProduct, summaryC1.Product);
        Assert.Equal(Kg(25m), (await SummaryAsync(p.Anonymous, c2)).OnHand);
        var afterSplit = await SummaryAsync(p.Anonymous, m);
        Assert.Equal(Kg(0m), afterSplit.OnHand);
        Assert.Equal(new[] { c1, c2 }, afterSplit.Outputs);

        // …and one child shipped whole to the distributor, who confirms.
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, c1, clock);
        Assert.Equal(p.DistributorId, (await SummaryAsync(p.Anonymous, c1)).Custodian.Id);

        // Recall the original raw batch: every batch made from it is recalled in the same command.
        var recallResponse = await p.Cooperative.PostJson($"/api/batches/{a}/recall",
            new RecallRequest(clock.Next(), "Mẫu nguyên liệu phát hiện dư lượng kháng sinh vượt ngưỡng", RecallSeverity.High, "Thu hồi toàn bộ lô liên quan"));
        var recall = await recallResponse.Read<RecallResponse>();
        Assert.Equal(a, recall.BatchId);
        Assert.Equal(2, recall.Revision);
        Assert.Equal(new[] { m, c1, c2 }.Order(), recall.DownstreamRecalled.Order());

        foreach (var batch in new[] { a, m, c1, c2 })
        {
            Assert.Equal(BatchStatus.Recalled, (await SummaryAsync(p.Anonymous, batch)).Status);
            var last = (await BatchEventsAsync(api, batch))[^1];
            Assert.Equal("batch.recalled.v1", last.Type);
            var data = DataOf(last);
            Assert.Equal("high", data.GetProperty("severity").GetString());
            if (batch == a) Assert.Equal(JsonValueKind.Null, data.GetProperty("causeBatchId").ValueKind);
            else Assert.Equal(a, data.GetProperty("causeBatchId").GetGuid());
        }

        var recallEvents = new List<Traceability.EventStore.RecordedEvent>();
        foreach (var batch in new[] { a, m, c1, c2 }) recallEvents.Add((await BatchEventsAsync(api, batch))[^1]);
        Assert.Single(recallEvents.Select(e => JsonDocument.Parse(e.Metadata).RootElement.GetProperty("commandId").GetGuid()).Distinct());
        Assert.Equal(BatchStatus.Active, (await SummaryAsync(p.Anonymous, b)).Status);
        Assert.Equal(c1, (await SummaryAsync(p.Anonymous, c1)).BatchId);
        Assert.Equal(p.DistributorId, (await SummaryAsync(p.Anonymous, c1)).Custodian.Id);

        // A recalled batch takes no more steps, from its producer or its holder, but takes notes.
        Assert.Equal("batch.recalled", CodeOf(await (await p.Cooperative.PostJson($"/api/batches/{c2}/storage",
            new StorageRequest(clock.Next(), null, null, null, 4m))).Problem(422)));
        Assert.Equal("batch.recalled", CodeOf(await (await p.Distributor.PostJson($"/api/batches/{c1}/shipments",
            new ShippingRequest(clock.Next(), null, null, PartyKind.Buyer, p.RetailerId, Kg(20m), null))).Problem(422)));
        Assert.Equal("batch.recalled", CodeOf(await (await p.Cooperative.PostJson($"/api/batches/{a}/washing",
            new WashingRequest(clock.Next(), null, null, null))).Problem(422)));
        Assert.Equal("batch.already_recalled", CodeOf(await (await p.Cooperative.PostJson($"/api/batches/{a}/recall",
            new RecallRequest(clock.Next(), "Lần hai", RecallSeverity.Low, null))).Problem(422)));
        Assert.Equal("batch.recalled", CodeOf(await (await p.Cooperative.PostJson("/api/batches/merge", new MergeRequest(null, mergedProduct, "CG-M-02",
            Kg(10m), [new BatchInput(a, Kg(10m))], null, clock.Next(), null, null, null))).Problem(422)));
        var c2Revision = (await SummaryAsync(p.Anonymous, c2)).Revision;
        await StepAsync(p.Cooperative, c2, "notes", new NoteRequest(clock.Next(), "Đã thu gom 50 gói về kho HTX để tiêu hủy"), c2Revision + 1,
            "batch.note_added.v1");
        var c1Revision = (await SummaryAsync(p.Anonymous, c1)).Revision;
        await StepAsync(p.Distributor, c1, "notes", new NoteRequest(clock.Next(), "Đã ngừng bán, chờ HTX thu hồi"), c1Revision + 1, "batch.note_added.v1");

        foreach (var batch in new[] { a, b, m, c1, c2 })
            Assert.True((await (await p.Anonymous.GetAsync($"/api/batches/{batch}/verify")).Read<VerificationResponse>()).Intact);
        Assert.True((await api.Store.VerifyAllAsync()).IsIntact);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task A_lot_number_is_used_once_per_cooperative_and_product(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var first = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-LOT-01");

        // Again, with the batch id the phone chose: refused, and the id stays free.
        var retryId = Guid.CreateVersion7();
        var again = await p.Cooperative.PostJson("/api/batches", RawBatch(clock, "CG-LOT-01", batchId: retryId));
        Assert.Equal("batch.lot_taken", CodeOf(await again.Problem(422)));
        Assert.Equal("batch.not_found", CodeOf(await (await p.Anonymous.GetAsync($"/api/batches/{retryId}")).Problem(404)));
        Assert.Empty(await BatchEventsAsync(api, retryId));

        // A merge or a split cannot take it either.
        var merge = await p.Cooperative.PostJson("/api/batches/merge", new MergeRequest(null, OneSunFish, "CG-LOT-01", Kg(10m),
            [new BatchInput(first, Kg(20m))], null, clock.Next(), null, null, null));
        Assert.Equal("batch.lot_taken", CodeOf(await merge.Problem(422)));
        var split = await p.Cooperative.PostJson($"/api/batches/{first}/split", new SplitRequest(clock.Next(), null, null,
            [new SplitChildRequest(null, "CG-LOT-02", Kg(30m)), new SplitChildRequest(null, "CG-LOT-01", Kg(30m))]));
        Assert.Equal("batch.lot_taken", CodeOf(await split.Problem(422)));
        Assert.Equal(Kg(100m), (await SummaryAsync(p.Anonymous, first)).OnHand);
        Assert.Single(await BatchEventsAsync(api, first));

        // The same lot is free for another product, and for another cooperative.
        Assert.NotEqual(Guid.Empty, await RegisterRawBatchAsync(p.Cooperative, clock, "CG-LOT-01", 50m, FreshFish));
        Assert.NotEqual(Guid.Empty, await RegisterRawBatchAsync(p.OtherCooperative, clock, "CG-LOT-01"));
        // CG-LOT-02 was not reserved by the refused split.
        Assert.NotEqual(Guid.Empty, await RegisterRawBatchAsync(p.Cooperative, clock, "CG-LOT-02"));
        Assert.True((await api.Store.VerifyAllAsync()).IsIntact);
    }
}
