using System.Data.Common;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Integration;

/// <summary>
/// Which bus messages a consumer has already handled, by message id (the domain event's id for relayed messages):
/// the relay publishes at least once and a broker redelivers, so each consumer records its work and the message id
/// in one transaction and skips a message it has seen.
/// </summary>
public sealed class IntegrationInbox(ReadModelDatabase database)
{
    private const string Ddl = """
        CREATE TABLE IF NOT EXISTS integration_inbox (
            consumer     TEXT NOT NULL,
            message_id   TEXT NOT NULL,
            processed_at TEXT NOT NULL,
            PRIMARY KEY (consumer, message_id)
        )
        """;

    public ReadModelDatabase Database => database;

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => database.EnsureSchemaAsync("integration_inbox", Ddl, cancellationToken);

    public async Task<bool> HasProcessedAsync(string consumer, Guid messageId, CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        var rows = await database.QueryAsync("SELECT 1 FROM integration_inbox WHERE consumer = @consumer AND message_id = @id", _ => 1,
            cancellationToken, ("@consumer", consumer), ("@id", messageId.ToString("N")));
        return rows.Count > 0;
    }

    /// <summary>Records the message inside the caller's transaction; false when it was already recorded (do nothing then).</summary>
    public async Task<bool> TryRecordAsync(DbConnection connection, DbTransaction transaction, string consumer, Guid messageId,
        CancellationToken cancellationToken)
    {
        var inserted = await database.ExecuteAsync(connection, transaction, """
            INSERT INTO integration_inbox (consumer, message_id, processed_at) VALUES (@consumer, @id, @at)
            ON CONFLICT (consumer, message_id) DO NOTHING
            """, cancellationToken, ("@consumer", consumer), ("@id", messageId.ToString("N")), ("@at", DateTimeOffset.UtcNow.ToString("O")));
        return inserted == 1;
    }

    /// <summary>Does <paramref name="work"/> and records the message in one transaction, unless it was recorded before.</summary>
    public async Task<bool> ProcessOnceAsync(string consumer, Guid messageId, Func<DbConnection, DbTransaction, Task> work,
        CancellationToken cancellationToken)
    {
        await EnsureSchemaAsync(cancellationToken);
        return await database.WriteAsync(async (connection, transaction) =>
        {
            if (!await TryRecordAsync(connection, transaction, consumer, messageId, cancellationToken)) return false;
            await work(connection, transaction);
            return true;
        }, cancellationToken);
    }
}
