using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Keys;

public sealed record IssueKeyRequest(ApiRole Role, Guid? PartyId);

public sealed record KeyRevoked(Guid KeyId, bool Revoked);

/// <summary>The key itself is in this response only: it is stored hashed.</summary>
public sealed record IssuedKeyResponse(Guid KeyId, string Key, ApiRole Role, Guid? PartyId, string PartyName);

public static class KeyEndpoints
{
    public static IEndpointRouteBuilder MapKeyEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/keys").WithTags("API keys").RequireAuthorization(Party.Policies.Admin);
        group.MapPost("/", Issue).WithCommandProblems().Produces<IssuedKeyResponse>(StatusCodes.Status201Created)
            .WithSummary("Issue an API key to a cooperative, a buyer or an admin (admin). The key is shown once.");
        group.MapPost("/{keyId:guid}/revoke", Revoke).WithCommandProblems().Produces<KeyRevoked>()
            .WithSummary("Revoke an API key (admin).");
        return routes;
    }

    private static Task<IResult> Issue(IssueKeyRequest request, HttpContext http, CommandPipeline pipeline, AggregateReader reader, ApiKeyRegistry registry) =>
        pipeline.ExecuteAsync(http, async ctx =>
        {
            var partyName = await PartyNameAsync(request, reader, http.RequestAborted);
            var (keyId, key, hash) = ApiKeys.Create(Guid.CreateVersion7());
            var issued = new ApiKeyIssued(keyId, hash, request.Role, request.PartyId, partyName, ctx.Now);
            registry.Apply(issued); // usable at once on this instance; others follow the stream
            return new CommandOutcome([new PlannedAppend(StreamNames.ApiKey(keyId), ExpectedRevision.NoStream, [issued])],
                StatusCodes.Status201Created, new IssuedKeyResponse(keyId, key, request.Role, request.PartyId, partyName));
        });

    private static Task<IResult> Revoke(Guid keyId, HttpContext http, CommandPipeline pipeline, ApiKeyRegistry registry) =>
        pipeline.ExecuteAsync(http, ctx =>
        {
            if (registry.Find(keyId) is null)
                throw new DomainException("apikey.not_found", "Không tìm thấy khóa API.", "No such API key.");
            registry.Apply(new ApiKeyRevoked(keyId, ctx.Now));
            return Task.FromResult(new CommandOutcome(
                [new PlannedAppend(StreamNames.ApiKey(keyId), ExpectedRevision.StreamExists, [new ApiKeyRevoked(keyId, ctx.Now)])],
                StatusCodes.Status200OK, new KeyRevoked(keyId, true)));
        });

    private static async Task<string> PartyNameAsync(IssueKeyRequest request, AggregateReader reader, CancellationToken cancellationToken)
    {
        if (!Enum.IsDefined(request.Role)) throw new InvalidFieldException("role", "Vai trò không hợp lệ.", "Role is admin, cooperative or buyer.");
        switch (request.Role)
        {
            case ApiRole.Admin when request.PartyId is null:
                return "admin";
            case ApiRole.Admin:
                throw new InvalidFieldException("partyId", "Khóa quản trị không gắn với tổ chức.", "An admin key has no party.");
            case ApiRole.Cooperative:
                var (cooperative, _) = await reader.LoadCooperativeAsync(request.PartyId ?? Guid.Empty, cancellationToken);
                return cooperative.Profile?.NameVi
                       ?? throw new DomainException("cooperative.not_found", "Không tìm thấy hợp tác xã.", "No such cooperative.");
            default:
                return (await reader.LoadBuyerAsync(request.PartyId ?? Guid.Empty, cancellationToken))?.Name
                       ?? throw new DomainException("buyer.not_found", "Không tìm thấy bên mua.", "No such buyer.");
        }
    }
}
