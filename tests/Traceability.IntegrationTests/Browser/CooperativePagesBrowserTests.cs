using Microsoft.Playwright;
using Traceability.Api.Security;
using Traceability.IntegrationTests.Api;
using Xunit.Abstractions;

namespace Traceability.IntegrationTests.Browser;

/// <summary>A cooperative's day on a phone, in Chromium: sign in, register a batch, record its drying, see it on the public page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CooperativePagesBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    private const float Timeout = 30_000;

    /// <summary>The form's own button (the header also has one: sign out).</summary>
    private const string Submit = "form.card button[type=submit]";

    [Fact]
    public async Task A_cooperative_signs_in_registers_a_batch_records_drying_and_sees_it_on_the_public_page()
    {
        await using var app = await LiveApp.StartAsync(address => new Dictionary<string, string?> { ["Public:BaseUrl"] = address.ToString() });
        var admin = app.ClientFor(app.AdminKey);
        var cooperativeId = (await (await admin.PostJson("/api/cooperatives", CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)")))
            .Read<Traceability.Api.Features.Cooperatives.CooperativeChanged>()).CooperativeId;
        var key = await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, cooperativeId);

        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(Timeout);
        var dialogs = DialogTrap.Set(page);
        var scripts = await ScriptWatch.StartAsync(page);

        // Sign in: a wrong key first, then the right one.
        await page.GotoAsync(new Uri(app.BaseAddress, "htx").ToString());
        Assert.EndsWith("/htx/dang-nhap", new Uri(page.Url).AbsolutePath, StringComparison.Ordinal);
        await page.FillAsync("#f-key", "trc_not-a-key");
        await page.ClickAsync(Submit);
        Assert.Contains("Khóa không đúng", await page.InnerTextAsync("#f-key-error"), StringComparison.Ordinal);
        await page.FillAsync("#f-key", key);
        await page.ClickAsync(Submit);
        await page.WaitForURLAsync("**/htx/lo-hang");
        await output.SaveScreenshotAsync(page, "htx-batches-empty");

        // Register a batch (a mistake first: no lot number), as a phone would, with a decimal comma.
        await page.ClickAsync("#new-batch");
        await page.FillAsync("#f-product-nameVi", "Khô cá dứa một nắng");
        await page.SelectOptionAsync("#f-product-category", "fish.one_sun");
        await page.FillAsync("#f-quantity-amount", "60");
        await page.FillAsync("#f-origin-area", "Vùng biển Cần Giờ – cửa sông Lòng Tàu");
        await page.FillAsync("#f-origin-harvestFrom", "2026-11-24");
        await page.FillAsync("#f-origin-harvestTo", "2026-11-25");
        await page.FillAsync("#f-producedAt", "2026-11-25T05:30");
        await page.ClickAsync(Submit);
        Assert.Contains("bắt buộc", await page.InnerTextAsync("#f-lotNumber-error"), StringComparison.Ordinal);
        Assert.Equal("Khô cá dứa một nắng", await page.InputValueAsync("#f-product-nameVi"));
        await output.SaveScreenshotAsync(page, "htx-register-error");
        await page.FillAsync("#f-lotNumber", "CG-2026-1125");
        await page.ClickAsync(Submit);
        await page.WaitForSelectorAsync("#done");
        // The trace code comes from the read model, which the projector fills a moment later.
        await PublicPageFlow.SettleAsync(app);
        await page.ReloadAsync();
        var code = (await page.InnerTextAsync("#trace-code")).Trim();

        // Record the sun-drying: 60 kg of one-sun fish keep at most half their weight.
        await page.ClickAsync("#step-phoi-say");
        await page.SelectOptionAsync("#f-method", "sun");
        await page.FillAsync("#f-startedAt", "2026-11-25T07:00");
        await page.FillAsync("#f-endedAt", "2026-11-25T16:30");
        await page.FillAsync("#f-place", "Sân phơi HTX, Ấp Long Thạnh");
        await page.FillAsync("#f-finalMoisturePercent", "38,5");
        await page.FillAsync("#f-output-amount", "29,4");
        await page.ClickAsync(Submit);
        Assert.Contains("Phơi nắng / sấy", await page.InnerTextAsync("#done"), StringComparison.Ordinal);
        await output.SaveScreenshotAsync(page, "htx-batch-dried");

        // The public page shows it (the projector runs beside the Api: wait for it, bounded).
        await PublicPageFlow.SettleAsync(app);
        await page.ClickAsync("#public-page");
        await page.WaitForSelectorAsync("#timeline");
        Assert.Equal(code, (await page.InnerTextAsync("#trace-code")).Trim());
        var dried = page.Locator("li[data-step=\"batch.dried.v1\"]");
        Assert.Contains("Phơi nắng", await dried.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("Sân phơi HTX, Ấp Long Thạnh", await dried.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("29,4 kg", await dried.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("38,5 %", await dried.InnerTextAsync(), StringComparison.Ordinal);
        await output.SaveScreenshotAsync(page, "htx-public-page");

        Assert.Empty(dialogs.Dialogs);
        Assert.Empty(scripts.Scripts);
    }
}
