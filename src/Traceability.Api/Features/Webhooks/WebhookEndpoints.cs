using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.Webhooks;

/// <param name="Url">Where recalls are POSTed: an absolute http or https URL.</param>
/// <param name="Secret">The HMAC-SHA256 key the deliveries are signed with: 16 to 256 characters, kept by the buyer.</param>
public sealed record RegisterWebhookRequest(string Url, string Secret);

public sealed record WebhookResponse(Guid WebhookId, string Url, DateTimeOffset CreatedAt);

/// <summary>Buyers' recall webhooks and the dead-lettered deliveries.</summary>
public static class WebhookEndpoints
{
    private static readonly AuthorizeAttribute BuyerOnly = new() { Roles = Party.Roles.Buyer };

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/webhooks").WithTags("Webhooks");
        group.MapPost("/", Register).RequireAuthorization(BuyerOnly).WithCommandProblems().Produces<WebhookResponse>(StatusCodes.Status201Created)
            .WithSummary("Register a webhook (buyers): every recall of a batch you hold or are being shipped is POSTed to it, signed " +
                         "(X-Traceability-Signature: sha256=HMAC-SHA256(secret, X-Traceability-Timestamp + \".\" + body)).");
        group.MapGet("/", List).RequireAuthorization(BuyerOnly).WithReadProblems(authenticated: true)
            .WithSummary("Your webhooks (the secrets are never returned).");
        group.MapGet("/dead-letters", DeadLetters).RequireAuthorization(Party.Policies.Admin).WithReadProblems(authenticated: true)
            .WithSummary("Deliveries that failed every attempt (admins).");
        return routes;
    }

    private static async Task<Results<Created<WebhookResponse>, ProblemHttpResult>> Register(RegisterWebhookRequest request, HttpContext http,
        WebhookStore webhooks, TimeProvider time, CancellationToken cancellationToken)
    {
        var url = ValidateUrl(request.Url);
        if (request.Secret is null || request.Secret.Length is < 16 or > 256 || request.Secret.Any(char.IsControl))
            throw new InvalidFieldException("secret", "Khóa bí mật dài 16 đến 256 ký tự.", "The secret is 16 to 256 characters.");
        var party = http.User.PartyId() ?? throw new InvalidOperationException("A buyer key always names its party.");
        var webhook = await webhooks.AddAsync(party, url, request.Secret, time.GetUtcNow(), cancellationToken);
        if (webhook is null)
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, "webhook.too_many",
                $"A party has at most {WebhookStore.MaxPerParty} webhooks.", $"Mỗi bên có tối đa {WebhookStore.MaxPerParty} webhook.");
        return TypedResults.Created($"/api/webhooks/{webhook.WebhookId}", new WebhookResponse(webhook.WebhookId, webhook.Url, webhook.CreatedAt));
    }

    private static async Task<Ok<List<WebhookResponse>>> List(HttpContext http, WebhookStore webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok((await webhooks.ForPartyAsync(http.User.PartyId() ?? Guid.Empty, cancellationToken))
            .Select(w => new WebhookResponse(w.WebhookId, w.Url, w.CreatedAt)).ToList());

    private static async Task<Ok<List<DeadLetteredDelivery>>> DeadLetters(WebhookStore webhooks, CancellationToken cancellationToken) =>
        TypedResults.Ok(await webhooks.DeadLettersAsync(500, cancellationToken));

    /// <summary>Absolute http(s), no credentials in it, at most 2000 characters.</summary>
    public static string ValidateUrl(string? text)
    {
        if (text is null || text.Length > 2000 || !Uri.TryCreate(text, UriKind.Absolute, out var uri) ||
            (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.UserInfo.Length > 0 || uri.Host.Length == 0)
            throw new InvalidFieldException("url", "Địa chỉ webhook phải là URL http hoặc https đầy đủ, không chứa thông tin đăng nhập.",
                "The webhook URL must be an absolute http or https URL without credentials.");
        return uri.AbsoluteUri;
    }
}
