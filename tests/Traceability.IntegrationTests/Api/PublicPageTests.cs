using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Labels;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;
using Traceability.IntegrationTests.Messaging;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>The resolver a QR code opens (GS1 Digital Link and the short trace code) and the public page it serves, over HTTP.</summary>
public sealed class PublicPageTests(SharedApis apis) : IClassFixture<SharedApis>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    public static Gtin DemoGtin(string item) => Gtin.Parse($"893000{item}{Gtin.CheckDigit($"893000{item}".PadLeft(13, '0'))}", "gtin");

    private sealed record Published(Guid BatchId, string Code, string? Gtin, string Lot);

    private static async Task<Published> PublishedAsync(ApiFactory api, HttpClient anonymous, Guid batchId)
    {
        using var bound = new CancellationTokenSource(Patience);
        await api.Services.GetRequiredService<Projector>().WaitForAsync(await SettleAsync(api), bound.Token);
        var json = JsonDocument.Parse(await (await anonymous.GetAsync($"/api/provenance/{batchId}")).Content.ReadAsStringAsync()).RootElement;
        return new Published(batchId, json.GetProperty("publicCode").GetString()!,
            json.GetProperty("gtin").ValueKind == JsonValueKind.Null ? null : json.GetProperty("gtin").GetString(), json.GetProperty("lotNumber").GetString()!);
    }

    private static HttpRequestMessage Get(string url, string? accept = null, string? language = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (accept is not null) request.Headers.Accept.ParseAdd(accept);
        if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
        return request;
    }

    [Fact]
    public async Task The_page_is_served_by_trace_code_and_by_Digital_Link_in_Vietnamese_or_English_with_a_strict_policy_and_an_ETag()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var lot = $"CG-PAGE-{Guid.NewGuid():N}"[..16];
        var product = new Product("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", DemoGtin("001234"));
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, lot, product: product);
        var batch = await PublishedAsync(api, p.Anonymous, id);
        Assert.Equal(product.Gtin!.Value.Value, batch.Gtin);

        var vi = await p.Anonymous.SendAsync(Get($"/p/{batch.Code}", "text/html"));
        var html = await vi.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, vi.StatusCode);
        Assert.Equal("text/html", vi.Content.Headers.ContentType?.MediaType);
        Assert.Equal("vi", Assert.Single(vi.Content.Headers.ContentLanguage));
        Assert.Contains("Thông tin truy xuất nguồn gốc", html, StringComparison.Ordinal);
        Assert.Contains(lot, html, StringComparison.Ordinal);
        Assert.Contains(batch.Code, html, StringComparison.Ordinal);
        Assert.True((await vi.Content.ReadAsByteArrayAsync()).Length < 30 * 1024, "under 30 KB without images");
        var csp = vi.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("script-src", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("no-cache", vi.Headers.CacheControl!.ToString(), StringComparison.Ordinal);
        Assert.NotNull(vi.Headers.ETag);

        var again = Get($"/p/{batch.Code}", "text/html");
        again.Headers.IfNoneMatch.Add(vi.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await p.Anonymous.SendAsync(again)).StatusCode);

        var en = await p.Anonymous.SendAsync(Get($"/p/{batch.Code}?lang=en", "text/html"));
        Assert.Contains("Product traceability", await en.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("en", Assert.Single(en.Content.Headers.ContentLanguage));
        var byHeader = await p.Anonymous.SendAsync(Get($"/p/{batch.Code}", "text/html", "en-US,en;q=0.9,vi;q=0.5"));
        Assert.Equal("en", Assert.Single(byHeader.Content.Headers.ContentLanguage));
        Assert.NotEqual(vi.Headers.ETag, en.Headers.ETag);

        // The same batch through its GS1 Digital Link, and the code as a person might type it.
        var digitalLink = await p.Anonymous.SendAsync(Get($"/01/{batch.Gtin}/10/{Uri.EscapeDataString(lot)}", "text/html"));
        Assert.Equal(HttpStatusCode.OK, digitalLink.StatusCode);
        Assert.Contains(batch.Code, await digitalLink.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var gtin13 = batch.Gtin![1..];
        Assert.Equal(HttpStatusCode.OK, (await p.Anonymous.SendAsync(Get($"/01/{gtin13}/10/{Uri.EscapeDataString(lot)}", "text/html"))).StatusCode);
        var sloppy = batch.Code.ToLowerInvariant().Insert(4, "-");
        var typed = await p.Anonymous.SendAsync(Get($"/p/{sloppy}", "text/html"));
        Assert.Equal(HttpStatusCode.OK, typed.StatusCode);
        // Whatever the spelling, the page links (and is cached) under its canonical address: spellings cannot fill memory.
        Assert.Contains($"href=\"/p/{batch.Code}?lang=en\"", await typed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(vi.Headers.ETag, typed.Headers.ETag);
    }

    [Fact]
    public async Task Machines_get_JSON_a_link_set_or_a_redirect_by_link_type()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, $"CG-LINK-{Guid.NewGuid():N}"[..16], product: new Product("Tôm khô", null, "shrimp.dried", DemoGtin("004567")));
        var batch = await PublishedAsync(api, p.Anonymous, id);
        var itemUrl = $"/01/{batch.Gtin}/10/{Uri.EscapeDataString(batch.Lot)}";

        var json = await p.Anonymous.SendAsync(Get(itemUrl, "application/json"));
        Assert.Equal("application/json", json.Content.Headers.ContentType?.MediaType);
        Assert.Equal(id.ToString(), JsonDocument.Parse(await json.Content.ReadAsStringAsync()).RootElement.GetProperty("batchId").GetString());

        foreach (var request in new[] { Get($"{itemUrl}?linkType=all"), Get(itemUrl, "application/linkset+json") })
        {
            var linkset = await p.Anonymous.SendAsync(request);
            Assert.Equal("application/linkset+json", linkset.Content.Headers.ContentType?.MediaType);
            var entry = JsonDocument.Parse(await linkset.Content.ReadAsStringAsync()).RootElement.GetProperty("linkset")[0];
            Assert.EndsWith(itemUrl, entry.GetProperty("anchor").GetString(), StringComparison.Ordinal);
            foreach (var relation in new[] { "defaultLink", "pip", "traceability", "recallStatus", "certificationInfo", "epcis" })
                Assert.StartsWith("http", entry.GetProperty($"https://gs1.org/voc/{relation}")[0].GetProperty("href").GetString(), StringComparison.Ordinal);
        }

        var noRedirect = api.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        var epcis = await noRedirect.GetAsync($"{itemUrl}?linkType=gs1:epcis");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, epcis.StatusCode);
        Assert.EndsWith($"/api/batches/{id}/history", epcis.Headers.Location!.ToString(), StringComparison.Ordinal);
        var certification = await noRedirect.GetAsync($"/p/{batch.Code}?linkType=gs1:certificationInfo");
        Assert.EndsWith($"/api/cooperatives/{p.CooperativeId}", certification.Headers.Location!.ToString(), StringComparison.Ordinal);
        var recall = await noRedirect.GetAsync($"/p/{batch.Code}?linkType=gs1:recallStatus");
        Assert.Equal(HttpStatusCode.TemporaryRedirect, recall.StatusCode);
        var status = JsonDocument.Parse(await p.Anonymous.GetStringAsync(recall.Headers.Location)).RootElement;
        Assert.False(status.GetProperty("recalled").GetBoolean());
        Assert.Equal("link_type.not_available", CodeOf(await (await noRedirect.GetAsync($"/p/{batch.Code}?linkType=gs1:smpc")).Problem(404)));
    }

    [Fact]
    public async Task Unknown_codes_get_a_friendly_page_or_a_problem_and_a_bad_check_digit_is_a_400()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var anonymous = api.ClientFor(null);
        var unknownCode = PublicCode.FromRandom(System.Security.Cryptography.RandomNumberGenerator.GetBytes(PublicCode.DataLength)).Value;
        foreach (var url in new[] { $"/p/{unknownCode}", "/p/not-a-code", $"/01/{DemoGtin("009999").Value}/10/NO-SUCH-LOT" })
        {
            var page = await anonymous.SendAsync(Get(url, "text/html"));
            Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
            Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
            Assert.Contains("id=\"not-found\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal("batch.not_found", CodeOf(await (await anonymous.SendAsync(Get(url, "application/json"))).Problem(404)));
        }

        var good = DemoGtin("001234").Value;
        var badCheck = good[..13] + (char)('0' + (good[13] - '0' + 1) % 10);
        var problem = await (await anonymous.SendAsync(Get($"/01/{badCheck}/10/X", "application/json"))).Problem(400);
        Assert.Equal("gtin", problem.GetProperty("errors").EnumerateObject().Single().Name);
        await (await anonymous.GetAsync("/01/12345/10/X")).Problem(400);
        await (await anonymous.GetAsync($"/01/{good}/10/{new string('L', 101)}")).Problem(400);
    }

    [Fact]
    public async Task A_known_code_whose_read_model_is_being_rebuilt_gets_the_friendly_404_never_a_500()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var id = await RegisterRawBatchAsync(p.Cooperative, new StepClock(), $"CG-REBUILD-{Guid.NewGuid():N}"[..18]);
        var batch = await PublishedAsync(api, p.Anonymous, id);
        Assert.Equal(HttpStatusCode.OK, (await p.Anonymous.SendAsync(Get($"/p/{batch.Code}?lang=en", "text/html"))).StatusCode);

        // The window of a rebuild: the code is remembered, its row is not there yet.
        var readModels = api.Services.GetRequiredService<ReadModelDatabase>();
        await readModels.WriteAsync((c, t) => readModels.ExecuteAsync(c, t, "DELETE FROM provenance_batches WHERE batch_id = @id", CancellationToken.None,
            ("@id", id.ToString())), CancellationToken.None);
        var page = await p.Anonymous.SendAsync(Get($"/p/{batch.Code}", "text/html"));
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("id=\"not-found\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await (await p.Anonymous.SendAsync(Get($"/p/{batch.Code}", "application/json"))).Problem(404);
    }

    [Fact]
    public async Task A_new_step_or_a_recall_reaches_the_cached_page()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, $"CG-CACHE-{Guid.NewGuid():N}"[..17]);
        var batch = await PublishedAsync(api, p.Anonymous, id);
        var first = await p.Anonymous.SendAsync(Get($"/p/{batch.Code}", "text/html"));
        Assert.DoesNotContain("batch.washed.v1", await first.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        await StepAsync(p.Cooperative, id, "washing", new WashingRequest(clock.Next(), "Nhà sơ chế HTX", null, "Rửa sạch"), 1, "batch.washed.v1");
        await Eventually.TrueAsync(async () => (await p.Anonymous.GetStringAsync($"/p/{batch.Code}")).Contains("batch.washed.v1", StringComparison.Ordinal),
            Patience, "the washing step shows on the page");
        (await p.Cooperative.PostJson($"/api/batches/{id}/recall", new RecallRequest(clock.Next(), "Nghi nhiễm khuẩn", RecallSeverity.High, null)))
            .EnsureSuccessStatusCode();
        await Eventually.TrueAsync(async () => (await p.Anonymous.GetStringAsync($"/p/{batch.Code}")).Contains("id=\"recall-banner\"", StringComparison.Ordinal),
            Patience, "the recall banner shows");
        var latest = await p.Anonymous.SendAsync(Get($"/p/{batch.Code}", "text/html"));
        Assert.NotEqual(first.Headers.ETag, latest.Headers.ETag);
    }

    [Fact]
    public async Task QR_codes_take_a_level_and_a_size_and_stay_small_enough_for_a_label()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var id = await RegisterRawBatchAsync(p.Cooperative, new StepClock(), $"CG-QR-{Guid.NewGuid():N}"[..14]);
        await PublishedAsync(api, p.Anonymous, id);
        var high = await p.Anonymous.GetAsync($"/api/batches/{id}/qr.png?ecc=H&size=4");
        Assert.Equal("image/png", high.Content.Headers.ContentType?.MediaType);
        var standard = await p.Anonymous.GetAsync($"/api/batches/{id}/qr.png");
        Assert.True((await high.Content.ReadAsByteArrayAsync()).Length < (await standard.Content.ReadAsByteArrayAsync()).Length, "4 px modules make a smaller PNG");
        Assert.Equal("ecc", (await (await p.Anonymous.GetAsync($"/api/batches/{id}/qr.svg?ecc=X")).Problem(400)).GetProperty("errors").EnumerateObject().Single().Name);
        await (await p.Anonymous.GetAsync($"/api/batches/{id}/qr.png?size=1000")).Problem(400);

        // A 14-digit GTIN, a 20-character lot and a 25-character host still fit a version 5 code at level M.
        var links = new LabelOptions(new Uri("https://truyxuat.hoptacxa.vn"));
        var longest = links.ItemUri(new BatchIdentity(id, "7M3KQ9X2A5", "08930001012340", "CG-2026-1126-ABCDEFG"));
        Assert.InRange(QrRenderer.VersionOf(longest, QRCoder.QRCodeGenerator.ECCLevel.M), 1, 5);
        Assert.InRange(QrRenderer.VersionOf(links.ShortUri("7M3KQ9X2A5"), QRCoder.QRCodeGenerator.ECCLevel.M), 1, 3);
    }
}
