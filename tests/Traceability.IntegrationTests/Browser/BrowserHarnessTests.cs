using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QRCoder;
using Xunit.Abstractions;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// The harness the page tests stand on: the Api on a real loopback socket, Debian's Chromium reaching it, the traps
/// that catch injected script, and an independent QR decoder. Each check here can fail, so a broken harness shows up
/// as a failure instead of page tests that pass without looking.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class BrowserHarnessTests(Chromium chromium, ITestOutputHelper output)
{
    [Fact]
    public async Task Chromium_loads_the_openapi_document_from_the_live_app()
    {
        await using var app = await LiveApp.StartAsync(address =>
            new Dictionary<string, string?> { ["Public:BaseUrl"] = address.ToString() });
        Assert.Equal(app.BaseAddress.ToString(), app.Services.GetRequiredService<IConfiguration>()["Public:BaseUrl"]);
        Assert.Equal([$"http://127.0.0.1:{app.BaseAddress.Port}"],
            app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses);

        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        var dialogs = DialogTrap.Set(page);
        var response = await page.GotoAsync(new Uri(app.BaseAddress, "openapi/v1.json").ToString());

        Assert.NotNull(response);
        Assert.Equal(200, response.Status);
        using var document = JsonDocument.Parse(await response.TextAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString());
        Assert.Contains("/api/batches", document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name));
        Assert.Contains("\"openapi\"", await page.InnerTextAsync("body"));
        Assert.Equal(Chromium.Phone.Width, await page.EvaluateAsync<int>("() => window.innerWidth"));
        Assert.Equal("vi-VN", await page.EvaluateAsync<string>("() => navigator.language"));
        Assert.Empty(dialogs.Dialogs);

        var screenshot = await output.SaveScreenshotAsync(page, "harness-openapi", fullPage: false);
        Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], (await File.ReadAllBytesAsync(screenshot))[..4]);
    }

    [Fact]
    public async Task Clients_reach_the_live_app_through_its_socket_with_their_key()
    {
        await using var app = await LiveApp.StartAsync();

        var admin = app.ClientFor(app.AdminKey);
        var anonymous = app.ClientFor(null);

        Assert.Equal(app.BaseAddress, admin.BaseAddress);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("api/projections")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("api/projections")).StatusCode);
    }

    [Fact]
    public async Task Traps_see_injected_script_run()
    {
        await using var context = await chromium.NewContextAsync("en-US");
        var page = await context.NewPageAsync();
        var dialogs = DialogTrap.Set(page);
        var scripts = await ScriptWatch.StartAsync(page);

        await ServeAsync(page, $"<p>{string.Join("</p><p>", ScriptWatch.Payloads)}</p>");

        // Every payload but the javascript: URL, which runs only when clicked.
        var ran = ScriptWatch.Payloads.Count - 1;
        Assert.True(await ScriptWatch.PayloadRanAsync(page));
        Assert.Equal(ran, scripts.Scripts.Count);
        Assert.All(scripts.Scripts, script => Assert.StartsWith("http://harness.test/:", script));
        Assert.Equal(Enumerable.Repeat("alert: 1", ran), dialogs.Dialogs);
    }

    [Fact]
    public async Task Traps_stay_quiet_on_a_page_that_shows_the_payloads_as_text()
    {
        await using var context = await chromium.NewContextAsync("en-US");
        var page = await context.NewPageAsync();
        var dialogs = DialogTrap.Set(page);
        var scripts = await ScriptWatch.StartAsync(page);

        await ServeAsync(page, $"<p>{string.Join("</p><p>", ScriptWatch.Payloads.Select(WebUtility.HtmlEncode))}</p>");

        Assert.Equal(ScriptWatch.Payloads, await page.Locator("p").AllInnerTextsAsync());
        Assert.False(await ScriptWatch.PayloadRanAsync(page));
        Assert.Empty(scripts.Scripts);
        Assert.Empty(dialogs.Dialogs);
    }

    [Fact]
    public async Task A_qr_code_drawn_by_QRCoder_decodes_back_to_its_url()
    {
        var url = $"https://truyxuat.example.vn/p/{Guid.NewGuid()}?lang=vi";
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(url, QRCodeGenerator.ECCLevel.M);
        var png = new PngByteQRCode(data).GetGraphic(8);

        Assert.Equal(url, await QrDecoder.DecodeAsync(png));
    }

    [Fact]
    public async Task The_qr_decoder_refuses_an_image_without_a_code()
    {
        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await ServeAsync(page, "<h1>Khô cá dứa một nắng</h1>");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(async () => await QrDecoder.DecodeAsync(await page.ScreenshotAsync()));
        Assert.Contains("exited with 4", error.Message);
    }

    /// <summary>Serves an HTML page at a made-up origin, so the traps are tested on markup the test controls.</summary>
    private static async Task ServeAsync(IPage page, string body)
    {
        const string origin = "http://harness.test/";
        await page.RouteAsync(origin + "**", route => route.FulfillAsync(new()
        {
            Status = 200,
            ContentType = "text/html; charset=utf-8",
            Body = $"<!doctype html><html lang=\"en\"><head><title>harness</title></head><body>{body}</body></html>",
        }));
        await page.GotoAsync(origin);
    }
}
