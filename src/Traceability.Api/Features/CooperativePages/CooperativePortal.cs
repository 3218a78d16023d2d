using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Traceability.Api.Features.Labels;
using Traceability.Api.Features.PublicPage;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Shared;
using Traceability.Projections.Hosting;

namespace Traceability.Api.Features.CooperativePages;

/// <summary>A batch as the cooperative's list shows it.</summary>
public sealed record PortalBatch(Guid BatchId, string Product, string LotNumber, string ProducedAt, string Status, string? PublicCode);

/// <summary>What one printed label shows.</summary>
public sealed record LabelSheet(Guid BatchId, string Product, string LotNumber, string ProducedAt, string? BestBefore, string Cooperative,
    int? OcopStars, string PublicCode, string QrSvg);

/// <summary>
/// The cooperative's own pages (<c>/htx</c>), Vietnamese first, for a phone on a weak network: sign in with the
/// cooperative's key (a cookie session, HttpOnly, SameSite=Strict), list batches, register one, record each step, confirm a
/// receipt, recall, print labels. No script; every form carries an anti-forgery token and an idempotency key, so a
/// double tap or a retry on a bad network records a step once. The commands are the API's own handlers.
/// </summary>
public static class CooperativePortal
{
    public const string Scheme = "htx";
    private static readonly AuthorizeAttribute Signed = new() { AuthenticationSchemes = Scheme, Roles = Party.Roles.Cooperative };

    public static void AddCooperativePortal(this IServiceCollection services)
    {
        services.AddAntiforgery(o =>
        {
            o.Cookie.Name = "trc_af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.FormFieldName = "__af";
        });
        services.AddAuthentication().AddCookie(Scheme, o =>
        {
            o.Cookie.Name = "trc_htx";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.LoginPath = "/htx/dang-nhap";
            o.AccessDeniedPath = "/htx/dang-nhap";
            o.ExpireTimeSpan = TimeSpan.FromHours(12);
            o.SlidingExpiration = true;
            // A revoked key ends its sessions at their next request.
            o.Events.OnValidatePrincipal = context =>
            {
                var registry = context.HttpContext.RequestServices.GetRequiredService<ApiKeyRegistry>();
                if (context.Principal?.KeyId() is not { } keyId || registry.Find(keyId) is null) context.RejectPrincipal();
                return Task.CompletedTask;
            };
        });
        services.AddSingleton<PortalRenderer>();
    }

    public static IEndpointRouteBuilder MapCooperativePortal(this IEndpointRouteBuilder routes)
    {
        var open = routes.MapGroup("/htx").ExcludeFromDescription().AllowAnonymous();
        open.MapGet("/", (HttpContext http) => Results.Redirect(http.User.Identity?.IsAuthenticated == true ? "/htx/lo-hang" : "/htx/dang-nhap"));
        open.MapGet("/dang-nhap", SignInForm);
        open.MapPost("/dang-nhap", SignIn).DisableAntiforgery();
        var signed = routes.MapGroup("/htx").ExcludeFromDescription().RequireAuthorization(Signed).DisableAntiforgery();
        signed.MapPost("/dang-xuat", SignOut);
        signed.MapGet("/lo-hang", List);
        signed.MapGet("/lo-hang/moi", RegisterForm);
        signed.MapPost("/lo-hang/moi", Register);
        signed.MapGet("/lo-hang/{batchId:guid}", Batch);
        signed.MapGet("/lo-hang/{batchId:guid}/in-nhan", Labels);
        signed.MapGet("/lo-hang/{batchId:guid}/{step}", StepFormPage);
        signed.MapPost("/lo-hang/{batchId:guid}/{step}", Step);
        return routes;
    }

    private static readonly IReadOnlyList<FormField> SignInFields =
        [new("key", "Khóa truy cập của hợp tác xã", "password", Required: true, Hint: "bắt đầu bằng trc_ — do quản trị viên cấp")];

    private static Task<IResult> SignInForm(HttpContext http, PortalRenderer pages) =>
        pages.FormAsync(http, "Đăng nhập", "/htx/dang-nhap", "Đăng nhập", SignInFields, null, null);

    private static async Task<IResult> SignIn(HttpContext http, PortalRenderer pages, ApiKeyRegistry registry, IAntiforgery antiforgery)
    {
        if (await pages.RefuseForgeryAsync(http, antiforgery) is { } refused) return refused;
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        await registry.CaughtUp;
        var presented = form["key"].ToString().Trim();
        if (!ApiKeys.TryParse(presented, out var keyId, out var secret) || registry.Find(keyId) is not { } key || !ApiKeys.Matches(secret, key.SecretHash))
            return await pages.FormAsync(http, "Đăng nhập", "/htx/dang-nhap", "Đăng nhập", SignInFields, form,
                new Dictionary<string, string> { ["key"] = "Khóa không đúng hoặc đã bị thu hồi." }, status: StatusCodes.Status400BadRequest);
        if (key.Role != ApiRole.Cooperative)
            return await pages.FormAsync(http, "Đăng nhập", "/htx/dang-nhap", "Đăng nhập", SignInFields, form,
                new Dictionary<string, string> { ["key"] = "Đây không phải khóa của một hợp tác xã." }, status: StatusCodes.Status400BadRequest);
        await http.SignInAsync(Scheme, ApiKeyAuthentication.PrincipalFor(key, Scheme));
        return Results.Redirect("/htx/lo-hang");
    }

    private static async Task<IResult> SignOut(HttpContext http, PortalRenderer pages, IAntiforgery antiforgery)
    {
        if (await pages.RefuseForgeryAsync(http, antiforgery) is { } refused) return refused;
        await http.SignOutAsync(Scheme);
        return Results.Redirect("/htx/dang-nhap");
    }

    private static async Task<IResult> List(HttpContext http, PortalRenderer pages, ReadModelDatabase readModels)
    {
        var batches = await readModels.QueryAsync("""
            SELECT batch_id, product, lot_number, produced_at, status, public_code FROM provenance_batches
            WHERE cooperative_id = @cooperative ORDER BY produced_at DESC, lot_number LIMIT 500
            """, r => new PortalBatch(Guid.Parse(r.GetString(0)), JsonDocument.Parse(r.GetString(1)).RootElement.Text("nameVi") ?? "",
                r.GetString(2), PageLanguage.Vietnamese.Date(r.GetString(3)), r.GetString(4), r.IsDBNull(5) ? null : r.GetString(5)),
            http.RequestAborted, ("@cooperative", http.User.PartyId()?.ToString() ?? ""));
        return await pages.PageAsync<BatchListPage>(http, new() { [nameof(BatchListPage.Batches)] = batches });
    }

    private static Task<IResult> RegisterForm(HttpContext http, PortalRenderer pages) =>
        pages.FormAsync(http, "Đăng ký lô hàng", "/htx/lo-hang/moi", "Đăng ký", PortalForms.RegisterFields, null, null, back: "/htx/lo-hang",
            defaults: Now());

    private static Task<IResult> Register(HttpContext http, PortalRenderer pages, IAntiforgery antiforgery) =>
        pages.SubmitAsync(http, antiforgery, "Đăng ký lô hàng", "/htx/lo-hang/moi", "Đăng ký", PortalForms.RegisterFields, "/htx/lo-hang",
            (form, services) => PortalForms.RegisterAsync(form, http, services),
            body => $"/htx/lo-hang/{JsonDocument.Parse(body).RootElement.GetProperty("batchId").GetString()}?xong=dang-ky");

    private static async Task<IResult> Batch(Guid batchId, string? xong, HttpContext http, PortalRenderer pages, AggregateReader reader,
        BatchIdentities identities, LabelOptions links)
    {
        var (state, _) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
        if (!state.Exists || !MayView(state, http.User)) return await pages.NotFoundAsync(http);
        var identity = await identities.ByIdAsync(batchId, http.RequestAborted);
        var batch = new PortalBatch(batchId, state.Product?.NameVi ?? "", state.LotNumber ?? "", "", Status(state.Status), identity?.PublicCode);
        var shipment = state.Shipment is { } s ? $"{s.ShipmentId} → {s.To.Name}, {s.Quantity.Amount} {s.Quantity.Unit.ToString().ToLowerInvariant()}" : null;
        var done = xong is null ? null : PortalForms.Steps.FirstOrDefault(f => f.Slug == xong)?.Title ?? (xong == "dang-ky" ? "Đăng ký lô hàng" : null);
        return await pages.PageAsync<BatchPage>(http, new()
        {
            [nameof(BatchPage.Batch)] = batch, [nameof(BatchPage.OnHand)] = $"{PageLanguage.Vietnamese.Number(state.OnHand.Amount)} {state.OnHand.Unit.ToString().ToLowerInvariant()}",
            [nameof(BatchPage.Shipment)] = shipment, [nameof(BatchPage.Done)] = done,
            [nameof(BatchPage.PublicUrl)] = identity is null ? "#" : links.ItemUri(identity),
        });
    }

    private static async Task<IResult> StepFormPage(Guid batchId, string step, HttpContext http, PortalRenderer pages, AggregateReader reader)
    {
        if (PortalForms.Steps.FirstOrDefault(f => f.Slug == step) is not { } form) return await pages.NotFoundAsync(http);
        var (state, _) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
        if (!state.Exists || !MayView(state, http.User)) return await pages.NotFoundAsync(http);
        var defaults = Now();
        if (state.Shipment is { } shipment && form.Slug == "nhan-hang")
        {
            defaults["shipmentId"] = shipment.ShipmentId.ToString();
            defaults["quantity.amount"] = shipment.Quantity.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            defaults["quantity.unit"] = shipment.Quantity.Unit.ToString().ToLowerInvariant();
        }
        else if (form.Slug is "xuat-hang")
        {
            defaults["quantity.amount"] = state.OnHand.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture);
            defaults["quantity.unit"] = state.OnHand.Unit.ToString().ToLowerInvariant();
        }

        return await pages.FormAsync(http, $"{form.Title}: {state.Product?.NameVi} · {state.LotNumber}", $"/htx/lo-hang/{batchId}/{step}", "Ghi nhận",
            form.Fields, null, null, back: $"/htx/lo-hang/{batchId}", defaults: defaults);
    }

    private static async Task<IResult> Step(Guid batchId, string step, HttpContext http, PortalRenderer pages, IAntiforgery antiforgery)
    {
        if (PortalForms.Steps.FirstOrDefault(f => f.Slug == step) is not { } form) return await pages.NotFoundAsync(http);
        return await pages.SubmitAsync(http, antiforgery, form.Title, $"/htx/lo-hang/{batchId}/{step}", "Ghi nhận", form.Fields,
            $"/htx/lo-hang/{batchId}", (values, services) => form.Send(batchId, values, http, services), _ => $"/htx/lo-hang/{batchId}?xong={step}");
    }

    private static async Task<IResult> Labels(Guid batchId, [FromQuery(Name = "so-luong")] int? count, HttpContext http, PortalRenderer pages,
        AggregateReader reader, LabelStore labels, LabelOptions links, BatchIdentities identities, ReadModelDatabase readModels)
    {
        var (state, _) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
        if (!state.Exists || state.CooperativeId != http.User.PartyId()) return await pages.NotFoundAsync(http);
        if (await identities.ByIdAsync(batchId, http.RequestAborted) is not { } identity) return await pages.NotFoundAsync(http);
        var label = await LabelEndpoints.LabelAsync(identity, QrStyle.Default, labels, links, http.RequestAborted);
        var (cooperative, _) = await reader.LoadCooperativeAsync(state.CooperativeId, http.RequestAborted);
        var provenance = await Provenance.ProvenanceQueries.FindAsync(readModels, batchId, http.RequestAborted);
        var stars = cooperative.Certifications.Values.Where(c => c.Scheme == Domain.Cooperatives.CertificationScheme.Ocop && c.OcopStars is not null)
            .Select(c => c.OcopStars).Max();
        var sheet = new LabelSheet(batchId, state.Product?.NameVi ?? "", state.LotNumber ?? "", PageLanguage.Vietnamese.Date(provenance?.ProducedAt),
            provenance?.BestBefore is { } bestBefore ? PageLanguage.Vietnamese.Date(bestBefore) : null, cooperative.Profile?.NameVi ?? "", stars,
            identity.PublicCode, label.Svg);
        return await pages.PageAsync<LabelSheetPage>(http, new()
        {
            [nameof(LabelSheetPage.Label)] = sheet, [nameof(LabelSheetPage.Count)] = Math.Clamp(count ?? 12, 1, 60),
        }, bare: true);
    }

    /// <summary>A cooperative sees its own batches and those it holds or is being shipped (the domain decides what it may record).</summary>
    private static bool MayView(Domain.Batches.Batch state, ClaimsPrincipal user)
    {
        var party = user.PartyId();
        return state.CooperativeId == party || state.Custodian?.Id == party || state.Shipment?.To.Id == party;
    }

    /// <summary>The status as the read model and the JSON API spell it (active, in_transit, recalled).</summary>
    private static string Status(Domain.Batches.BatchStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    /// <summary>Forms open with "now" (Vietnam time) in their time fields.</summary>
    private static Dictionary<string, string> Now()
    {
        var now = DateTimeOffset.UtcNow.ToOffset(PageLanguage.VietnamOffset);
        static string Local(DateTimeOffset time) => time.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture);
        return new Dictionary<string, string>
        {
            ["occurredAt"] = Local(now), ["producedAt"] = Local(now), ["endedAt"] = Local(now), ["startedAt"] = Local(now.AddHours(-8)),
        };
    }
}

/// <summary>Renders the cooperative pages and turns a command's result into a redirect or the form again with its errors.</summary>
public sealed class PortalRenderer(PageHtml pages, IAntiforgery antiforgery)
{
    public async Task<IResult> PageAsync<TComponent>(HttpContext http, Dictionary<string, object?> parameters, int status = StatusCodes.Status200OK,
        bool bare = false) where TComponent : IComponent
    {
        if (!bare)
        {
            parameters["Cooperative"] = http.User.FindFirstValue(Party.NameClaim);
            var tokens = antiforgery.GetAndStoreTokens(http);
            parameters["Token"] = tokens.RequestToken;
            parameters["TokenField"] = tokens.FormFieldName;
        }

        var html = await pages.RenderAsync<TComponent>(parameters);
        SecurityHeaders(http);
        return Results.Content(html, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
    }

    /// <summary>The public page's policy (no script, its own style only), and nothing kept by caches: these pages are private.</summary>
    private static void SecurityHeaders(HttpContext http)
    {
        PageHtml.SecurityHeaders(http, "same-origin");
        http.Response.Headers.CacheControl = "no-store";
    }

    public Task<IResult> FormAsync(HttpContext http, string title, string action, string submit, IReadOnlyList<FormField> fields, IFormCollection? typed,
        IReadOnlyDictionary<string, string>? errors, string? error = null, int status = StatusCodes.Status200OK, string? back = null,
        IReadOnlyDictionary<string, string>? defaults = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(http);
        var values = fields.ToDictionary(f => f.Name, f => typed is not null ? typed[f.Name].ToString() : defaults?.GetValueOrDefault(f.Name) ?? f.Default ?? "");
        if (typed is not null)
            foreach (var secret in fields.Where(f => f.Type == "password")) values[secret.Name] = "";
        var idempotency = typed?["idempotencyKey"].ToString() is { Length: > 0 } key ? key : Guid.NewGuid().ToString();
        var model = new FormModel(title, action, submit, fields, values, errors ?? new Dictionary<string, string>(), error, tokens.FormFieldName,
            tokens.RequestToken!, idempotency, back, null);
        var signedIn = http.User.Identity?.IsAuthenticated == true ? http.User.FindFirstValue(Party.NameClaim) : null;
        return PageAsync<FormPage>(http, new() { [nameof(FormPage.Form)] = model, [nameof(FormPage.Cooperative)] = signedIn }, status, bare: true);
    }

    public Task<IResult> NotFoundAsync(HttpContext http) => PageAsync<PortalNotFoundPage>(http, new(), StatusCodes.Status404NotFound);

    /// <summary>A form posted without a valid anti-forgery token changes nothing: 400 with a page that says why.</summary>
    public async Task<IResult?> RefuseForgeryAsync(HttpContext http, IAntiforgery guard)
    {
        try
        {
            await guard.ValidateRequestAsync(http);
            return null;
        }
        catch (AntiforgeryValidationException)
        {
            SecurityHeaders(http);
            return Results.Content("<!DOCTYPE html><html lang=\"vi\"><meta charset=\"utf-8\"><title>Phiên làm việc hết hạn</title>" +
                                   "<p>Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy <a href=\"/htx\">tải lại trang</a> và gửi lại.</p></html>",
                "text/html; charset=utf-8", System.Text.Encoding.UTF8, StatusCodes.Status400BadRequest);
        }
    }

    /// <summary>
    /// Reads the form, sends the command with the form's idempotency key, and answers: 303 to <paramref name="success"/>'s URL,
    /// or the form again with the typed values and each error beside its field (in Vietnamese).
    /// </summary>
    public async Task<IResult> SubmitAsync(HttpContext http, IAntiforgery guard, string title, string action, string submit, IReadOnlyList<FormField> fields,
        string back, Func<IFormCollection, IServiceProvider, Task<IResult>> send, Func<string, string> success)
    {
        if (await RefuseForgeryAsync(http, guard) is { } refused) return refused;
        http.Request.EnableBuffering();
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        if (Guid.TryParse(form["idempotencyKey"], out var key)) http.Request.Headers[CommandPipeline.IdempotencyHeader] = $"form-{key}";
        IResult result;
        try
        {
            result = await send(form, http.RequestServices);
        }
        catch (InvalidFieldException e)
        {
            return await FormAsync(http, title, action, submit, fields, form, new Dictionary<string, string> { [e.Field] = e.MessageVi },
                status: StatusCodes.Status400BadRequest, back: back);
        }

        if (result is ProblemHttpResult problem)
        {
            var details = problem.ProblemDetails;
            var vietnamese = details.Extensions.TryGetValue("detailVi", out var vi) ? vi?.ToString() : details.Detail;
            var errors = details is HttpValidationProblemDetails validation
                ? validation.Errors.ToDictionary(e => e.Key, _ => vietnamese ?? "")
                : new Dictionary<string, string>();
            return await FormAsync(http, title, action, submit, fields, form, errors, errors.Count == 0 ? vietnamese : null,
                status: details.Status ?? StatusCodes.Status400BadRequest, back: back);
        }

        // Success: the handler's JSON body names what was created; follow with a GET (post/redirect/get).
        var buffer = new MemoryStream();
        var original = http.Response.Body;
        http.Response.Body = buffer;
        try
        {
            await result.ExecuteAsync(http);
        }
        finally
        {
            http.Response.Body = original;
        }

        if (http.Response.StatusCode is < 200 or > 299)
            return await FormAsync(http, title, action, submit, fields, form, null, "Không ghi nhận được. Hãy thử lại.", http.Response.StatusCode, back);
        http.Response.Headers.Remove("ETag");
        http.Response.Headers.Remove("Location");
        http.Response.StatusCode = StatusCodes.Status200OK;
        return new SeeOther(success(System.Text.Encoding.UTF8.GetString(buffer.ToArray())));
    }

    /// <summary>303 See Other: after a POST the browser follows with a GET.</summary>
    private sealed class SeeOther(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status303SeeOther;
            httpContext.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }
}
