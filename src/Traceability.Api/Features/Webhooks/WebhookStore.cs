using System.Data.Common;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;

namespace Traceability.Api.Features.Webhooks;

/// <summary>A buyer's registered webhook; the secret signs its deliveries and is never returned by the Api.</summary>
public sealed record Webhook(Guid WebhookId, Guid PartyId, string Url, string Secret, DateTimeOffset CreatedAt);

/// <summary>A delivery that failed every attempt, kept for an administrator.</summary>
public sealed record DeadLetteredDelivery(Guid DeliveryId, Guid WebhookId, Guid PartyId, string Url, Guid BatchId, Guid EventId, int Attempts,
    string LastError, DateTimeOffset DeadAt, string Body);

/// <summary>
/// Webhook registrations, successful deliveries (for deduplication) and dead letters, in the read-model database.
/// They are not events: a secret must be replaceable and erasable, which an append-only log is not. A read-model
/// rebuild never touches these tables (no projection owns them).
/// </summary>
public sealed class WebhookStore(ReadModelDatabase database)
{
    public const int MaxPerParty = 10;

    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS webhook_subscriptions (
            webhook_id TEXT PRIMARY KEY,
            party_id   TEXT NOT NULL,
            url        TEXT NOT NULL,
            secret     TEXT NOT NULL,
            created_at TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS webhook_subscriptions_by_party ON webhook_subscriptions (party_id);
        CREATE TABLE IF NOT EXISTS webhook_deliveries (
            delivery_id  TEXT PRIMARY KEY,
            webhook_id   TEXT NOT NULL,
            batch_id     TEXT NOT NULL,
            status_code  BIGINT NOT NULL,
            attempts     BIGINT NOT NULL,
            delivered_at TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS webhook_dead_letters (
            delivery_id TEXT PRIMARY KEY,
            webhook_id  TEXT NOT NULL,
            party_id    TEXT NOT NULL,
            url         TEXT NOT NULL,
            batch_id    TEXT NOT NULL,
            event_id    TEXT NOT NULL,
            attempts    BIGINT NOT NULL,
            last_error  TEXT NOT NULL,
            body        TEXT NOT NULL,
            dead_at     TEXT NOT NULL
        );
        """;

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => database.EnsureSchemaAsync("webhooks", Ddl, cancellationToken);

    /// <summary>Registers a webhook; null when the party already has <see cref="MaxPerParty"/>.</summary>
    public async Task<Webhook?> AddAsync(Guid partyId, string url, string secret, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        var webhook = new Webhook(Guid.CreateVersion7(), partyId, url, secret, now);
        return await database.WriteAsync(async (connection, transaction) =>
        {
            await using (var count = ReadModelDatabase.Command(connection, transaction,
                             "SELECT COUNT(*) FROM webhook_subscriptions WHERE party_id = @party", ("@party", partyId.ToString("N"))))
                if (Convert.ToInt64(await count.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) >= MaxPerParty)
                    return null;
            await database.ExecuteAsync(connection, transaction, """
                INSERT INTO webhook_subscriptions (webhook_id, party_id, url, secret, created_at) VALUES (@id, @party, @url, @secret, @at)
                """, cancellationToken, ("@id", webhook.WebhookId.ToString("N")), ("@party", partyId.ToString("N")), ("@url", url),
                ("@secret", secret), ("@at", now.ToString("O")));
            return webhook;
        }, cancellationToken);
    }

    public async Task<List<Webhook>> ForPartyAsync(Guid partyId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        return await database.QueryAsync("""
            SELECT webhook_id, party_id, url, secret, created_at FROM webhook_subscriptions WHERE party_id = @party ORDER BY webhook_id
            """, Read, cancellationToken, ("@party", partyId.ToString("N")));
    }

    public async Task<Webhook?> FindAsync(Guid webhookId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        var rows = await database.QueryAsync("SELECT webhook_id, party_id, url, secret, created_at FROM webhook_subscriptions WHERE webhook_id = @id",
            Read, cancellationToken, ("@id", webhookId.ToString("N")));
        return rows.Count > 0 ? rows[0] : null;
    }

    public async Task<bool> IsDeliveredAsync(Guid deliveryId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        return (await database.QueryAsync("SELECT 1 FROM webhook_deliveries WHERE delivery_id = @id", _ => 1, cancellationToken,
            ("@id", deliveryId.ToString("N")))).Count > 0;
    }

    public Task MarkDeliveredAsync(Guid deliveryId, Guid webhookId, Guid batchId, int statusCode, int attempts, DateTimeOffset now,
        CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT INTO webhook_deliveries (delivery_id, webhook_id, batch_id, status_code, attempts, delivered_at)
            VALUES (@id, @webhook, @batch, @status, @attempts, @at) ON CONFLICT (delivery_id) DO NOTHING
            """, cancellationToken, ("@id", deliveryId.ToString("N")), ("@webhook", webhookId.ToString("N")), ("@batch", batchId.ToString("N")),
            ("@status", (long)statusCode), ("@attempts", (long)attempts), ("@at", now.ToString("O")));

    public Task DeadLetterAsync(DeadLetteredDelivery d, CancellationToken cancellationToken) =>
        WriteAsync("""
            INSERT INTO webhook_dead_letters (delivery_id, webhook_id, party_id, url, batch_id, event_id, attempts, last_error, body, dead_at)
            VALUES (@id, @webhook, @party, @url, @batch, @event, @attempts, @error, @body, @at)
            ON CONFLICT (delivery_id) DO UPDATE SET attempts = excluded.attempts, last_error = excluded.last_error, dead_at = excluded.dead_at
            """, cancellationToken, ("@id", d.DeliveryId.ToString("N")), ("@webhook", d.WebhookId.ToString("N")), ("@party", d.PartyId.ToString("N")),
            ("@url", d.Url), ("@batch", d.BatchId.ToString("N")), ("@event", d.EventId.ToString("N")), ("@attempts", (long)d.Attempts),
            ("@error", d.LastError), ("@body", d.Body), ("@at", d.DeadAt.ToString("O")));

    public async Task<List<DeadLetteredDelivery>> DeadLettersAsync(int limit, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        return await database.QueryAsync("""
            SELECT delivery_id, webhook_id, party_id, url, batch_id, event_id, attempts, last_error, dead_at, body
            FROM webhook_dead_letters ORDER BY dead_at DESC, delivery_id LIMIT @limit
            """, r => new DeadLetteredDelivery(Guid.Parse(r.GetString(0)), Guid.Parse(r.GetString(1)), Guid.Parse(r.GetString(2)), r.GetString(3),
            Guid.Parse(r.GetString(4)), Guid.Parse(r.GetString(5)), (int)r.GetInt64(6), r.GetString(7),
            DateTimeOffset.Parse(r.GetString(8), System.Globalization.CultureInfo.InvariantCulture), r.GetString(9)), cancellationToken, ("@limit", (long)limit));
    }

    private async Task WriteAsync(string sql, CancellationToken cancellationToken, params (string, object?)[] parameters)
    {
        await EnsureSchemaAsync(cancellationToken);
        await database.WriteAsync((connection, transaction) => database.ExecuteAsync(connection, transaction, sql, cancellationToken, parameters),
            cancellationToken);
    }

    private static Webhook Read(DbDataReader r) => new(Guid.Parse(r.GetString(0)), Guid.Parse(r.GetString(1)), r.GetString(2), r.GetString(3),
        DateTimeOffset.Parse(r.GetString(4), System.Globalization.CultureInfo.InvariantCulture));
}
