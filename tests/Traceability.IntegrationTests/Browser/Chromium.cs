using Microsoft.Playwright;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// One Playwright driver and one headless Debian Chromium shared by every browser test: a launch costs about a second
/// and a hundred megabytes, too much per test on two cores. Each test opens its own context, so cookies, storage and
/// locale never leak from one test into another.
/// </summary>
/// <remarks>
/// Debian's Chromium, not Playwright's download: <c>playwright install</c> cannot reach its CDN from these machines.
/// The flags keep it off the network (no updates, sync or QUIC probes) and working as root without a GPU.
/// </remarks>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    /// <summary>The phone the pages are designed for: a common small Android screen, in CSS pixels.</summary>
    public static readonly ViewportSize Phone = new() { Width = 360, Height = 740 };

    private static readonly string[] Flags =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new InvalidOperationException(
                $"{ExecutablePath} is missing: install Debian's package 'chromium' (bash .ci/test.sh does, when run as root).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new() { ExecutablePath = ExecutablePath, Headless = true, Args = Flags });
    }

    /// <summary>A fresh context on a phone-sized viewport; page tests pass "vi-VN" (the default) or "en-US".</summary>
    /// <param name="bypassCsp">
    /// Ignore the pages' Content-Security-Policy: the injection tests turn it off so an unencoded payload would run and
    /// be seen, instead of being stopped by the policy and passing unnoticed.
    /// </param>
    public Task<IBrowserContext> NewContextAsync(string locale = "vi-VN", bool bypassCsp = false) =>
        (_browser ?? throw new InvalidOperationException("The browser has not been launched."))
            .NewContextAsync(new() { ViewportSize = Phone, Locale = locale, BypassCSP = bypassCsp });

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}

/// <summary>Every browser test class joins this collection to share the one <see cref="Chromium"/>.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<Chromium>
{
    public const string Name = "Browser";
}
