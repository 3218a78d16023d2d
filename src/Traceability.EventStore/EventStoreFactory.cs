using Traceability.EventStore.Postgres;
using Traceability.EventStore.Sqlite;

namespace Traceability.EventStore;

/// <summary>Opens the backend a connection string names, creating or migrating its schema.</summary>
public static class EventStoreFactory
{
    /// <summary>
    /// <c>Host=…</c> (an Npgsql connection string) opens PostgreSQL; <c>Data Source=…</c> (or a bare file path)
    /// opens SQLite.
    /// </summary>
    public static async Task<IEventStore> OpenAsync(string connectionString, EventStoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        options ??= new EventStoreOptions();
        return IsPostgres(connectionString)
            ? await PostgresEventStore.OpenAsync(connectionString, options, cancellationToken)
            : await SqliteEventStore.OpenAsync(connectionString, options, cancellationToken);
    }

    public static bool IsPostgres(string connectionString) =>
        connectionString.Contains("Host=", StringComparison.OrdinalIgnoreCase) ||
        connectionString.Contains("Server=", StringComparison.OrdinalIgnoreCase);
}
