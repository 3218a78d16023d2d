using System.Data.Common;
using System.Text.Json;
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

/// <summary>A stored event with its JSON data parsed (once per batch, for every projection that wants it).</summary>
public readonly record struct ProjectedEvent(RecordedEvent Event, JsonElement Data);

/// <summary>
/// A batch of events and the transaction its read-model changes and checkpoint commit in. Statements are prepared
/// once per batch and reused with new parameter values: a rebuild runs the same few statements hundreds of
/// thousands of times.
/// </summary>
public sealed class ProjectionBatch(ReadModelDatabase database, DbConnection connection, DbTransaction transaction, IReadOnlyList<ProjectedEvent> events)
    : IAsyncDisposable
{
    private readonly Dictionary<string, DbCommand> _prepared = new(StringComparer.Ordinal);

    public IReadOnlyList<ProjectedEvent> Events { get; } = events;

    public SqlDialect Dialect => database.Dialect;

    public async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters) =>
        await (await PrepareAsync(sql, parameters, cancellationToken)).ExecuteNonQueryAsync(cancellationToken);

    public async Task<object?> ScalarAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var value = await (await PrepareAsync(sql, parameters, cancellationToken)).ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    /// <summary>Runs a query inside the batch's transaction (it sees the batch's own changes) and maps each row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var reader = await (await PrepareAsync(sql, parameters, cancellationToken)).ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken)) rows.Add(map(reader));
        return rows;
    }

    private async Task<DbCommand> PrepareAsync(string sql, (string Name, object? Value)[] parameters, CancellationToken cancellationToken)
    {
        if (!_prepared.TryGetValue(sql, out var command))
        {
            command = ReadModelDatabase.Command(connection, transaction, sql, parameters);
            // Npgsql infers parameter types from the first values; a null would stay untyped, so prepare lazily there.
            if (parameters.All(p => p.Value is not null)) await command.PrepareAsync(cancellationToken);
            _prepared[sql] = command;
            return command;
        }

        for (var i = 0; i < parameters.Length; i++) command.Parameters[parameters[i].Name].Value = parameters[i].Value ?? DBNull.Value;
        return command;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var command in _prepared.Values) await command.DisposeAsync();
    }
}
