using System.Data.Common;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Integration;

/// <summary>
/// Writes of the integration side (consumers' inbox, label cache, webhooks) to the read-model database. On SQLite they
/// take the same write turn as the projector, so a deferred transaction never fails to upgrade to a writer (SQLITE_BUSY).
/// </summary>
public static class ReadModelWriter
{
    public static async Task<T> WriteAsync<T>(this ReadModelDatabase database, Func<DbConnection, DbTransaction, Task<T>> write,
        CancellationToken cancellationToken)
    {
        var sqlite = database.Dialect == SqlDialect.Sqlite;
        if (sqlite) await database.WriteTurn.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await database.OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            if (sqlite) database.WriteTurn.Release();
        }
    }

    /// <summary>Runs idempotent DDL once per database and process.</summary>
    public static Task EnsureSchemaAsync(this ReadModelDatabase database, string key, string ddl, CancellationToken cancellationToken) =>
        Schemas.GetOrAdd((database, key), _ => new Lazy<Task>(async () =>
        {
            await database.WriteAsync(async (connection, transaction) =>
                await database.ExecuteAsync(connection, transaction, ddl, CancellationToken.None), CancellationToken.None);
        })).Value.WaitAsync(cancellationToken);

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(ReadModelDatabase, string), Lazy<Task>> Schemas = new();
}
