using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// Records every script the page compiles in its own JavaScript world — <c>&lt;script&gt;</c> elements, external
/// scripts, event-handler attributes — through the DevTools protocol's <c>Debugger.scriptParsed</c>. A page meant to
/// work with no JavaScript at all (the public provenance pages) must show none: a stronger check than looking for an
/// injected payload's side effect, because it also catches a payload the test did not think of.
/// </summary>
/// <remarks>
/// Chromium attributes every script a document carries (inline, external, handler attributes) to a URL, while the
/// code Playwright compiles over the DevTools protocol — its injected helpers, locators, <c>EvaluateAsync</c> — has
/// none, or runs in an isolated world. Counting only attributed scripts in the page's world lets a test query the
/// page with the watch open. Not seen: a <c>javascript:</c> link, which runs only if the test clicks it.
/// </remarks>
public sealed class ScriptWatch
{
    /// <summary>The window property every <see cref="Payloads"/> entry sets when it runs.</summary>
    public const string Flag = "__traceabilityInjected";

    private const string Run = $"window.{Flag}=1;alert(1)";

    /// <summary>
    /// Script injections for the usual HTML contexts (element text, quoted and unquoted attributes, URLs). Each sets
    /// <see cref="Flag"/> and opens an alert, so both this watch and a <see cref="DialogTrap"/> see it run.
    /// </summary>
    public static readonly IReadOnlyList<string> Payloads =
    [
        $"<script>{Run}</script>",
        $"<img src=x onerror=\"{Run}\">",
        $"\"><svg onload={Run}>",
        $"'><details open ontoggle={Run}>",
        $"</title></textarea><script>{Run}</script>",
        $"javascript:{Run}",
    ];

    private readonly ConcurrentQueue<string> _scripts = new();

    private ScriptWatch()
    {
    }

    /// <summary>The page's own scripts compiled so far, each as URL:line:column (the page's URL for inline code).</summary>
    public IReadOnlyList<string> Scripts => [.. _scripts];

    /// <summary>Start before navigating; the watch follows the page across navigations.</summary>
    public static async Task<ScriptWatch> StartAsync(IPage page)
    {
        var watch = new ScriptWatch();
        var devTools = await page.Context.NewCDPSessionAsync(page);
        devTools.Event("Debugger.scriptParsed").OnEvent += (_, script) =>
        {
            if (script is { } parsed && CarriedByThePage(parsed)) watch._scripts.Enqueue(Describe(parsed));
        };
        await devTools.SendAsync("Debugger.enable");
        return watch;
    }

    /// <summary>Whether one of the <see cref="Payloads"/> ran in the page now shown.</summary>
    public static Task<bool> PayloadRanAsync(IPage page) =>
        page.EvaluateAsync<bool>($"() => window.{Flag} !== undefined");

    private static bool CarriedByThePage(JsonElement script) =>
        script.TryGetProperty("executionContextAuxData", out var context)
        && context.TryGetProperty("isDefault", out var isDefault) && isDefault.GetBoolean()
        && !string.IsNullOrEmpty(script.GetProperty("url").GetString());

    private static string Describe(JsonElement script)
    {
        var (line, column) = (script.GetProperty("startLine").GetInt32() + 1, script.GetProperty("startColumn").GetInt32() + 1);
        return $"{script.GetProperty("url").GetString()}:{line}:{column}";
    }
}
