using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Hosting;
using Traceability.Projections.ValueChain;
using Traceability.TestServers;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Projections;

/// <summary>
/// The value chain of the Cần Giờ cooperative as the read model sees it: two landings weighed and dried, merged into a
/// processing lot, split in two and split again into packs, some shipped to the distributor and on to the retailer.
/// Lineage up and down, the recall blast radius with who holds what, and each batch's mass balance — on both backends.
/// </summary>
public sealed class ValueChainTests
{
    private sealed record Graph(Guid A, Guid B, Guid M, Guid S1, Guid S2, Guid P1, Guid P2, Guid P3, Guid P4, Guid P5);

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Lineage_blast_radius_and_mass_balance_follow_the_graph_built_through_the_Api(Backend backend)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var g = await BuildGraphAsync(p, new StepClock());
        await api.Services.GetRequiredService<Projector>().WaitForAsync(await SettleAsync(api), timeout.Token);
        var client = p.Retailer; // any key may read the value chain

        // Downstream from a landing: every batch once, at its shortest distance; the depth limit cuts and says so.
        var down = await GetAsync<Lineage>(client, $"/api/batches/{g.A}/lineage?direction=downstream");
        Assert.Equal("downstream", down.Direction);
        Assert.Equal(ValueChainQueries.DefaultDepth, down.DepthLimit);
        Assert.False(down.Truncated);
        AssertNodes(down, (g.A, 0), (g.M, 1), (g.S1, 2), (g.S2, 2), (g.P1, 3), (g.P2, 3), (g.P3, 3), (g.P4, 3), (g.P5, 3));
        Assert.Equal(8, down.Edges.Count);
        Assert.Contains(new LineageEdge(g.A.ToString(), g.M.ToString(), 45m, "kg"), down.Edges);
        Assert.Contains(new LineageEdge(g.M.ToString(), g.S2.ToString(), 43m, "kg"), down.Edges);
        Assert.Contains(new LineageEdge(g.S2.ToString(), g.P5.ToString(), 23m, "kg"), down.Edges);
        Assert.DoesNotContain(down.Edges, e => e.FromBatch == g.B.ToString());

        var shallow = await GetAsync<Lineage>(client, $"/api/batches/{g.A}/lineage?direction=downstream&depth=2");
        Assert.True(shallow.Truncated);
        AssertNodes(shallow, (g.A, 0), (g.M, 1), (g.S1, 2), (g.S2, 2));
        Assert.Equal(3, shallow.Edges.Count);

        // Upstream from a pack: both landings, through the split and the merge; upstream is the default direction.
        var up = await GetAsync<Lineage>(client, $"/api/batches/{g.P1}/lineage");
        Assert.Equal("upstream", up.Direction);
        AssertNodes(up, (g.P1, 0), (g.S1, 1), (g.M, 2), (g.A, 3), (g.B, 3));
        Assert.Contains(new LineageEdge(g.B.ToString(), g.M.ToString(), 40m, "kg"), up.Edges);
        Assert.Equal(4, up.Edges.Count);
        var oneUp = await GetAsync<Lineage>(client, $"/api/batches/{g.P1}/lineage?direction=upstream&depth=1");
        AssertNodes(oneUp, (g.P1, 0), (g.S1, 1));
        Assert.True(oneUp.Truncated);
        Assert.False((await GetAsync<Lineage>(client, $"/api/batches/{g.P1}/lineage?direction=downstream&depth=100")).Truncated);

        // Recall blast radius: everything downstream of either landing, with its custodian now.
        var impact = await GetAsync<RecallImpact>(client, $"/api/batches/{g.B}/recall-impact");
        Assert.Equal(8, impact.AffectedCount);
        Assert.False(impact.Truncated);
        Assert.Equal(new[] { g.M, g.S1, g.S2, g.P1, g.P2, g.P3, g.P4, g.P5 }.Select(x => x.ToString()).Order(StringComparer.Ordinal),
            impact.Affected.Select(n => n.BatchId).Order(StringComparer.Ordinal));
        Assert.Equal(impact.Affected.Count, impact.Affected.Select(n => n.BatchId).Distinct().Count());
        var holder = impact.Affected.ToDictionary(n => Guid.Parse(n.BatchId), n => n.Custodian);
        var cooperative = p.CooperativeId.ToString();
        foreach (var held in new[] { g.M, g.S1, g.S2, g.P3, g.P5 })
            Assert.Equal((cooperative, "cooperative"), (holder[held]!.Id, holder[held]!.Kind));
        Assert.Equal((p.DistributorId.ToString(), "buyer"), (holder[g.P1]!.Id, holder[g.P1]!.Kind));
        Assert.Equal((p.DistributorId.ToString(), "buyer"), (holder[g.P2]!.Id, holder[g.P2]!.Kind));
        Assert.Equal((p.RetailerId.ToString(), "buyer"), (holder[g.P4]!.Id, holder[g.P4]!.Kind));
        Assert.Equal("Cửa hàng Đặc sản Bến Thành (demo)", holder[g.P4]!.Name);
        // P3 is on its way to the distributor: still the cooperative's until the distributor confirms.
        var p3 = impact.Affected.Single(n => n.BatchId == g.P3.ToString());
        Assert.Equal(p.DistributorId.ToString(), p3.InTransitTo?.Id);
        Assert.Null(impact.Affected.Single(n => n.BatchId == g.P1.ToString()).InTransitTo);
        Assert.Equal([(cooperative, 5), (p.DistributorId.ToString(), 2), (p.RetailerId.ToString(), 1)],
            impact.Custodians.Select(c => (c.Id, c.Batches)));
        Assert.Empty((await GetAsync<RecallImpact>(client, $"/api/batches/{g.P5}/recall-impact")).Affected);

        // Mass balance: weighed 96 kg, dried to 47 kg (yield 0.5 allows 48), 45 kg went into the merge.
        var a = await GetAsync<MassBalance>(client, $"/api/batches/{g.A}/mass-balance");
        Assert.Equal(("weighed", 96m, 0.5m, "category", true), (a.InputBasis, a.InputTotal, a.Yield, a.YieldSource, a.YieldApplied));
        Assert.Equal((48m, 47m, "dried", -1m, true), (a.ExpectedMaxOutput, a.ActualOutput, a.ActualOutputSource, a.Discrepancy, a.Balanced));
        Assert.Equal((45m, 0m, 45m), (a.ConsumedTotal, a.ShippedTotal, a.OutputTotal));
        Assert.Equal([new MassFlow(g.M.ToString(), 45m, "kg")], a.ConsumedInto);

        // The merge: 45 + 40 kg in, declared yield 0.98 allows 83.3 kg, 83 kg made, all of it split on.
        var m = await GetAsync<MassBalance>(client, $"/api/batches/{g.M}/mass-balance");
        Assert.Equal(("inputs", 85m, 0.98m, "declared", true), (m.InputBasis, m.InputTotal, m.Yield, m.YieldSource, m.YieldApplied));
        Assert.Equal((83.3m, 83m, "registered", -0.3m, true), (m.ExpectedMaxOutput, m.ActualOutput, m.ActualOutputSource, m.Discrepancy, m.Balanced));
        Assert.Equal(2, m.Inputs.Count);
        Assert.Equal((83m, 83m), (m.ConsumedTotal, m.OutputTotal));

        // A split part keeps its weight (the yield is still to come); a pack shipped by the cooperative then by the distributor
        // counts once as what left the producer.
        var s2 = await GetAsync<MassBalance>(client, $"/api/batches/{g.S2}/mass-balance");
        Assert.Equal((43m, false, 43m, 43m, 0m), (s2.InputTotal, s2.YieldApplied, s2.ExpectedMaxOutput, s2.ActualOutput, s2.Discrepancy));
        Assert.Equal(43m, s2.ConsumedTotal);
        var p4 = await GetAsync<MassBalance>(client, $"/api/batches/{g.P4}/mass-balance");
        Assert.Equal((20m, 20m, 0m, 2), (p4.ActualOutput, p4.ShippedTotal, p4.ConsumedTotal, p4.Shipments.Count));
        Assert.All(p4.Shipments, s => Assert.NotNull(s.ReceivedAt));
        var p3Balance = await GetAsync<MassBalance>(client, $"/api/batches/{g.P3}/mass-balance");
        Assert.Null(Assert.Single(p3Balance.Shipments).ReceivedAt);
        Assert.Equal(0, p3Balance.Unconverted);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Value_chain_reads_need_a_key_validate_their_query_and_404_an_unknown_batch(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var batch = await RegisterRawBatchAsync(p.Cooperative, new StepClock(), "VC-Q-001");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await api.Services.GetRequiredService<Projector>().WaitForAsync(await SettleAsync(api), timeout.Token);

        foreach (var route in new[] { "lineage", "recall-impact", "mass-balance" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await p.Anonymous.GetAsync($"/api/batches/{batch}/{route}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await p.OtherCooperative.GetAsync($"/api/batches/{batch}/{route}")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await p.Distributor.GetAsync($"/api/batches/{batch}/{route}")).StatusCode);
            Assert.Equal("batch.not_found", CodeOf(await (await p.Admin.GetAsync($"/api/batches/{Guid.NewGuid()}/{route}")).Problem(404)));
        }

        foreach (var query in new[] { "direction=sideways", "direction=UP", "depth=0", "depth=101", "depth=abc", "depth=-1", "depth=2.5" })
            Assert.Equal("request.invalid_field", CodeOf(await (await p.Distributor.GetAsync($"/api/batches/{batch}/lineage?{query}")).Problem(400)));
        var lineage = await GetAsync<Lineage>(p.Distributor, $"/api/batches/{batch}/lineage?direction=downstream&depth=100");
        Assert.Equal([batch.ToString()], lineage.Nodes.Select(n => n.BatchId));
        Assert.Empty(lineage.Edges);
        var balance = await GetAsync<MassBalance>(p.Distributor, $"/api/batches/{batch}/mass-balance");
        Assert.Equal(("registered", 100m, false, 100m, 0m), (balance.InputBasis, balance.InputTotal, balance.YieldApplied, balance.ActualOutput, balance.Discrepancy));
    }

    /// <summary>The domain never makes a cycle, but the query must not trust that: a cyclic edge set (and a self-loop) terminates, each batch once.</summary>
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_walk_terminates_on_a_cyclic_edge_set_and_reports_each_batch_once(Backend backend)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string? directory = null;
        string connectionString;
        if (backend == Backend.Sqlite)
        {
            directory = Directory.CreateTempSubdirectory("traceability-valuechain-").FullName;
            connectionString = $"Data Source={Path.Combine(directory, "events.db")}";
        }
        else
        {
            connectionString = await (await ThrowawayPostgres.SharedAsync("api")).CreateDatabaseAsync("valuechain", timeout.Token);
        }

        try
        {
            await using var database = await ReadModelDatabase.OpenAsync(connectionString, timeout.Token);
            var (a, b, c, d, e) = ("a-batch", "b-batch", "c-batch", "d-batch", "e-batch");
            await using (var connection = await database.OpenAsync(timeout.Token))
            {
                await database.ExecuteAsync(connection, null, new ValueChainProjection().CreateSchema, timeout.Token);
                // a → b → c → a, c → d → b, a → e → e.
                foreach (var (from, to) in new[] { (a, b), (b, c), (c, a), (c, d), (d, b), (a, e), (e, e) })
                    await database.ExecuteAsync(connection, null,
                        "INSERT INTO value_chain_batch_edges (from_batch, to_batch, amount, unit) VALUES (@from, @to, '1.5', 'kg')", timeout.Token,
                        ("@from", from), ("@to", to));
                foreach (var id in new[] { a, b, c, d, e })
                    await database.ExecuteAsync(connection, null, """
                        INSERT INTO value_chain_batches (batch_id, cooperative_id, lot_number, category, declared_yield, registered_amount, unit,
                            consumed_amount, custodian_party, custodian_kind, recalled)
                        VALUES (@id, 'coop', @lot, 'fish.one_sun', NULL, '10', 'kg', '0', 'coop', 'cooperative', 0)
                        """, timeout.Token, ("@id", id), ("@lot", "LOT-" + id));
            }

            var down = await ValueChainQueries.LineageAsync(database, a, LineageDirection.Downstream, ValueChainQueries.MaxDepth, timeout.Token);
            AssertNodes(down, (a, 0), (b, 1), (e, 1), (c, 2), (d, 3));
            Assert.Equal(7, down.Edges.Count);
            Assert.Equal(down.Edges.Count, down.Edges.Distinct().Count());
            Assert.False(down.Truncated);

            var up = await ValueChainQueries.LineageAsync(database, a, LineageDirection.Upstream, ValueChainQueries.MaxDepth, timeout.Token);
            AssertNodes(up, (a, 0), (c, 1), (b, 2), (d, 3));

            var cut = await ValueChainQueries.LineageAsync(database, a, LineageDirection.Downstream, 2, timeout.Token);
            AssertNodes(cut, (a, 0), (b, 1), (e, 1), (c, 2));
            Assert.True(cut.Truncated);

            var impact = await ValueChainQueries.RecallImpactAsync(database, a, timeout.Token);
            Assert.Equal([b, e, c, d], impact.Affected.Select(n => n.BatchId));
            Assert.Equal(new ImpactedParty("coop", "cooperative", null, 4), Assert.Single(impact.Custodians));

            var selfLoop = await ValueChainQueries.LineageAsync(database, e, LineageDirection.Upstream, ValueChainQueries.MaxDepth, timeout.Token);
            AssertNodes(selfLoop, (e, 0), (a, 1), (c, 2), (b, 3), (d, 4));
        }
        finally
        {
            if (directory is not null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                try { Directory.Delete(directory, recursive: true); }
                catch (IOException) { }
            }
        }
    }

    private static void AssertNodes(Lineage lineage, params (object Id, int Depth)[] expected)
    {
        Assert.Equal(lineage.Nodes.Count, lineage.Nodes.Select(n => n.BatchId).Distinct().Count());
        Assert.Equal(expected.Select(x => (BatchId: x.Id.ToString()!, x.Depth)).OrderBy(x => x.BatchId, StringComparer.Ordinal).ToList(),
            lineage.Nodes.Select(n => (n.BatchId, n.Depth)).OrderBy(x => x.BatchId, StringComparer.Ordinal).ToList());
        Assert.Equal(lineage.BatchId, lineage.Nodes[0].BatchId);
    }

    private static async Task<T> GetAsync<T>(HttpClient client, string url)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await (await client.GetAsync(url, timeout.Token)).Read<T>();
    }

    /// <summary>A (100 kg, weighed 96, dried to 47) and B (80 kg, dried to 40) → M (45 + 40 → 83 kg) → S1 40 / S2 43 → packs; packs shipped on.</summary>
    private static async Task<Graph> BuildGraphAsync(CanGioParties p, StepClock clock)
    {
        var lot = $"VC-{Guid.NewGuid():N}"[..12];
        var a = await RegisterRawBatchAsync(p.Cooperative, clock, $"{lot}-A", 100m);
        await Post(p.Cooperative, a, "receiving", new ReceivingRequest(clock.Next(), "Bến cá Cần Giờ", null, Kg(96m), "Tàu CG-90123-TS"));
        await DryAsync(p, clock, a, 47m);
        var b = await RegisterRawBatchAsync(p.Cooperative, clock, $"{lot}-B", 80m);
        await DryAsync(p, clock, b, 40m);

        var merged = await (await p.Cooperative.PostJson("/api/batches/merge", new MergeRequest(null, OneSunFish, $"{lot}-M", Kg(83m),
            [new BatchInput(a, Kg(45m)), new BatchInput(b, Kg(40m))], 0.98m, clock.Next(), null, "Xưởng HTX", "Gộp hai mẻ phơi"))).Read<TransformationResponse>();
        var m = merged.CreatedBatches[0];
        var (s1, s2) = await SplitAsync(p, clock, m, ($"{lot}-S1", 40m), ($"{lot}-S2", 43m));
        var (p1, p2, p3) = await Split3Async(p, clock, s1, ($"{lot}-P1", 10m), ($"{lot}-P2", 10m), ($"{lot}-P3", 20m));
        var (p4, p5) = await SplitAsync(p, clock, s2, ($"{lot}-P4", 20m), ($"{lot}-P5", 23m));

        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, p1, clock);
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, p2, clock);
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, p4, clock);
        await ShipAndConfirmAsync(p.Distributor, p.Retailer, PartyKind.Buyer, p.RetailerId, p4, clock);
        (await p.Cooperative.PostJson($"/api/batches/{p3}/shipments", new ShippingRequest(clock.Next(), "Kho HTX", null, PartyKind.Buyer, p.DistributorId,
            Kg(20m), "Xe tải lạnh 51C-123.45"))).EnsureSuccessStatusCode();
        return new Graph(a, b, m, s1, s2, p1, p2, p3, p4, p5);
    }

    private static async Task DryAsync(CanGioParties p, StepClock clock, Guid batch, decimal output)
    {
        var start = clock.Next();
        await Post(p.Cooperative, batch, "drying", new DryingRequest(clock.Next(), "Sân phơi", null, DryingMethod.Sun, start, clock.Current, 36m, Kg(output)));
    }

    private static async Task<(Guid, Guid)> SplitAsync(CanGioParties p, StepClock clock, Guid parent, (string Lot, decimal Kg) first, (string Lot, decimal Kg) second)
    {
        var created = await SplitIntoAsync(p, clock, parent, first, second);
        return (created[0], created[1]);
    }

    private static async Task<(Guid, Guid, Guid)> Split3Async(CanGioParties p, StepClock clock, Guid parent, params (string Lot, decimal Kg)[] children)
    {
        var created = await SplitIntoAsync(p, clock, parent, children);
        return (created[0], created[1], created[2]);
    }

    private static async Task<IReadOnlyList<Guid>> SplitIntoAsync(CanGioParties p, StepClock clock, Guid parent, params (string Lot, decimal Kg)[] children)
    {
        var response = await p.Cooperative.PostJson($"/api/batches/{parent}/split", new SplitRequest(clock.Next(), "Xưởng đóng gói", null,
            children.Select(c => new SplitChildRequest(null, c.Lot, Kg(c.Kg))).ToList()));
        var created = (await response.Read<TransformationResponse>()).CreatedBatches;
        Assert.Equal(children.Length, created.Count);
        return created;
    }

    private static async Task Post(HttpClient client, Guid batch, string route, object body) =>
        await (await client.PostJson($"/api/batches/{batch}/{route}", body)).Read<BatchChanged>();
}
