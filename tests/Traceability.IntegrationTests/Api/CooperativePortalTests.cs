using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;
using Traceability.Api.Security;
using Traceability.EventStore;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>
/// The cooperative's pages over real HTTP: key sign-in to a cookie, forms with anti-forgery tokens and idempotency keys,
/// errors beside their fields, nothing written by a refused form, and a cookie the JSON API never accepts.
/// </summary>
public sealed partial class CooperativePortalTests(SharedApis apis) : IClassFixture<SharedApis>
{
    /// <summary>A browser: keeps cookies, does not follow redirects (the tests check them).</summary>
    private static HttpClient Browser(ApiFactory api) =>
        api.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });

    [GeneratedRegex("name=\"__af\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    [GeneratedRegex("name=\"idempotencyKey\" value=\"([^\"]+)\"")]
    private static partial Regex IdempotencyField();

    private static async Task<(string Token, string Idempotency)> OpenFormAsync(HttpClient browser, string url)
    {
        var page = await browser.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();
        Assert.True(page.StatusCode == HttpStatusCode.OK, $"{url}: {(int)page.StatusCode}");
        var idempotency = IdempotencyField().Match(html);
        return (AntiforgeryField().Match(html).Groups[1].Value, idempotency.Success ? idempotency.Groups[1].Value : "");
    }

    private static Task<HttpResponseMessage> PostFormAsync(HttpClient browser, string url, IEnumerable<KeyValuePair<string, string>> fields) =>
        browser.PostAsync(url, new FormUrlEncodedContent(fields));

    private static async Task<HttpClient> SignInAsync(ApiFactory api, string key)
    {
        var browser = Browser(api);
        var (token, _) = await OpenFormAsync(browser, "/htx/dang-nhap");
        var signedIn = await PostFormAsync(browser, "/htx/dang-nhap", [new("__af", token), new("key", key)]);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal("/htx/lo-hang", signedIn.Headers.Location?.OriginalString);
        return browser;
    }

    private static long Count(List<RecordedEvent> events, string type) => events.Count(e => e.Type == type);

    [Fact]
    public async Task A_cooperative_signs_in_registers_a_batch_once_however_often_the_form_is_sent_and_records_drying()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var key = await CanGioParties.IssueKeyAsync(p.Admin, ApiRole.Cooperative, p.CooperativeId);
        var browser = await SignInAsync(api, key);
        var lot = $"CG-FORM-{Guid.NewGuid():N}"[..16];

        var (token, idempotency) = await OpenFormAsync(browser, "/htx/lo-hang/moi");
        Assert.True(Guid.TryParse(idempotency, out _));
        KeyValuePair<string, string>[] register =
        [
            new("__af", token), new("idempotencyKey", idempotency), new("product.nameVi", "Mực một nắng"), new("product.category", "squid.one_sun"),
            new("lotNumber", lot), new("quantity.amount", "40,5"), new("quantity.unit", "kg"), new("producedAt", "2026-11-20T06:00"),
            new("origin.area", "Biển Cần Giờ"), new("origin.harvestFrom", "2026-11-19"), new("origin.harvestTo", "2026-11-20"),
        ];
        HttpResponseMessage? first = null;
        var events = await RecordedDuringAsync(api, async () =>
        {
            // A double tap on a weak network: the same form three times.
            first = await PostFormAsync(browser, "/htx/lo-hang/moi", register);
            for (var i = 0; i < 2; i++)
            {
                var again = await PostFormAsync(browser, "/htx/lo-hang/moi", register);
                Assert.Equal(first.Headers.Location, again.Headers.Location);
            }
        });
        Assert.Equal(HttpStatusCode.SeeOther, first!.StatusCode);
        Assert.Equal(1, Count(events, "batch.registered.v1"));
        var batchUrl = first.Headers.Location!.OriginalString.Split('?')[0];
        var batchId = Guid.Parse(batchUrl.Split('/')[^1]);
        Assert.Contains(lot, await browser.GetStringAsync("/htx/lo-hang"), StringComparison.Ordinal);
        var registered = DataOf(events.Single(e => e.Type == "batch.registered.v1"));
        Assert.Equal("40.5", registered.GetProperty("quantity").GetProperty("amount").GetRawText());
        Assert.Equal("2026-11-20T06:00:00+07:00", registered.GetProperty("producedAt").GetString());

        // Drying with a typo: the form comes back with the error beside the field, and nothing is written.
        (token, idempotency) = await OpenFormAsync(browser, $"{batchUrl}/phoi-say");
        KeyValuePair<string, string>[] drying =
        [
            new("__af", token), new("idempotencyKey", idempotency), new("method", "sun"), new("startedAt", "2026-11-20T07:00"),
            new("endedAt", "2026-11-20T16:30"), new("place", "Sân phơi HTX"), new("output.amount", "mười"), new("output.unit", "kg"),
        ];
        HttpResponseMessage? refused = null;
        var none = await RecordedDuringAsync(api, async () => refused = await PostFormAsync(browser, $"{batchUrl}/phoi-say", drying));
        Assert.Empty(none);
        Assert.Equal(HttpStatusCode.BadRequest, refused!.StatusCode);
        var errorPage = await refused.Content.ReadAsStringAsync();
        Assert.Matches("id=\"f-output-amount-error\">[^<]*nh", errorPage);
        Assert.Contains("value=\"Sân phơi HTX\"", WebUtility.HtmlDecode(errorPage), StringComparison.Ordinal);

        // A rule of the domain (more output than the yield allows) comes back in Vietnamese at the top.
        var tooHeavy = drying.Select(f => f.Key == "output.amount" ? new KeyValuePair<string, string>(f.Key, "39") : f).ToArray();
        var ruled = await PostFormAsync(browser, $"{batchUrl}/phoi-say", tooHeavy);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, ruled.StatusCode);
        Assert.Contains("id=\"form-error\"", await ruled.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var fixedUp = drying.Select(f => f.Key == "output.amount" ? new KeyValuePair<string, string>(f.Key, "20") : f).ToArray();
        var dried = await RecordedDuringAsync(api, async () => Assert.Equal(HttpStatusCode.SeeOther, (await PostFormAsync(browser, $"{batchUrl}/phoi-say", fixedUp)).StatusCode));
        var dry = DataOf(Assert.Single(dried, e => e.Type == "batch.dried.v1"));
        Assert.Equal("sun", dry.GetProperty("method").GetString());
        Assert.Equal(batchId.ToString(), dry.GetProperty("batchId").GetString());
        Assert.Contains("Đã ghi nhận", await browser.GetStringAsync($"{batchUrl}?xong=phoi-say"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Forged_or_unsigned_forms_change_nothing_and_the_cookie_is_no_key_for_the_API()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var key = await CanGioParties.IssueKeyAsync(p.Admin, ApiRole.Cooperative, p.CooperativeId);

        // Not signed in: the pages send you to sign in.
        var stranger = Browser(api);
        var bounced = await stranger.GetAsync("/htx/lo-hang");
        Assert.Equal(HttpStatusCode.Redirect, bounced.StatusCode);
        Assert.StartsWith("/htx/dang-nhap", bounced.Headers.Location!.PathAndQuery, StringComparison.Ordinal);

        // A wrong key, a buyer's key, and a sign-in without the anti-forgery token.
        var (token, _) = await OpenFormAsync(stranger, "/htx/dang-nhap");
        var wrong = await PostFormAsync(stranger, "/htx/dang-nhap", [new("__af", token), new("key", key[..^2] + "xx")]);
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("id=\"f-key-error\"", await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(key[..^2], await wrong.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var buyerKey = await CanGioParties.IssueKeyAsync(p.Admin, ApiRole.Buyer, p.DistributorId);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostFormAsync(stranger, "/htx/dang-nhap", [new("__af", token), new("key", buyerKey)])).StatusCode);
        var forged = Browser(api);
        Assert.Equal(HttpStatusCode.BadRequest, (await PostFormAsync(forged, "/htx/dang-nhap", [new("key", key)])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await forged.GetAsync("/htx/lo-hang")).StatusCode);

        // Signed in, a form without its token (a cross-site post) writes nothing.
        var browser = await SignInAsync(api, key);
        var events = await RecordedDuringAsync(api, async () =>
        {
            var noToken = await PostFormAsync(browser, "/htx/lo-hang/moi",
                [new("product.nameVi", "Mực"), new("product.category", "squid.one_sun"), new("lotNumber", "CG-CSRF"), new("quantity.amount", "1"),
                    new("quantity.unit", "kg"), new("producedAt", "2026-11-20T06:00")]);
            Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
            // The session cookie is not an API credential.
            var viaApi = await browser.PostJson("/api/batches", RawBatch(new StepClock(), "CG-COOKIE"));
            Assert.Equal(HttpStatusCode.Unauthorized, viaApi.StatusCode);
        });
        Assert.Empty(events);

        // Another cooperative's batch is not there for you; signing out ends the session.
        var theirs = await RegisterRawBatchAsync(p.OtherCooperative, new StepClock(), $"CG-OTHER-{Guid.NewGuid():N}"[..16]);
        var notYours = await browser.GetAsync($"/htx/lo-hang/{theirs}");
        Assert.Equal(HttpStatusCode.NotFound, notYours.StatusCode);
        Assert.Contains("id=\"not-found\"", await notYours.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", notYours.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync($"/htx/lo-hang/{theirs}/phoi-say")).StatusCode);
        var (listToken, _) = await OpenFormAsync(browser, "/htx/lo-hang");
        Assert.Equal(HttpStatusCode.Redirect, (await PostFormAsync(browser, "/htx/dang-xuat", [new("__af", listToken)])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/htx/lo-hang")).StatusCode);
    }

    [Fact]
    public async Task A_revoked_key_ends_its_sessions()
    {
        var api = await apis.GetAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var issued = await (await p.Admin.PostJson("/api/keys", new Traceability.Api.Features.Keys.IssueKeyRequest(ApiRole.Cooperative, p.CooperativeId)))
            .Read<Traceability.Api.Features.Keys.IssuedKeyResponse>();
        var browser = await SignInAsync(api, issued.Key);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/htx/lo-hang")).StatusCode);
        (await p.Admin.PostAsync($"/api/keys/{issued.KeyId}/revoke", null)).EnsureSuccessStatusCode();
        Assert.Equal(HttpStatusCode.Redirect, (await browser.GetAsync("/htx/lo-hang")).StatusCode);
    }
}
