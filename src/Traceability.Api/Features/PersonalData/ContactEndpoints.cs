using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Shared;

namespace Traceability.Api.Features.PersonalData;

public sealed record ContactRequest(string Name, string? Phone, string? Role);

/// <summary>Contact persons (xã viên, người liên hệ): stored apart from events, erasable on request.</summary>
public static class ContactEndpoints
{
    public static IEndpointRouteBuilder MapContactEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/cooperatives/{cooperativeId:guid}/contacts").WithTags("Personal data")
            .RequireAuthorization(Party.Policies.OwnCooperative);
        group.MapPost("/", Create).WithCommandProblems().Produces<Contact>(StatusCodes.Status201Created)
            .WithSummary("Store a contact person (personal data, outside the event log). An Idempotency-Key makes a retry safe.");
        group.MapGet("/{contactId:guid}", Get).WithReadProblems(authenticated: true).WithSummary("Read a contact person.");
        group.MapDelete("/{contactId:guid}", Erase).WithCommandProblems().Produces(StatusCodes.Status204NoContent)
            .WithSummary("Erase a contact person (Decree 13/2023).");
        return routes;
    }

    private static async Task<Results<Created<Contact>, ProblemHttpResult>> Create(Guid cooperativeId, ContactRequest request, HttpContext http,
        PersonalDataStore store, CancellationToken cancellationToken)
    {
        Text.Require(request.Name, "name", 200);
        Text.Optional(request.Role, "role", 100);
        if (request.Phone is { } phone && (phone.Length is < 6 or > 20 || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '.' or '-')))
            throw new InvalidFieldException("phone", "Số điện thoại không hợp lệ.", "Not a valid phone number.");
        // With an Idempotency-Key the contact's id follows from the key, so a retry finds the row it made.
        var key = http.Request.Headers[CommandPipeline.IdempotencyHeader].ToString();
        var contactId = key.Length == 0 ? Guid.CreateVersion7() : IdFromKey(cooperativeId, key);
        var contact = new Contact(contactId, cooperativeId, request.Name, request.Phone, request.Role);
        if (!await store.SaveAsync(contact, cancellationToken) && await store.FindAsync(cooperativeId, contactId, cancellationToken) != contact)
            return Problems.Status(StatusCodes.Status422UnprocessableEntity, "request.idempotency_key_reused",
                "This Idempotency-Key was already used for a different request.", "Idempotency-Key này đã được dùng cho một yêu cầu khác.");
        return TypedResults.Created($"/api/cooperatives/{cooperativeId}/contacts/{contact.ContactId}", contact);
    }

    private static Guid IdFromKey(Guid cooperativeId, string key)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{cooperativeId:N}\n{key}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // RFC 9562 version 8: an id derived by our own rule
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }

    private static async Task<Results<Ok<Contact>, ProblemHttpResult>> Get(Guid cooperativeId, Guid contactId, PersonalDataStore store, CancellationToken cancellationToken) =>
        await store.FindAsync(cooperativeId, contactId, cancellationToken) is { } contact
            ? TypedResults.Ok(contact)
            : Problems.Status(StatusCodes.Status404NotFound, "contact.not_found", "No such contact.", "Không tìm thấy người liên hệ.");

    private static async Task<Results<NoContent, ProblemHttpResult>> Erase(Guid cooperativeId, Guid contactId, PersonalDataStore store, CancellationToken cancellationToken) =>
        await store.EraseAsync(cooperativeId, contactId, cancellationToken)
            ? TypedResults.NoContent()
            : Problems.Status(StatusCodes.Status404NotFound, "contact.not_found", "No such contact.", "Không tìm thấy người liên hệ.");
}
