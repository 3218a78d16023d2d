using System.Data.Common;
using Traceability.EventStore;

namespace Traceability.Projections.Hosting;

/// <summary>
/// A read model kept from <c>$all</c>. It reads the stored JSON (the stored event schema is the contract, not the
/// domain's CLR types), must be deterministic (no clock, no random ids), so that a rebuild equals live processing.
/// </summary>
public interface IProjection
{
    /// <summary>The checkpoint's key; stable.</summary>
    string Name { get; }

    EventFilter Filter { get; }

    /// <summary>The tables this projection owns, dropped by a rebuild and compared by the rebuild test.</summary>
    IReadOnlyList<string> Tables { get; }

    /// <summary>Idempotent DDL (portable between SQLite and PostgreSQL).</summary>
    string CreateSchema { get; }

    /// <summary>Applies a batch of events inside the transaction that also moves the checkpoint.</summary>
    Task ApplyAsync(ProjectionBatch batch, CancellationToken cancellationToken);
}

/// <summary>A batch of events and the transaction its read-model changes and checkpoint commit in.</summary>
public sealed class ProjectionBatch(ReadModelDatabase database, DbConnection connection, DbTransaction transaction, IReadOnlyList<RecordedEvent> events)
{
    public IReadOnlyList<RecordedEvent> Events { get; } = events;

    public SqlDialect Dialect => database.Dialect;

    public Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        database.ExecuteAsync(connection, transaction, sql, cancellationToken, parameters);

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = ReadModelDatabase.Command(connection, transaction, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }
}
