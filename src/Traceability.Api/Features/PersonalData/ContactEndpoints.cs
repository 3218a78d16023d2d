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
            .RequireAuthorization(Party.Policies.OwnCooperative).RequireRateLimiting(RateLimits.Writes);
        group.MapPost("/", Create).WithCommandProblems().WithSummary("Store a contact person (personal data, outside the event log).");
        group.MapGet("/{contactId:guid}", Get).WithSummary("Read a contact person.");
        group.MapDelete("/{contactId:guid}", Erase).WithSummary("Erase a contact person (Decree 13/2023).");
        return routes;
    }

    private static async Task<Created<Contact>> Create(Guid cooperativeId, ContactRequest request, PersonalDataStore store, CancellationToken cancellationToken)
    {
        Text.Require(request.Name, "name", 200);
        Text.Optional(request.Role, "role", 100);
        if (request.Phone is { } phone && (phone.Length is < 6 or > 20 || !phone.All(c => char.IsAsciiDigit(c) || c is '+' or ' ' or '.' or '-')))
            throw new InvalidFieldException("phone", "Số điện thoại không hợp lệ.", "Not a valid phone number.");
        var contact = new Contact(Guid.CreateVersion7(), cooperativeId, request.Name, request.Phone, request.Role);
        await store.SaveAsync(contact, cancellationToken);
        return TypedResults.Created($"/api/cooperatives/{cooperativeId}/contacts/{contact.ContactId}", contact);
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
