using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Traceability.Api.Features.Demo;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.Api;

/// <summary>The Cần Giờ demo: seeded on the first start in embedded mode, once, and a provenance page works at once.</summary>
public sealed class DemoSeedTests
{
    private static async Task<(ApiFactory Api, DemoSeed.Seeded Seeded)> StartAsync(string databaseFile)
    {
        var api = await ApiFactory.StartAsync(Backend.Sqlite, settings: new Dictionary<string, string?>
        {
            ["ConnectionStrings:EventStore"] = $"Data Source={databaseFile}",
            ["Demo:Enabled"] = "true",
        });
        var demo = api.Services.GetServices<IHostedService>().OfType<DemoStartup>().Single();
        var seeded = await demo.Done.WaitAsync(TimeSpan.FromSeconds(90));
        Assert.NotNull(seeded);
        return (api, seeded);
    }

    private static async Task<List<RecordedEvent>> AllAsync(IEventStore store)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in store.ReadAllAsync(GlobalPosition.Start)) events.Add(e);
        return events;
    }

    [Fact]
    public async Task The_first_start_seeds_the_story_and_the_next_start_adds_nothing()
    {
        var directory = Directory.CreateTempSubdirectory("traceability-demo-").FullName;
        try
        {
            var file = Path.Combine(directory, "demo.db");
            List<RecordedEvent> firstRun;
            var (api, seeded) = await StartAsync(file);
            await using (api)
            {
                firstRun = await AllAsync(api.Store);
                var anonymous = api.ClientFor(null);
                var fish = await anonymous.GetStringAsync($"/api/provenance/{seeded.FishBatchId}");
                Assert.Contains("HTX Thủy sản Cần Giờ (demo)", fish, StringComparison.Ordinal);
                var page = await anonymous.GetAsync($"/01/{DemoSeed.DemoGtin("10015").Value}/10/CG-2026-1014");
                var html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
                Assert.Equal(HttpStatusCode.OK, page.StatusCode);
                foreach (var expected in new[] { "Khô cá dứa một nắng", "Xã Cần Giờ", "Huyện Cần Giờ", "Phơi nắng", "Ướp muối", "Kiểm tra chất lượng",
                             "Đóng gói", "Công ty Phân phối Sài Gòn (demo)", "OCOP", "★★★★", "Đã xác minh" })
                    Assert.Contains(expected, html, StringComparison.Ordinal);
                Assert.DoesNotContain("id=\"recall-banner\"", html, StringComparison.Ordinal);

                var recalled = await anonymous.GetStringAsync($"/api/batches/{seeded.RecalledBatchId}/recall-status");
                Assert.Contains("\"recalled\":true", recalled, StringComparison.Ordinal);
                Assert.Contains("HTX Nông nghiệp Bình Khánh (demo)", await anonymous.GetStringAsync($"/api/cooperatives/{seeded.OtherCooperativeId}"),
                    StringComparison.Ordinal);
                // The demo key is a cooperative's key: it reads that cooperative's batches through the API.
                Assert.Equal(HttpStatusCode.OK, (await api.ClientFor(DemoSeed.CooperativeKey).GetAsync($"/api/batches/{seeded.ShrimpBatchId}/history")).StatusCode);
            }

            var (again, seededAgain) = await StartAsync(file);
            await using (again)
            {
                var secondRun = await AllAsync(again.Store);
                Assert.Equal(firstRun.Count, secondRun.Count);
                Assert.Equal(firstRun[^1].EventId, secondRun[^1].EventId);
                Assert.Equal(2, firstRun.Count(e => e.Type == "cooperative.registered.v1"));
                Assert.Equal(seededAgain.FishBatchId, firstRun.Where(e => e.Type == "batch.registered.v1").Select(e => Guid.Parse(FlowSteps.DataOf(e).GetProperty("batchId").GetString()!)).First());
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(directory, recursive: true); }
            catch (IOException) { }
        }
    }
}
