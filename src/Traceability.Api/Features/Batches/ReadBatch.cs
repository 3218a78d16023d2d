using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Features.Batches;

/// <summary>What anyone may see of a batch: organisation data only (no personal data, no prices).</summary>
public sealed record BatchSummary(Guid BatchId, Product Product, string LotNumber, Producer Producer, BatchStatus Status, ProcessingStage Stage,
    Quantity OnHand, PartyRef Custodian, PendingShipment? Shipment, IReadOnlyList<Guid> Outputs, long Revision);

public sealed record HistoryEntry(long Revision, string Position, Guid EventId, string Type, DateTimeOffset Recorded, string Hash,
    JsonElement Data, JsonElement Metadata);

public sealed record VerificationResponse(string Stream, bool Intact, long EventCount, string HeadHash, HashMismatch? FirstMismatch);

public static class ReadBatch
{
    public static async Task<Results<Ok<BatchSummary>, StatusCodeHttpResult, ProblemHttpResult>> Get(Guid batchId, HttpContext http, AggregateReader reader)
    {
        var (state, revision) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
        if (!state.Exists) return Problems.Rule(BatchCommands.NotFound());
        var etag = ETags.For(revision);
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.ToString() == etag) return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        return TypedResults.Ok(new BatchSummary(state.Id, state.Product!, state.LotNumber!, state.Producer!, state.Status, state.Stage, state.OnHand,
            state.Custodian!, state.Shipment, state.Outputs, revision));
    }

    /// <summary>The full record with hashes: for the producer, any party that has held the batch, and admins.</summary>
    public static async Task<Results<Ok<IReadOnlyList<HistoryEntry>>, ForbidHttpResult, ProblemHttpResult>> History(Guid batchId, HttpContext http,
        AggregateReader reader, IEventStore store, IAuthorizationService authorization)
    {
        var (state, _) = await reader.LoadBatchAsync(batchId, http.RequestAborted);
        if (!state.Exists) return Problems.Rule(BatchCommands.NotFound());
        if (!(await authorization.AuthorizeAsync(http.User, state, BatchAuditRequirement.Instance)).Succeeded) return TypedResults.Forbid();
        var entries = new List<HistoryEntry>();
        await foreach (var e in store.ReadStreamAsync(StreamNames.Batch(batchId), ReadDirection.Forward, 0, long.MaxValue, http.RequestAborted))
            entries.Add(new HistoryEntry(e.Revision, e.Position.ToString(), e.EventId, e.Type, e.Recorded, Convert.ToHexStringLower(e.Hash.Span),
                JsonDocument.Parse(e.Data).RootElement, JsonDocument.Parse(e.Metadata).RootElement));
        return TypedResults.Ok<IReadOnlyList<HistoryEntry>>(entries);
    }

    /// <summary>Recomputes the batch's hash chain: anyone may check that the record is intact.</summary>
    public static async Task<Results<Ok<VerificationResponse>, ProblemHttpResult>> Verify(Guid batchId, IEventStore store, CancellationToken cancellationToken)
    {
        var result = await store.VerifyStreamAsync(StreamNames.Batch(batchId), cancellationToken);
        if (result.EventCount == 0) return Problems.Rule(BatchCommands.NotFound());
        return TypedResults.Ok(new VerificationResponse(result.Stream, result.IsIntact, result.EventCount,
            Convert.ToHexStringLower(result.HeadHash.Span), result.FirstMismatch));
    }
}

/// <summary>Who may audit a batch: admins, its producer, and every party that has held it.</summary>
public sealed class BatchAuditRequirement : AuthorizationHandler<BatchAuditRequirement, Batch>, IAuthorizationRequirement
{
    public static readonly BatchAuditRequirement Instance = new();

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, BatchAuditRequirement requirement, Batch batch)
    {
        var party = context.User.PartyId();
        if (context.User.IsAdmin() || (party is { } id && (id == batch.CooperativeId || batch.Holders.Contains(id))))
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
