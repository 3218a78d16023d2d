using System.Net;
using Microsoft.AspNetCore.Hosting;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Security;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>Writes are limited per API key: one runaway phone cannot starve the others, not even another key of its own cooperative.</summary>
public sealed class RateLimitTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Writes_beyond_the_limit_of_one_key_get_429_and_other_keys_are_unaffected(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend, writesPerMinute: 5);
        // The admin's own budget is five writes too: one cooperative, two keys.
        var admin = api.ClientFor(api.AdminKey);
        var cooperativeId = (await (await admin.PostJson("/api/cooperatives", CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)")))
            .Read<CooperativeChanged>()).CooperativeId;
        var busy = api.ClientFor(await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, cooperativeId));
        var calm = api.ClientFor(await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, cooperativeId));
        var clock = new StepClock();

        var batches = new List<Guid>();
        for (var i = 1; i <= 5; i++)
        {
            var response = await busy.PostJson("/api/batches", RawBatch(clock, $"CG-RL-{i:00}"));
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            batches.Add((await response.Read<BatchChanged>()).BatchId);
        }

        var written = await RecordedDuringAsync(api, async () =>
        {
            for (var i = 6; i <= 12; i++)
            {
                var response = i % 2 == 0
                    ? await busy.PostJson("/api/batches", RawBatch(clock, $"CG-RL-{i:00}"))
                    : await busy.PostJson($"/api/batches/{batches[0]}/notes", new NoteRequest(clock.Next(), $"Ghi chú {i}"));
                var problem = await response.Problem(429);
                Assert.Equal("request.rate_limited", CodeOf(problem));
                Assert.Equal(429, problem.GetProperty("status").GetInt32());
                Assert.True(response.Headers.RetryAfter?.Delta is { } wait && wait > TimeSpan.Zero, $"write {i}: no Retry-After");
            }
        });
        Assert.Empty(written);

        // Reads are a separate budget, and another key of the same cooperative writes as usual.
        Assert.Equal(HttpStatusCode.OK, (await busy.GetAsync($"/api/batches/{batches[0]}")).StatusCode);
        var calmWrite = await calm.PostJson("/api/batches", RawBatch(clock, "CG-RL-CALM"));
        Assert.Equal(HttpStatusCode.Created, calmWrite.StatusCode);
        await StepAsync(calm, batches[0], "notes", new NoteRequest(clock.Next(), "Ghi chú từ máy thứ hai"), 1, "batch.note_added.v1");
        Assert.Equal(7, (await AllEventsAsync(api)).Count(e => e.Category == "batch"));

        // The admin still has budget left for its own writes.
        Assert.Equal(HttpStatusCode.Created, (await admin.PostJson("/api/cooperatives", CanGioParties.Profile("HTX Nông nghiệp Bình Khánh (demo)"))).StatusCode);
    }
    /// <summary>
    /// "Anonymous reads [are limited] per client address" (RateLimits): every public read of the Api draws on that budget,
    /// so a scraper cannot walk around it through one unlimited route.
    /// </summary>
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Anonymous_reads_beyond_the_limit_get_429_on_every_public_read(Backend backend)
    {
        await using var factory = await ApiFactory.StartAsync(backend);
        using var api = factory.WithWebHostBuilder(host => host.UseSetting("RateLimits:ReadsPerMinute", "5"));
        var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", factory.AdminKey);
        var cooperativeId = (await (await admin.PostJson("/api/cooperatives", CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)")))
            .Read<CooperativeChanged>()).CooperativeId;
        var buyerId = (await (await admin.PostJson("/api/buyers", new Traceability.Api.Features.Buyers.RegisterBuyerRequest("Công ty Phân phối Sài Gòn (demo)", null)))
            .Read<Traceability.Api.Features.Buyers.BuyerResponse>()).BuyerId;
        var cooperative = api.CreateClient();
        cooperative.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer",
            await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, cooperativeId));
        var batchId = await RegisterRawBatchAsync(cooperative, new StepClock(), "CG-RL-READ");

        string[] publicReads = [$"/api/batches/{batchId}", $"/api/batches/{batchId}/verify", $"/api/cooperatives/{cooperativeId}", $"/api/buyers/{buyerId}"];
        var anonymous = api.CreateClient();
        for (var i = 0; i < 5; i++) Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(publicReads[0])).StatusCode);

        var unlimited = new List<string>();
        foreach (var url in publicReads)
        {
            var response = await anonymous.GetAsync(url);
            if (response.StatusCode == HttpStatusCode.TooManyRequests) Assert.Equal("request.rate_limited", CodeOf(await response.Problem(429)));
            else unlimited.Add($"{url} → {(int)response.StatusCode}");
        }

        Assert.True(unlimited.Count == 0, "Public reads answered beyond the anonymous read limit: " + string.Join("; ", unlimited));
    }
}
