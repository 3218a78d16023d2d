using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Buyers;

/// <summary>A distributor, agent or shop that can receive batches (nhà phân phối / đại lý / cửa hàng).</summary>
[EventType("buyer.registered.v1")]
public sealed record BuyerRegistered(Guid BuyerId, string Name, Address? Address, DateTimeOffset RegisteredAt);

public sealed record RegisterBuyerRequest(string Name, Address? Address);

public sealed record BuyerResponse(Guid BuyerId, string Name, Address? Address);

public static class BuyerEndpoints
{
    public static IEndpointRouteBuilder MapBuyerEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/buyers").WithTags("Buyers");
        group.MapPost("/", Register).RequireAuthorization(Party.Policies.Admin).WithCommandProblems()
            .Produces<BuyerResponse>(StatusCodes.Status201Created).WithSummary("Register a buyer (admin).");
        group.MapGet("/{buyerId:guid}", Get).AllowAnonymous().WithReadProblems().WithSummary("A buyer's public profile.");
        return routes;
    }

    public static Task<IResult> Register(RegisterBuyerRequest request, HttpContext http, CommandPipeline pipeline) =>
        pipeline.ExecuteAsync(http, ctx =>
        {
            Text.Require(request.Name, "name", 200);
            if (request.Address is not null) AddressRules.Check(request.Address, "address");
            var id = Guid.CreateVersion7();
            var registered = new BuyerRegistered(id, request.Name, request.Address, ctx.Now);
            return Task.FromResult(new CommandOutcome([new PlannedAppend(StreamNames.Buyer(id), ExpectedRevision.NoStream, [registered])],
                StatusCodes.Status201Created, new BuyerResponse(id, request.Name, request.Address), 0, $"/api/buyers/{id}"));
        });

    private static async Task<Results<Ok<BuyerResponse>, ProblemHttpResult>> Get(Guid buyerId, AggregateReader reader, CancellationToken cancellationToken) =>
        await reader.LoadBuyerAsync(buyerId, cancellationToken) is { } buyer
            ? TypedResults.Ok(new BuyerResponse(buyer.BuyerId, buyer.Name, buyer.Address))
            : Problems.Status(StatusCodes.Status404NotFound, "buyer.not_found", "No such buyer.", "Không tìm thấy bên mua.");
}
