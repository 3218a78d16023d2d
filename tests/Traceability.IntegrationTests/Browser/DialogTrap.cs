using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// Records every JavaScript dialog (alert, confirm, prompt, beforeunload) a page opens. An <c>alert()</c> is the
/// classic proof of cross-site scripting, so a page that shows user-written text must open none. Each dialog is
/// dismissed at once: an unanswered dialog would freeze the page and the test with it.
/// </summary>
public sealed class DialogTrap
{
    private readonly ConcurrentQueue<string> _dialogs = new();

    private DialogTrap()
    {
    }

    /// <summary>Each dialog as "type: message", in the order they opened.</summary>
    public IReadOnlyList<string> Dialogs => [.. _dialogs];

    /// <summary>Set before navigating: a payload runs while the page loads.</summary>
    public static DialogTrap Set(IPage page)
    {
        var trap = new DialogTrap();
        page.Dialog += async (_, dialog) =>
        {
            trap._dialogs.Enqueue($"{dialog.Type}: {dialog.Message}");
            // An async event handler's exception would crash the test host; a page closed meanwhile needs no answer.
            try { await dialog.DismissAsync(); }
            catch (PlaywrightException) { }
        };
        return trap;
    }
}
