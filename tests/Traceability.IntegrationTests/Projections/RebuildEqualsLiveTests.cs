using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.Provenance;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Hosting;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Projections;

/// <summary>
/// The read models are a function of the events: the Cần Giờ flow plus a random workload are projected live, every
/// read model is hashed, rebuilt from the first event, and hashed again — byte for byte the same, on both backends.
/// </summary>
public sealed class RebuildEqualsLiveTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Rebuilding_every_projection_reproduces_the_live_read_models(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var parties = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var flow = await RunCanGioFlowAsync(parties, clock);
        var random = new Random(20250701);
        var batches = new List<Guid>();
        for (var i = 0; i < 12; i++) batches.Add(await RandomBatchAsync(parties, clock, random, $"RW-{i:D3}"));
        List<Guid> raw = [await RegisterRawBatchAsync(parties.Cooperative, clock, "MIX-A"), await RegisterRawBatchAsync(parties.Cooperative, clock, "MIX-B")];
        var merged = await MergeAsync(parties, clock, raw);
        (await parties.Cooperative.PostJson($"/api/batches/{raw[0]}/recall",
            new RecallRequest(clock.Next(), "Phát hiện nhiễm khuẩn (kiểm thử)", RecallSeverity.High, null))).EnsureSuccessStatusCode();

        var projector = api.Services.GetRequiredService<Projector>();
        var database = api.Services.GetRequiredService<ReadModelDatabase>();
        await projector.WaitForAsync(await SettleAsync(api), Bounded());
        var live = await HashAllAsync(projector, database);
        Assert.All(live.Values, hash => Assert.False(hash.StartsWith("0:", StringComparison.Ordinal), "every read model has rows"));

        // The live read model says what the flow did.
        var provenance = await (await parties.Anonymous.GetAsync($"/api/provenance/{flow}")).Read<ProvenanceResponse>();
        Assert.Equal("active", provenance.Status);
        Assert.Equal(parties.RetailerId.ToString(), provenance.Custodian.GetProperty("id").GetString());
        Assert.Equal(provenance.Integrity.EventCount - 1, provenance.Timeline.Count);
        Assert.Contains(provenance.Certifications, c => c.Scheme == "ocop" && c.OcopStars == 4);
        Assert.Equal("recalled", (await (await parties.Anonymous.GetAsync($"/api/provenance/{merged}")).Read<ProvenanceResponse>()).Status);

        foreach (var projection in projector.Projections) await projector.RebuildAsync(projection.Name, Bounded());
        await projector.WaitForAsync(await SettleAsync(api), Bounded());
        Assert.Equal(live, await HashAllAsync(projector, database));
    }

    private static CancellationToken Bounded() => new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token;

    private static async Task<Dictionary<string, string>> HashAllAsync(Projector projector, ReadModelDatabase database)
    {
        var hashes = new Dictionary<string, string>();
        foreach (var table in projector.Projections.SelectMany(p => p.Tables)) hashes[table] = await TableHash.ComputeAsync(database, table, Bounded());
        return hashes;
    }

    /// <summary>Landing to the retailer, with an OCOP certification valid on the production day.</summary>
    private static async Task<Guid> RunCanGioFlowAsync(CanGioParties parties, StepClock clock)
    {
        (await parties.Cooperative.PostJson($"/api/cooperatives/{parties.CooperativeId}/certifications",
            new GrantCertificationRequest(CertificationScheme.Ocop, 4, "OCOP-HCM-2025-017", "UBND Thành phố Hồ Chí Minh",
                clock.Today.AddYears(-1), clock.Today.AddYears(2)))).EnsureSuccessStatusCode();
        var batch = await RegisterRawBatchAsync(parties.Cooperative, clock, "CG-2025-001");
        await Post(parties.Cooperative, batch, "washing", new WashingRequest(clock.Next(), "Bến cá Cần Giờ", null, "Nước sạch"));
        await Post(parties.Cooperative, batch, "salting", new SaltingRequest(clock.Next(), "Xưởng HTX", null, 8m, 3m));
        var start = clock.Next();
        await Post(parties.Cooperative, batch, "drying", new DryingRequest(clock.Next(), "Sân phơi", "Một nắng", DryingMethod.Sun, start, clock.Current, 38m, Kg(48m)));
        await Post(parties.Cooperative, batch, "inspections", new InspectionRequest(clock.Next(), "Xưởng HTX", null, "Trung tâm Kiểm nghiệm (demo)",
            InspectionResult.Pass, [new Measurement("độ ẩm", 38m, "%")], "KN-2025-88"));
        await Post(parties.Cooperative, batch, "packing", new PackingRequest(clock.Next(), "Xưởng HTX", null, 96, new Quantity(0.5m, QuantityUnit.Kg), clock.Today.AddMonths(6)));
        await ShipAndConfirmAsync(parties.Cooperative, parties.Distributor, PartyKind.Buyer, parties.DistributorId, batch, clock);
        await ShipAndConfirmAsync(parties.Distributor, parties.Retailer, PartyKind.Buyer, parties.RetailerId, batch, clock);
        return batch;
    }

    /// <summary>A raw batch taken a random number of steps down the work (never an invalid one).</summary>
    private static async Task<Guid> RandomBatchAsync(CanGioParties parties, StepClock clock, Random random, string lot)
    {
        var kg = random.Next(50, 400);
        var batch = await RegisterRawBatchAsync(parties.Cooperative, clock, lot, kg);
        var steps = random.Next(0, 6);
        if (steps > 0) await Post(parties.Cooperative, batch, "washing", new WashingRequest(clock.Next(), null, null, null));
        if (steps > 1) await Post(parties.Cooperative, batch, "salting", new SaltingRequest(clock.Next(), null, null, random.Next(5, 15), 2m));
        if (steps > 2)
        {
            var start = clock.Next();
            await Post(parties.Cooperative, batch, "drying", new DryingRequest(clock.Next(), null, null, DryingMethod.Sun, start, clock.Current, 35m, Kg(kg / 2m)));
        }

        if (steps > 3) await Post(parties.Cooperative, batch, "notes", new NoteRequest(clock.Next(), $"Ghi chú {lot}: trời nắng tốt"));
        if (steps > 4) await ShipAndConfirmAsync(parties.Cooperative, parties.Distributor, PartyKind.Buyer, parties.DistributorId, batch, clock);
        return batch;
    }

    private static async Task<Guid> MergeAsync(CanGioParties parties, StepClock clock, IReadOnlyList<Guid> inputs)
    {
        var used = new List<BatchInput>();
        foreach (var input in inputs) used.Add(new BatchInput(input, Kg(10m)));
        var response = await parties.Cooperative.PostJson("/api/batches/merge", new MergeRequest(null, OneSunFish, "MERGE-001", Kg(10m), used,
            null, clock.Next(), null, "Xưởng HTX", null));
        return (await response.Read<TransformationResponse>()).CreatedBatches[0];
    }

    private static async Task Post(HttpClient client, Guid batch, string route, object body) =>
        (await client.PostJson($"/api/batches/{batch}/{route}", body)).EnsureSuccessStatusCode();
}
