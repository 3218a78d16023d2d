using System.Text.RegularExpressions;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// Screenshots are test artifacts: a failing page test is understood by looking at what the phone showed. They go
/// under <c>TestResults/screenshots/</c> beside the test assembly, and the test output names the file.
/// </summary>
public static partial class Screenshots
{
    public static string Folder { get; } = Path.Combine(AppContext.BaseDirectory, "TestResults", "screenshots");

    /// <summary>Saves the page as <c>{name}.png</c>.</summary>
    /// <param name="fullPage">
    /// The whole page by default, since a phone page is mostly below the fold; only the viewport for a long document
    /// (the OpenAPI JSON is over 100,000 pixels tall at phone width).
    /// </param>
    /// <returns>The absolute path of the PNG.</returns>
    public static async Task<string> SaveScreenshotAsync(this ITestOutputHelper output, IPage page, string name, bool fullPage = true)
    {
        if (!SafeName().IsMatch(name))
            throw new ArgumentException($"'{name}' is not a plain file name (letters, digits, '.', '_', '-').", nameof(name));
        Directory.CreateDirectory(Folder);
        var path = Path.Combine(Folder, name + ".png");
        await page.ScreenshotAsync(new() { Path = path, FullPage = fullPage });
        output.WriteLine($"screenshot: {path}");
        return path;
    }

    [GeneratedRegex("^[A-Za-z0-9._-]+$")]
    private static partial Regex SafeName();
}
