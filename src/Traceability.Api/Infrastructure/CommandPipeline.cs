using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Net.Http.Headers;
using Traceability.Api.Security;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Infrastructure;

/// <summary>Events for one stream, with the revision the decision was made at.</summary>
/// <param name="OnConflict">What a conflict on this stream means to the user (e.g. a lot number already taken); null: a concurrency conflict.</param>
public sealed record PlannedAppend(string Stream, ExpectedRevision Expected, IReadOnlyList<object> Events, DomainException? OnConflict = null);

/// <summary>What a command decided: events to append, and the response to give (and to replay on a retry).</summary>
public sealed record CommandOutcome(IReadOnlyList<PlannedAppend> Appends, int Status, object Body, long? Revision = null, string? Location = null);

/// <summary>What a command handler gets: who acts, when, and the request's If-Match.</summary>
public sealed record CommandContext(PartyRef Actor, System.Security.Claims.ClaimsPrincipal User, DateTimeOffset Now, long? IfMatch)
{
    /// <summary>Refuses with 412 when the client's If-Match names another revision than the stream's.</summary>
    public void RequireRevision(long actual)
    {
        if (IfMatch is { } expected && expected != actual)
            throw new PreconditionFailedException(actual);
    }

    public StepInfoFactory Steps => new(Actor);
}

public readonly record struct StepInfoFactory(PartyRef Actor)
{
    public Domain.Batches.StepInfo Create(DateTimeOffset occurredAt, string? place, string? note) => new(occurredAt, place, Actor, note);
}

public sealed class PreconditionFailedException(long actualRevision) : Exception($"The record is at revision {actualRevision}.")
{
    public long ActualRevision { get; } = actualRevision;
}

/// <summary>
/// Runs a command: If-Match, decision, atomic append, and the Idempotency-Key. A command sent with a key is
/// recorded in its own stream (<c>idempotency-…</c>) in the same atomic append as its events, so a retry —
/// even twenty at once — finds the record and gets the original response, and nothing is appended twice.
/// The same key with another body is refused (422).
/// </summary>
public sealed class CommandPipeline(IEventStore store, TimeProvider time)
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public async Task<IResult> ExecuteAsync(HttpContext http, Func<CommandContext, Task<CommandOutcome>> decide)
    {
        var ifMatch = ParseIfMatch(http);
        if (ifMatch.Error is { } badIfMatch) return badIfMatch;
        var key = http.Request.Headers[IdempotencyHeader].ToString();
        if (key.Length > 0 && (key.Length > 100 || key.Any(c => c is < '!' or > '~')))
            return Problems.Field(IdempotencyHeader, "An Idempotency-Key is 1 to 100 visible ASCII characters.",
                "Idempotency-Key gồm 1 đến 100 ký tự ASCII.");

        var context = new CommandContext(http.User.ToPartyRef(), http.User, time.GetUtcNow(), ifMatch.Revision);
        string? recordStream = null, requestHash = null;
        if (key.Length > 0)
        {
            recordStream = StreamNames.Idempotency(http.User.Label(), key);
            requestHash = await HashRequestAsync(http);
            if (await ReplayAsync(recordStream, requestHash) is { } replay) return replay;
        }

        CommandOutcome outcome;
        try
        {
            outcome = await decide(context);
        }
        catch (PreconditionFailedException e)
        {
            return Problems.Concurrency(new WrongExpectedRevisionException("", ExpectedRevision.Any, e.ActualRevision), ifMatchGiven: true);
        }
        catch (DomainException e)
        {
            return Problems.Rule(e);
        }
        catch (InvalidFieldException e)
        {
            return Problems.Field(e.Field, e.MessageEn, e.MessageVi);
        }

        var metadata = new EventMetadata(http.User.Label(), http.User.KeyId(), Guid.CreateVersion7(), Guid.CreateVersion7(), null,
            ParseClientTime(http));
        var appends = outcome.Appends.Select(a => new StreamAppend(a.Stream, a.Expected, a.Events.Select(e => EventCodec.Encode(e, metadata)).ToList())).ToList();
        var bodyJson = JsonSerializer.Serialize(outcome.Body, outcome.Body.GetType(), Json.Options);
        if (recordStream is not null)
        {
            // First, so that concurrent retries conflict on the record, not on the batch.
            var record = new CommandCompleted(requestHash!, outcome.Status, bodyJson, outcome.Revision, outcome.Location, context.Now);
            appends.Insert(0, new StreamAppend(recordStream, ExpectedRevision.NoStream, [EventCodec.Encode(record, metadata)]));
        }

        if (appends.Count > 0)
        {
            try
            {
                await store.AppendMultipleAsync(appends, http.RequestAborted);
            }
            catch (WrongExpectedRevisionException conflict)
            {
                if (recordStream is not null && await ReplayAsync(recordStream, requestHash!) is { } replay) return replay;
                if (outcome.Appends.FirstOrDefault(a => a.Stream == conflict.Stream)?.OnConflict is { } meaning) return Problems.Rule(meaning);
                return Problems.Concurrency(conflict, ifMatch.Revision is not null);
            }
        }

        return Respond(outcome.Status, bodyJson, outcome.Revision, outcome.Location);
    }

    private async Task<IResult?> ReplayAsync(string recordStream, string requestHash)
    {
        await foreach (var stored in store.ReadStreamAsync(recordStream, ReadDirection.Forward, 0, 1))
        {
            if (EventCodec.Decode(stored) is not CommandCompleted record) break;
            if (record.RequestHash != requestHash)
                return Problems.Status(StatusCodes.Status422UnprocessableEntity, "request.idempotency_key_reused",
                    "This Idempotency-Key was already used for a different request.",
                    "Idempotency-Key này đã được dùng cho một yêu cầu khác.");
            return Respond(record.Status, record.BodyJson, record.Revision, record.Location);
        }

        return null;
    }

    private static IResult Respond(int status, string bodyJson, long? revision, string? location) => new StoredJsonResult(status, bodyJson, revision, location);

    private static async Task<string> HashRequestAsync(HttpContext http)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}{http.Request.QueryString}\n"));
        if (http.Request.Body.CanSeek)
        {
            http.Request.Body.Position = 0;
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await http.Request.Body.ReadAsync(buffer)) > 0) sha.AppendData(buffer, 0, read);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static (long? Revision, IResult? Error) ParseIfMatch(HttpContext http)
    {
        var header = http.Request.Headers.IfMatch.ToString();
        // "*" asks only that the record exists, which every command on an existing record checks anyway.
        if (header.Length == 0 || header.Trim() == "*") return (null, null);
        if (EntityTagHeaderValue.TryParse(header, out var tag) && !tag.IsWeak && tag.Tag.Length > 2 &&
            long.TryParse(tag.Tag.AsSpan(1, tag.Tag.Length - 2), System.Globalization.NumberStyles.None, null, out var revision))
            return (revision, null);
        return (null, Problems.Field("If-Match", "If-Match must be the ETag of the record, e.g. \"3\".",
            "If-Match phải là ETag của bản ghi, ví dụ \"3\"."));
    }

    private static DateTimeOffset? ParseClientTime(HttpContext http) =>
        DateTimeOffset.TryParse(http.Request.Headers["X-Client-Time"], System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var clientTime) ? clientTime : null;
}

/// <summary>The outcome of a command sent with an Idempotency-Key: what a retry gets back.</summary>
[EventType("command.completed.v1")]
public sealed record CommandCompleted(string RequestHash, int Status, string BodyJson, long? Revision, string? Location, DateTimeOffset CompletedAt);

/// <summary>A JSON response whose body was serialised once, so a replay is byte for byte the original.</summary>
public sealed class StoredJsonResult(int status, string bodyJson, long? revision, string? location) : IResult
{
    public Task ExecuteAsync(HttpContext http)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json; charset=utf-8";
        if (revision is { } r) http.Response.Headers.ETag = ETags.For(r);
        if (location is not null) http.Response.Headers.Location = location;
        return http.Response.WriteAsync(bodyJson);
    }
}

public static class ETags
{
    public static string For(long revision) => $"\"{revision}\"";
}
