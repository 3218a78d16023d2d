using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;

namespace Traceability.Api.Features.PublicPage;

/// <summary>
/// Renders the server-side pages (public and cooperative) from Razor components to HTML, and gives them their one
/// security policy: no script, the shared style by hash, nothing sniffed.
/// </summary>
public sealed class PageHtml(IServiceProvider services, ILoggerFactory loggers)
{
    private readonly HtmlRenderer _renderer = new(services, loggers);

    public Task<string> RenderAsync<TComponent>(Dictionary<string, object?> parameters) where TComponent : IComponent =>
        _renderer.Dispatcher.InvokeAsync(async () =>
            (await _renderer.RenderComponentAsync<TComponent>(ParameterView.FromDictionary(parameters))).ToHtmlString());

    /// <param name="referrerPolicy"><c>no-referrer</c> for public pages; the cooperative's own pages keep <c>same-origin</c>.</param>
    public static void SecurityHeaders(HttpContext http, string referrerPolicy)
    {
        var headers = http.Response.Headers;
        headers.ContentSecurityPolicy = PageStyle.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = referrerPolicy;
    }
}
