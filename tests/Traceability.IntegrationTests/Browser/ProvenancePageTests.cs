using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Microsoft.Playwright;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Security;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Xunit.Abstractions;
using static Traceability.IntegrationTests.Api.FlowSteps;
using static Traceability.IntegrationTests.Browser.PublicPageFlow;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// The public provenance page as a consumer's phone shows it, in Debian's Chromium over the live socket: the Cần Giờ
/// batch in Vietnamese and English, the label's QR code opening that same page, the recall banner, stored script that
/// must stay text, and the friendly 404. Every page state is saved as a screenshot.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ProvenancePageTests(Chromium chromium, ITestOutputHelper output)
{
    private const string Producer = "HTX Thủy sản Cần Giờ (demo)";
    private const string Distributor = "Công ty Phân phối Sài Gòn (demo)";
    private const string ProducerAddress = "Ấp Long Thạnh, Xã Cần Giờ, Thành phố Hồ Chí Minh (Huyện Cần Giờ)";

    private static readonly string[] StepTypes =
    [
        "batch.received.v1", "batch.washed.v1", "batch.salted.v1", "batch.dried.v1", "batch.inspected.v1", "batch.packed.v1",
        "batch.stored.v1", "batch.shipped.v1", "batch.receipt_confirmed.v1",
    ];

    /// <summary>What a reader should see, per language, for the batch <see cref="PublicPageFlow.DriedFishAsync"/> makes.</summary>
    private sealed record Expected(
        string Lang, string ProductName, string OtherName, string ProducedAt, string BestBefore, string HarvestDates, string Verified,
        string EventCount, string Toggle, string[] Titles, string Salted, string Dried, string Inspected, string Title)
    {
        public static readonly Expected Vietnamese = new("vi", "Khô cá dứa một nắng", "One-sun dried catfish", "15/08/2025", "15/02/2027",
            "13/08/2025 – 14/08/2025", "Đã xác minh", "10 sự kiện", "English",
            ["Tiếp nhận nguyên liệu", "Sơ chế, làm sạch", "Ướp muối", "Phơi nắng", "Kiểm tra chất lượng", "Đóng gói", "Bảo quản", "Xuất hàng", "Nhận hàng"],
            "tỷ lệ muối 8,5 %, 3 giờ", "độ ẩm 38 %", "Đạt", "Thông tin truy xuất nguồn gốc · Khô cá dứa một nắng");

        public static readonly Expected English = new("en", "One-sun dried catfish", "Khô cá dứa một nắng", "15 Aug 2025", "15 Feb 2027",
            "13 Aug 2025 – 14 Aug 2025", "Verified", "10 events", "Tiếng Việt",
            ["Raw material received", "Cleaned and washed", "Salted", "Sun-dried", "Quality inspection", "Packed", "Stored", "Shipped", "Received"],
            "salt 8.5 %, 3 hours", "moisture 38 %", "Pass", "Product traceability · One-sun dried catfish");
    }

    [Fact(Timeout = 180_000)]
    public async Task The_page_shows_the_batch_and_its_timeline_in_Vietnamese_and_the_toggle_switches_language()
    {
        await using var app = await StartAppAsync();
        var p = await CanGioParties.RegisterAsync(app.Api);
        var id = await DriedFishAsync(p, new StepClock(), "CG-2025-0815", VietnameseGtin("456789012"));
        await SettleAsync(app);
        var batch = await IdentityAsync(app, id);

        await using var context = await chromium.PhoneAsync();
        var page = await context.NewPageAsync();
        var dialogs = DialogTrap.Set(page);
        var scripts = await ScriptWatch.StartAsync(page);

        var response = await page.GotoAsync(Url(app, batch.ShortPath));
        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        await AssertBatchPageAsync(page, batch, Expected.Vietnamese);
        await output.SaveScreenshotAsync(page, "page-vi");

        // The headers, once: no script allowed at all, an ETag, a small page; the ETag answers a revalidation with 304.
        var policy = await response.HeaderValueAsync("content-security-policy");
        Assert.NotNull(policy);
        Assert.Contains("default-src 'none'", policy);
        Assert.DoesNotContain("script-src", policy);
        var etag = await response.HeaderValueAsync("etag");
        Assert.False(string.IsNullOrEmpty(etag), "the page has no ETag");
        Assert.StartsWith("text/html", await response.HeaderValueAsync("content-type"));
        Assert.Equal("vi", await response.HeaderValueAsync("content-language"));
        var body = await response.BodyAsync();
        output.WriteLine($"page: {body.Length} bytes");
        Assert.True(body.Length < 30_000, $"the page is {body.Length} bytes, not under 30 KB");

        var anonymous = app.ClientFor(null);
        using (var revalidate = new HttpRequestMessage(HttpMethod.Get, batch.ShortPath))
        {
            revalidate.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));
            revalidate.Headers.TryAddWithoutValidation("If-None-Match", etag);
            using var notModified = await anonymous.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
            Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        }

        using (var other = new HttpRequestMessage(HttpMethod.Get, batch.ShortPath))
        {
            other.Headers.TryAddWithoutValidation("If-None-Match", "\"00000000000000000000000000000000\"");
            using var full = await anonymous.SendAsync(other);
            Assert.Equal(HttpStatusCode.OK, full.StatusCode);
            Assert.Equal(etag, full.Headers.ETag?.ToString());
        }

        // The toggle: to English and back, on the same address.
        Assert.Equal($"/{batch.ShortPath}?lang=en", await page.Locator("#lang-toggle").GetAttributeAsync("href"));
        await page.ClickAsync("#lang-toggle");
        await WaitForUrlAsync(page, Url(app, batch.ShortPath) + "?lang=en");
        await AssertBatchPageAsync(page, batch, Expected.English);
        await output.SaveScreenshotAsync(page, "page-vi-toggled-to-en");

        await page.ClickAsync("#lang-toggle");
        await WaitForUrlAsync(page, Url(app, batch.ShortPath) + "?lang=vi");
        await AssertBatchPageAsync(page, batch, Expected.Vietnamese);

        Assert.Empty(scripts.Scripts);
        Assert.Empty(dialogs.Dialogs);
    }

    [Fact(Timeout = 180_000)]
    public async Task The_page_is_in_English_by_the_query_or_by_the_browser_language()
    {
        await using var app = await StartAppAsync();
        var p = await CanGioParties.RegisterAsync(app.Api);
        var id = await DriedFishAsync(p, new StepClock(), "CG-2025-0901", VietnameseGtin("456789029"));
        await SettleAsync(app);
        var batch = await IdentityAsync(app, id);

        // A Vietnamese phone that asks for English.
        await using (var vietnamese = await chromium.PhoneAsync())
        {
            var page = await vietnamese.NewPageAsync();
            var scripts = await ScriptWatch.StartAsync(page);
            var response = await page.GotoAsync(Url(app, batch.ShortPath) + "?lang=en");
            Assert.Equal(200, response!.Status);
            Assert.Equal("en", await response.HeaderValueAsync("content-language"));
            await AssertBatchPageAsync(page, batch, Expected.English);
            Assert.Equal($"/{batch.ShortPath}?lang=vi", await page.Locator("#lang-toggle").GetAttributeAsync("href"));
            await output.SaveScreenshotAsync(page, "page-en-by-query");
            Assert.Empty(scripts.Scripts);
        }

        // An English phone with no query: Accept-Language decides, on both addresses.
        await using (var english = await chromium.PhoneAsync("en-US"))
        {
            var page = await english.NewPageAsync();
            var scripts = await ScriptWatch.StartAsync(page);
            var response = await page.GotoAsync(Url(app, batch.ShortPath));
            Assert.Equal(200, response!.Status);
            Assert.StartsWith("en", await response.Request.HeaderValueAsync("accept-language"));
            await AssertBatchPageAsync(page, batch, Expected.English);
            await output.SaveScreenshotAsync(page, "page-en-by-browser");

            var digitalLink = await page.GotoAsync(Url(app, batch.DigitalLinkPath));
            Assert.Equal(200, digitalLink!.Status);
            await AssertBatchPageAsync(page, batch, Expected.English);
            Assert.Equal($"/{batch.DigitalLinkPath}?lang=vi", await page.Locator("#lang-toggle").GetAttributeAsync("href"));

            // The visitor's choice beats the browser's language.
            await page.ClickAsync("#lang-toggle");
            await WaitForUrlAsync(page, Url(app, batch.DigitalLinkPath) + "?lang=vi");
            await AssertBatchPageAsync(page, batch, Expected.Vietnamese);
            await output.SaveScreenshotAsync(page, "page-en-browser-toggled-to-vi");
            Assert.Empty(scripts.Scripts);
        }
    }

    [Fact(Timeout = 180_000)]
    public async Task The_label_qr_code_opens_the_same_batch_page()
    {
        await using var app = await StartAppAsync();
        var p = await CanGioParties.RegisterAsync(app.Api);
        var withGtin = await DriedFishAsync(p, new StepClock(), "CG-2025-0815", VietnameseGtin("456789012"));
        var withoutGtin = await DriedFishAsync(p, new StepClock(), "CG-2025-0816");
        // A second batch of the same product, so the Digital Link must pick the lot, not just the GTIN; its lot has slashes
        // (GS1 allows them in AI 10), which the label's URI carries percent-encoded as %2F.
        var sameGtin = await DriedFishAsync(p, new StepClock(), "CG/2025/08-17", VietnameseGtin("456789012"));
        await SettleAsync(app);

        await using var context = await chromium.PhoneAsync();
        var page = await context.NewPageAsync();
        var scripts = await ScriptWatch.StartAsync(page);
        var anonymous = app.ClientFor(null);

        foreach (var (id, name) in new[] { (withGtin, "qr-digital-link"), (withoutGtin, "qr-short-code"), (sameGtin, "qr-digital-link-second-lot") })
        {
            var batch = await IdentityAsync(app, id);
            using var label = await anonymous.GetAsync($"api/batches/{id}/qr.png");
            Assert.Equal(HttpStatusCode.OK, label.StatusCode);
            Assert.Equal("image/png", label.Content.Headers.ContentType?.MediaType);
            var url = await QrDecoder.DecodeAsync(await label.Content.ReadAsByteArrayAsync());
            output.WriteLine($"{batch.LotNumber}: {url}");

            // The Digital Link for a batch with a GTIN (14 digits, GS1 Vietnam's 893 after the padding zero), else the short code.
            var expected = batch.Gtin14 is { } gtin14 ? Url(app, batch.DigitalLinkPath) : Url(app, batch.ShortPath);
            Assert.Equal(expected, url);
            if (batch.Gtin14 is not null)
                Assert.Matches($"^{Regex(app.BaseAddress.ToString())}01/0893[0-9]{{10}}/10/{Regex(batch.LotNumber.Replace("/", "%2F"))}$", url);
            else Assert.Matches($"^{Regex(app.BaseAddress.ToString())}p/[0-9A-Z]{{10}}$", url);

            var response = await page.GotoAsync(url);
            Assert.Equal(200, response!.Status);
            Assert.Equal(url, page.Url);
            Assert.Equal(batch.LotNumber, await page.Locator("#lot-number").InnerTextAsync());
            Assert.Equal(batch.PublicCode, await page.Locator("#trace-code").InnerTextAsync());
            Assert.Equal("Khô cá dứa một nắng", await page.Locator("#product-name").InnerTextAsync());
            Assert.Equal(1, await page.Locator("#integrity.ok").CountAsync());
            await output.SaveScreenshotAsync(page, name);

            // The language toggle stays on the same batch.
            await page.ClickAsync("#lang-toggle");
            await WaitForUrlAsync(page, url + "?lang=en");
            Assert.Equal("One-sun dried catfish", await page.Locator("#product-name").InnerTextAsync());
            Assert.Equal(batch.LotNumber, await page.Locator("#lot-number").InnerTextAsync());
        }

        Assert.Empty(scripts.Scripts);
    }

    [Fact(Timeout = 180_000)]
    public async Task A_recalled_batch_shows_the_recall_banner_at_once_and_a_batch_not_recalled_shows_none()
    {
        await using var app = await StartAppAsync();
        var p = await CanGioParties.RegisterAsync(app.Api);
        var clock = new StepClock();
        var recalled = await DriedFishAsync(p, clock, "CG-2025-0815");
        var kept = await DriedFishAsync(p, new StepClock(), "CG-2025-0816");
        await SettleAsync(app);
        var recalledBatch = await IdentityAsync(app, recalled);
        var keptBatch = await IdentityAsync(app, kept);

        await using var context = await chromium.PhoneAsync();
        var page = await context.NewPageAsync();
        var scripts = await ScriptWatch.StartAsync(page);
        var anonymous = app.ClientFor(null);

        // Before the recall: no banner, and the page is cached with an ETag.
        var before = await page.GotoAsync(Url(app, recalledBatch.ShortPath));
        Assert.Equal(200, before!.Status);
        Assert.Equal(0, await page.Locator("#recall-banner").CountAsync());
        var etagBefore = await before.HeaderValueAsync("etag");

        // A reason as an authority's notice gives it, with the link to the notice: the banner must show it whole.
        const string reason = "Phát hiện histamin vượt ngưỡng cho phép (kiểm nghiệm lại mẫu lưu), " +
                              "xem https://nafiqad.gov.vn/Uploads/ThongBao/2025/QD_thu_hoi_KCN20250815_kho_ca_dua_mot_nang.pdf";
        (await p.Cooperative.PostJson($"/api/batches/{recalled}/recall",
            new RecallRequest(clock.Next(), reason, RecallSeverity.High, "Đã báo các đại lý ngừng bán"))).EnsureSuccessStatusCode();
        await SettleAsync(app);

        var vietnamese = await page.ReloadAsync();
        Assert.Equal(200, vietnamese!.Status);
        Assert.NotEqual(etagBefore, await vietnamese.HeaderValueAsync("etag"));
        var banner = page.Locator("#recall-banner");
        Assert.True(await banner.IsVisibleAsync());
        Assert.Equal("alert", await banner.GetAttributeAsync("role"));
        var bannerText = await banner.InnerTextAsync();
        Assert.Contains("SẢN PHẨM ĐANG BỊ THU HỒI", bannerText);
        Assert.Contains(reason, bannerText);
        Assert.Contains("cao", bannerText);
        Assert.Equal(0, await OverflowAsync(page));
        // It comes first, above the product name, where nobody can miss it.
        Assert.True(await page.EvaluateAsync<bool>(
            "() => document.querySelector('#recall-banner').getBoundingClientRect().bottom <= document.querySelector('#product-name').getBoundingClientRect().top"));
        var last = page.Locator("#timeline > ol > li").Last;
        Assert.Equal("batch.recalled.v1", await last.GetAttributeAsync("data-step"));
        Assert.Equal("recalled", await last.GetAttributeAsync("class"));
        Assert.Equal("Thu hồi sản phẩm", await last.Locator("h3").InnerTextAsync());
        await output.SaveScreenshotAsync(page, "recall-vi");

        var english = await page.GotoAsync(Url(app, recalledBatch.ShortPath) + "?lang=en");
        Assert.Equal(200, english!.Status);
        Assert.True(await banner.IsVisibleAsync());
        bannerText = await banner.InnerTextAsync();
        Assert.Contains("RECALLED", bannerText);
        Assert.Contains(reason, bannerText);
        Assert.Contains("high", bannerText);
        await output.SaveScreenshotAsync(page, "recall-en");

        // The old ETag no longer matches: a phone revalidating its copy gets the recall.
        using (var revalidate = new HttpRequestMessage(HttpMethod.Get, recalledBatch.ShortPath))
        {
            revalidate.Headers.TryAddWithoutValidation("If-None-Match", etagBefore);
            using var fresh = await anonymous.SendAsync(revalidate);
            Assert.Equal(HttpStatusCode.OK, fresh.StatusCode);
            Assert.Contains("SẢN PHẨM ĐANG BỊ THU HỒI", WebUtility.HtmlDecode(await fresh.Content.ReadAsStringAsync()));
        }

        var status = JsonDocument.Parse(await anonymous.GetStringAsync($"api/batches/{recalled}/recall-status")).RootElement;
        Assert.True(status.GetProperty("recalled").GetBoolean());
        Assert.Equal(reason, status.GetProperty("reason").GetString());

        // The other batch, in both languages: no banner.
        foreach (var query in new[] { "", "?lang=en" })
        {
            var response = await page.GotoAsync(Url(app, keptBatch.ShortPath) + query);
            Assert.Equal(200, response!.Status);
            Assert.Equal(keptBatch.LotNumber, await page.Locator("#lot-number").InnerTextAsync());
            Assert.Equal(0, await page.Locator("#recall-banner").CountAsync());
            Assert.DoesNotContain("THU HỒI", await page.InnerTextAsync("body"));
            Assert.DoesNotContain("RECALLED", await page.InnerTextAsync("body"));
            Assert.Equal(0, await page.Locator("#timeline li.recalled").CountAsync());
        }

        await output.SaveScreenshotAsync(page, "not-recalled-en");
        var keptStatus = JsonDocument.Parse(await anonymous.GetStringAsync($"api/batches/{kept}/recall-status")).RootElement;
        Assert.False(keptStatus.GetProperty("recalled").GetBoolean());
        Assert.Empty(scripts.Scripts);
    }

    [Fact(Timeout = 120_000)]
    public async Task An_unknown_code_gets_the_friendly_404_and_a_bad_gtin_a_400()
    {
        await using var app = await StartAppAsync();
        var p = await CanGioParties.RegisterAsync(app.Api);
        var gtin = VietnameseGtin("456789012");
        await DriedFishAsync(p, new StepClock(), "CG-2025-0815", gtin);
        await SettleAsync(app);

        await using var context = await chromium.PhoneAsync(bypassCsp: true);
        var page = await context.NewPageAsync();
        var dialogs = DialogTrap.Set(page);
        var scripts = await ScriptWatch.StartAsync(page);

        var response = await page.GotoAsync(Url(app, "p/AAAAAAAAAA"));
        Assert.Equal(404, response!.Status);
        Assert.True(await page.Locator("#not-found").IsVisibleAsync());
        Assert.Equal("Không tìm thấy sản phẩm", await page.Locator("#not-found h1").InnerTextAsync());
        Assert.Contains("AAAAAAAAAA", await page.Locator("#not-found").InnerTextAsync());
        Assert.Equal("vi", await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Contains("default-src 'none'", await response.HeaderValueAsync("content-security-policy"));
        Assert.Equal(0, await page.Locator("#product-name").CountAsync());
        await output.SaveScreenshotAsync(page, "not-found-vi");

        response = await page.GotoAsync(Url(app, "p/AAAAAAAAAA") + "?lang=en");
        Assert.Equal(404, response!.Status);
        Assert.Equal("Product not found", await page.Locator("#not-found h1").InnerTextAsync());
        await output.SaveScreenshotAsync(page, "not-found-en");

        // A well-formed code (its check symbol right) that no batch has, and a known GTIN with an unknown lot.
        var unused = PublicCode.FromRandom(System.Security.Cryptography.RandomNumberGenerator.GetBytes(PublicCode.DataLength));
        foreach (var path in new[] { $"p/{unused}", $"01/{gtin.Value}/10/CG-2099-0001" })
        {
            response = await page.GotoAsync(Url(app, path));
            Assert.Equal(404, response!.Status);
            Assert.True(await page.Locator("#not-found").IsVisibleAsync());
        }

        // What was asked is shown back as text, never as markup (the page's CSP is off in this context).
        foreach (var reflected in new[] { "<img src=x onerror=alert(1)>", "\"><svg onload=alert(1)>" })
        {
            foreach (var path in new[] { $"p/{Uri.EscapeDataString(reflected)}", $"01/{gtin.Value}/10/{Uri.EscapeDataString(reflected)}" })
            {
                response = await page.GotoAsync(Url(app, path));
                Assert.Equal(404, response!.Status);
                Assert.Contains(reflected, await page.Locator("#not-found").InnerTextAsync());
                Assert.False(await ScriptWatch.PayloadRanAsync(page));
                Assert.Empty(await MarkupOffencesAsync(page));
            }
        }

        await output.SaveScreenshotAsync(page, "not-found-reflected-payload");

        // A GTIN whose check digit is wrong is a bad request, not an unknown product.
        var wrong = gtin.Value[..13] + (char)('0' + (gtin.Value[13] - '0' + 1) % 10);
        using var bad = await app.ClientFor(null).GetAsync($"01/{wrong}/10/X");
        Assert.Equal("request.invalid_field", CodeOf(await bad.Problem(400)));
        response = await page.GotoAsync(Url(app, $"01/{wrong}/10/X"));
        Assert.Equal(400, response!.Status);

        Assert.Empty(scripts.Scripts);
        Assert.Empty(dialogs.Dialogs);
    }

    /// <summary>Where each field a user types shows on the page; <c>Exact</c> when the element holds nothing else.</summary>
    private sealed record Shown(string Field, string Selector, bool Exact, string? OnlyIn = null);

    private static readonly Shown[] Places =
    [
        new("cooperative.nameVi", "#producer", true),
        new("cooperative.nameVi", "#value-chain li:first-child", true),
        new("cooperative.nameVi", "#timeline li[data-step='batch.received.v1'] .meta", false),
        new("cooperative.address.street", "#producer-address", false),
        new("buyer.name", "#value-chain li:last-child", true),
        new("buyer.name", "#timeline li[data-step='batch.shipped.v1']", false),
        new("buyer.name", "#timeline li[data-step='batch.receipt_confirmed.v1'] .meta", false),
        new("product.nameVi", "#product-name", true, "vi"),
        new("product.nameVi", ".sub", true, "en"),
        new("product.nameEn", "#product-name", true, "en"),
        new("product.nameEn", ".sub", true, "vi"),
        new("lotNumber", "#lot-number", true),
        new("origin.area", "#origin", false),
        new("origin.vesselOrHouseholdRef", "#origin", false),
        new("receiving.place", "#timeline li[data-step='batch.received.v1'] .meta", false),
        new("receiving.note", "#timeline li[data-step='batch.received.v1']", false),
        new("washing.method", "#timeline li[data-step='batch.washed.v1']", false),
        new("inspection.measurements.name", "#timeline li[data-step='batch.inspected.v1']", false),
        new("inspection.documentRef", "#timeline li[data-step='batch.inspected.v1']", false),
        new("storage.conditions", "#timeline li[data-step='batch.stored.v1']", false),
        new("note", "#timeline li[data-step='batch.note_added.v1']", false),
        new("shipping.transport", "#timeline li[data-step='batch.shipped.v1']", false),
        new("receipt.place", "#timeline li[data-step='batch.receipt_confirmed.v1'] .meta", false),
        new("recall.reason", "#recall-banner", false),
        new("recall.reason", "#timeline li[data-step='batch.recalled.v1']", false),
    ];

    [Fact(Timeout = 600_000)]
    public async Task Stored_script_shows_as_text_in_every_field_and_never_runs()
    {
        await using var app = await StartAppAsync();
        var admin = app.ClientFor(app.AdminKey);
        var gtin = VietnameseGtin("000000042");
        var ledger = new PayloadLedger();
        var batches = new List<(int Index, Guid BatchId)>();
        for (var i = 0; i < XssPayloads.All.Count; i++)
            batches.Add((i, await StorePayloadAsync(app, admin, ledger, i, XssPayloads.All[i], gtin)));
        await SettleAsync(app);

        // The context ignores the pages' CSP: an unencoded payload must run and be caught, not be stopped unseen.
        await using var context = await chromium.PhoneAsync(bypassCsp: true);
        var page = await context.NewPageAsync();
        var dialogs = DialogTrap.Set(page);
        var scripts = await ScriptWatch.StartAsync(page);
        var selectors = Places.Select(s => s.Selector).Distinct().ToArray();
        var checkedPlacements = 0;

        foreach (var (index, batchId) in batches)
        {
            var payload = XssPayloads.All[index];
            var batch = await IdentityAsync(app, batchId);
            foreach (var (lang, path) in new[] { ("vi", batch.ShortPath), ("en", batch.DigitalLinkPath + "?lang=en") })
            {
                var where = $"payload {index} ({lang}, /{path})";
                var response = await page.GotoAsync(Url(app, path));
                Assert.True(response?.Status == 200, $"{where}: status {response?.Status}");
                Assert.False(await ScriptWatch.PayloadRanAsync(page), $"{where}: the payload ran");
                Assert.True(dialogs.Dialogs.Count == 0, $"{where}: dialogs {string.Join(", ", dialogs.Dialogs)}");
                Assert.True(scripts.Scripts.Count == 0, $"{where}: scripts {string.Join(", ", scripts.Scripts)}");
                var offences = await MarkupOffencesAsync(page);
                Assert.True(offences.Length == 0, $"{where}: {string.Join("; ", offences)}");
                Assert.Equal(1, await page.Locator("a").CountAsync());
                Assert.Equal(lang, await page.Locator("html").GetAttributeAsync("lang"));
                var overflow = await OverflowAsync(page);
                Assert.True(overflow == 0, $"{where}: the page is {overflow} px wider than the phone");

                var texts = await page.EvaluateAsync<Dictionary<string, string>>(
                    "selectors => Object.fromEntries(selectors.map(s => [s, [...document.querySelectorAll(s)].map(e => e.innerText).join('\\n')]))",
                    selectors);
                foreach (var shown in Places.Where(s => (s.OnlyIn is null || s.OnlyIn == lang) && ledger.IsStored(index, s.Field)))
                {
                    var text = texts[shown.Selector];
                    if (shown.Exact) Assert.True(text == payload, $"{where}: {shown.Field} in {shown.Selector} shows «{text}», not «{payload}»");
                    else Assert.True(text.Contains(payload, StringComparison.Ordinal),
                        $"{where}: {shown.Field} in {shown.Selector} shows «{text}», without «{payload}»");
                    checkedPlacements++;
                }

                if (lang == "vi" && ledger.IsStored(index, "product.nameVi"))
                    Assert.Equal($"Thông tin truy xuất nguồn gốc · {payload}", await page.TitleAsync());
                if (lang == "en" && ledger.IsStored(index, "product.nameEn"))
                    Assert.Equal($"Product traceability · {payload}", await page.TitleAsync());

                if (index % 10 == 0) await output.SaveScreenshotAsync(page, $"xss-payload-{index}-{lang}");
            }
        }

        var stored = ledger.StoredPayloads();
        output.WriteLine($"{XssPayloads.All.Count} payloads, {stored.Count} stored in at least one field, {ledger.StoredCount} placements stored, " +
                         $"{ledger.RefusedCount} refused, {checkedPlacements} placements checked on the pages");
        foreach (var line in ledger.Summary()) output.WriteLine(line);
        Assert.True(stored.Count >= 30, $"only {stored.Count} payloads were stored");
        Assert.True(ledger.StoredIn("note").Count >= 30, $"only {ledger.StoredIn("note").Count} payloads were stored as notes");
        Assert.True(ledger.StoredIn("cooperative.nameVi").Count >= 30, $"only {ledger.StoredIn("cooperative.nameVi").Count} cooperative names");
        Assert.True(ledger.StoredIn("product.nameVi").Count >= 30, $"only {ledger.StoredIn("product.nameVi").Count} product names");
        // The control character and the decomposed text were refused everywhere, the rest stored at least as a note.
        Assert.Equal(XssPayloads.All.Count - 2, stored.Count);
        Assert.DoesNotContain(XssPayloads.All.Count - 1, stored);
        Assert.DoesNotContain(XssPayloads.All.Count - 2, stored);
    }

    /// <summary>
    /// Stores one payload in every free-text field a consumer sees, through the Api as its users would: a cooperative
    /// and a buyer named with it, a batch (product names, lot, origin) and its steps, and for every other payload a
    /// recall. A field the Api refuses (400, invalid field) gets a plain value instead and is not counted.
    /// </summary>
    private static async Task<Guid> StorePayloadAsync(LiveApp app, HttpClient admin, PayloadLedger ledger, int index, string payload, Gtin gtin)
    {
        var clock = new StepClock();
        var send = new PayloadSender(ledger, index, payload);

        var cooperativeId = (await (await send.Async([("cooperative.nameVi", "nameVi"), ("cooperative.address.street", "address.street")],
            v => admin.PostJson("/api/cooperatives", CanGioParties.Profile(v["cooperative.nameVi"]) with
            {
                Address = CanGioParties.CanGio with { Street = v["cooperative.address.street"] },
            }))).Read<CooperativeChanged>()).CooperativeId;
        var cooperative = app.ClientFor(await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, cooperativeId));
        var buyerId = (await (await send.Async([("buyer.name", "name")],
            v => admin.PostJson("/api/buyers", new RegisterBuyerRequest(v["buyer.name"],
                new Address("12 Lê Lợi", "Phường Sài Gòn", "26740", "Thành phố Hồ Chí Minh", "79", null))))).Read<BuyerResponse>()).BuyerId;
        var buyer = app.ClientFor(await CanGioParties.IssueKeyAsync(admin, ApiRole.Buyer, buyerId));

        var id = (await (await send.Async(
            [
                ("product.nameVi", "product.nameVi"), ("product.nameEn", "product.nameEn"), ("lotNumber", "lotNumber"),
                ("origin.area", "origin.area"), ("origin.vesselOrHouseholdRef", "origin.vesselOrHouseholdRef"),
            ],
            v => cooperative.PostJson("/api/batches", new RegisterBatchRequest(null,
                new Product(v["product.nameVi"], v["product.nameEn"], "fish.one_sun", gtin), v["lotNumber"], Kg(100m),
                new Origin(v["origin.area"], null, clock.Today.AddDays(-1), clock.Today, v["origin.vesselOrHouseholdRef"]),
                clock.Next(), null, null)))).Read<BatchChanged>()).BatchId;

        await send.Async([("receiving.place", "place"), ("receiving.note", "note")],
            v => cooperative.PostJson($"/api/batches/{id}/receiving", new ReceivingRequest(clock.Next(), v["receiving.place"], v["receiving.note"], Kg(98m), null)));
        await send.Async([("washing.method", "method")],
            v => cooperative.PostJson($"/api/batches/{id}/washing", new WashingRequest(clock.Next(), "Nhà sơ chế", null, v["washing.method"])));
        await send.Async([("inspection.measurements.name", "measurements.name"), ("inspection.documentRef", "documentRef")],
            v => cooperative.PostJson($"/api/batches/{id}/inspections", new InspectionRequest(clock.Next(), null, null, "Tổ KCS", InspectionResult.Pass,
                [new Measurement(v["inspection.measurements.name"], 12m, "%")], v["inspection.documentRef"])));
        await send.Async([("storage.conditions", "conditions")],
            v => cooperative.PostJson($"/api/batches/{id}/storage", new StorageRequest(clock.Next(), null, null, v["storage.conditions"], 4m)));
        await send.Async([("note", "note")],
            v => cooperative.PostJson($"/api/batches/{id}/notes", new NoteRequest(clock.Next(), v["note"])));
        await send.Async([("shipping.transport", "transport")],
            v => cooperative.PostJson($"/api/batches/{id}/shipments",
                new ShippingRequest(clock.Next(), null, null, PartyKind.Buyer, buyerId, Kg(98m), v["shipping.transport"])));
        var shipment = (await SummaryAsync(cooperative, id)).Shipment ?? throw new InvalidOperationException("No pending shipment.");
        await send.Async([("receipt.place", "place")],
            v => buyer.PostJson($"/api/batches/{id}/receipts",
                new ReceiptRequest(clock.Next(), v["receipt.place"], null, shipment.ShipmentId, Kg(98m), ReceiptCondition.Good)));
        if (index % 2 == 0)
            await send.Async([("recall.reason", "reason")],
                v => cooperative.PostJson($"/api/batches/{id}/recall", new RecallRequest(clock.Next(), v["recall.reason"], RecallSeverity.Medium, null)));
        return id;
    }

    /// <summary>Which payload was stored in which field, and which the Api refused.</summary>
    private sealed class PayloadLedger
    {
        private readonly HashSet<(int Index, string Field)> _stored = [];
        private readonly HashSet<(int Index, string Field)> _refused = [];

        public int StoredCount => _stored.Count;

        public int RefusedCount => _refused.Count;

        public void Stored(int index, string field) => _stored.Add((index, field));

        public void Refused(int index, string field) => _refused.Add((index, field));

        public bool IsStored(int index, string field) => _stored.Contains((index, field));

        public IReadOnlyCollection<int> StoredPayloads() => _stored.Select(s => s.Index).Distinct().ToList();

        public IReadOnlyCollection<int> StoredIn(string field) => _stored.Where(s => s.Field == field).Select(s => s.Index).ToList();

        public IEnumerable<string> Summary() =>
            _stored.Concat(_refused).Select(s => s.Field).Distinct().Order().Select(field =>
                $"{field}: {_stored.Count(s => s.Field == field)} stored, refused {string.Join(" ", _refused.Where(s => s.Field == field).Select(s => s.Index))}");
    }

    /// <summary>
    /// Sends a request with the payload in each of its fields; when the Api refuses one (400 with that field named),
    /// sends it again with a plain value there. Any other failure fails the test.
    /// </summary>
    private sealed class PayloadSender(PayloadLedger ledger, int index, string payload)
    {
        public async Task<HttpResponseMessage> Async((string Field, string ApiField)[] fields,
            Func<IReadOnlyDictionary<string, string>, Task<HttpResponseMessage>> send)
        {
            var values = fields.ToDictionary(f => f.Field, _ => payload);
            for (var attempt = 0; ; attempt++)
            {
                var response = await send(values);
                if (response.StatusCode != HttpStatusCode.BadRequest || attempt == fields.Length)
                {
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.IsSuccessStatusCode, $"payload {index}, {string.Join(", ", values.Keys)}: {(int)response.StatusCode} {text}");
                    foreach (var (name, value) in values)
                        if (value == payload) ledger.Stored(index, name);
                    return response;
                }

                var problem = await response.Problem(400);
                Assert.Equal("request.invalid_field", CodeOf(problem));
                var refused = problem.GetProperty("errors").EnumerateObject().Single().Name;
                var field = fields.SingleOrDefault(f => f.ApiField == refused && values[f.Field] == payload).Field;
                Assert.True(field is not null, $"payload {index}: the Api refused '{refused}', which does not hold the payload");
                ledger.Refused(index, field);
                values[field] = field == "lotNumber" ? $"XSS-{index:000}" : $"Giá trị thường {index}";
            }
        }
    }

    private static async Task AssertBatchPageAsync(IPage page, PublicIdentity batch, Expected e)
    {
        Assert.Equal(e.Lang, await page.Locator("html").GetAttributeAsync("lang"));
        Assert.Equal(e.Title, await page.TitleAsync());
        Assert.Equal(e.ProductName, await page.Locator("#product-name").InnerTextAsync());
        Assert.Equal(e.OtherName, await page.Locator(".sub").InnerTextAsync());
        Assert.Equal(Producer, await page.Locator("#producer").InnerTextAsync());
        Assert.Equal(ProducerAddress, await page.Locator("#producer-address").InnerTextAsync());
        Assert.Equal(e.ProducedAt, await page.Locator("#produced-at").InnerTextAsync());
        Assert.Equal(e.BestBefore, await page.Locator("#best-before").InnerTextAsync());
        Assert.Equal(batch.LotNumber, await page.Locator("#lot-number").InnerTextAsync());
        Assert.Equal(batch.PublicCode, await page.Locator("#trace-code").InnerTextAsync());
        Assert.Equal(e.Toggle, await page.Locator("#lang-toggle").InnerTextAsync());
        Assert.Equal(0, await page.Locator("#recall-banner").CountAsync());

        var integrity = page.Locator("#integrity");
        Assert.Equal(1, await page.Locator("#integrity.ok").CountAsync());
        Assert.Equal(0, await page.Locator("#integrity.bad").CountAsync());
        Assert.True(await integrity.IsVisibleAsync());
        var integrityText = await integrity.InnerTextAsync();
        Assert.Contains(e.Verified, integrityText);
        Assert.Contains(e.EventCount, integrityText);

        var origin = await page.Locator("#origin").InnerTextAsync();
        Assert.Contains("Vùng biển Cần Giờ – cửa sông Lòng Tàu", origin);
        Assert.Contains(e.HarvestDates, origin);
        Assert.Contains("Tàu CG-90123-TS", origin);

        var steps = page.Locator("#timeline > ol > li");
        Assert.Equal(StepTypes, await steps.EvaluateAllAsync<string[]>("items => items.map(i => i.dataset.step)"));
        Assert.Equal(e.Titles, await page.Locator("#timeline > ol > li > h3").AllInnerTextsAsync());
        var received = await page.Locator("#timeline li[data-step='batch.received.v1']").InnerTextAsync();
        Assert.Contains(Landing, received);
        Assert.Contains(Producer, received);
        Assert.Contains(e.Salted, await page.Locator("#timeline li[data-step='batch.salted.v1']").InnerTextAsync());
        var dried = await page.Locator("#timeline li[data-step='batch.dried.v1']").InnerTextAsync();
        Assert.Contains(DryingYard, dried);
        Assert.Contains(e.Dried, dried);
        Assert.Contains(e.Lang == "vi" ? "55,2 kg" : "55.2 kg", dried);
        Assert.Contains(e.Inspected, await page.Locator("#timeline li[data-step='batch.inspected.v1']").InnerTextAsync());
        Assert.Contains(Distributor, await page.Locator("#timeline li[data-step='batch.receipt_confirmed.v1']").InnerTextAsync());

        Assert.Equal([Producer, Distributor], await page.Locator("#value-chain li").AllInnerTextsAsync());
        Assert.Empty(await MarkupOffencesAsync(page));
        Assert.Equal(0, await OverflowAsync(page));
    }

    /// <summary>The absolute address, the relative part kept as written (a Uri would unescape some of it).</summary>
    private static string Url(LiveApp app, string relative) => app.BaseAddress.AbsoluteUri + relative;

    /// <summary>Waits for the page to be at exactly <paramref name="url"/> (a string would be read as a glob, where '?' is special).</summary>
    private static Task WaitForUrlAsync(IPage page, string url) => page.WaitForURLAsync(current => current == url);

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
