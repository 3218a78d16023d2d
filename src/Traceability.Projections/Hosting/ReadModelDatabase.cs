using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Traceability.EventStore;

namespace Traceability.Projections.Hosting;

public enum SqlDialect
{
    Sqlite,
    Postgres,
}

/// <summary>
/// Where read models live, beside the events: on SQLite their own file next to the event store's (one writer per
/// file in WAL, so projections never queue behind appends), on PostgreSQL the schema <c>read_models</c> of the same
/// database. Each projection's checkpoint lives here too, so it commits with the read-model change.
/// </summary>
public sealed class ReadModelDatabase : IAsyncDisposable
{
    public const string Schema = "read_models";

    private readonly NpgsqlDataSource? _postgres;
    private readonly string? _sqlite;

    private ReadModelDatabase(NpgsqlDataSource? postgres, string? sqlite)
    {
        _postgres = postgres;
        _sqlite = sqlite;
    }

    public SqlDialect Dialect => _postgres is null ? SqlDialect.Sqlite : SqlDialect.Postgres;

    /// <summary>SQLite allows one writer per file: projections sharing the file take turns.</summary>
    private SemaphoreSlim WriteTurn { get; } = new(1, 1);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Lazy<Task>> _schemas = new(StringComparer.Ordinal);

    /// <summary>
    /// Runs <paramref name="write"/> in a transaction and commits it. On SQLite every writer of the file (projector,
    /// relay checkpoint, consumers) takes its turn first, so a deferred transaction never fails to become the writer.
    /// </summary>
    public async Task<T> WriteAsync<T>(Func<DbConnection, DbTransaction, Task<T>> write, CancellationToken cancellationToken)
    {
        var sqlite = Dialect == SqlDialect.Sqlite;
        if (sqlite) await WriteTurn.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            var result = await write(connection, transaction);
            await transaction.CommitAsync(cancellationToken);
            return result;
        }
        finally
        {
            if (sqlite) WriteTurn.Release();
        }
    }

    /// <summary>Where a catch-up subscription (a projection, the relay) stands, and how many events it has handled.</summary>
    public async Task<(GlobalPosition Position, long Events)> LoadCheckpointAsync(string name, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT commit_position, prepare_position, events FROM projection_checkpoints WHERE name = @name",
            r => (new GlobalPosition(r.GetInt64(0), r.GetInt64(1)), r.GetInt64(2)), cancellationToken, ("@name", name));
        return rows.Count > 0 ? rows[0] : (GlobalPosition.Start, 0);
    }

    /// <summary>Moves a checkpoint inside the caller's transaction (with the work it records).</summary>
    public Task<int> SaveCheckpointAsync(DbConnection connection, DbTransaction transaction, string name, GlobalPosition position, long events,
        CancellationToken cancellationToken) =>
        ExecuteAsync(connection, transaction, """
            INSERT INTO projection_checkpoints (name, commit_position, prepare_position, events) VALUES (@name, @commit, @prepare, @events)
            ON CONFLICT (name) DO UPDATE SET commit_position = excluded.commit_position, prepare_position = excluded.prepare_position,
                events = excluded.events
            """, cancellationToken, ("@name", name), ("@commit", position.Commit), ("@prepare", position.Prepare), ("@events", events));

    /// <summary>Runs idempotent DDL once per database (and process) under <paramref name="key"/>.</summary>
    public Task EnsureSchemaAsync(string key, string ddl, CancellationToken cancellationToken) =>
        _schemas.GetOrAdd(key, _ => new Lazy<Task>(() =>
            WriteAsync(async (connection, transaction) => await ExecuteAsync(connection, transaction, ddl, CancellationToken.None),
                CancellationToken.None))).Value.WaitAsync(cancellationToken);

    public static async Task<ReadModelDatabase> OpenAsync(string eventStoreConnectionString, CancellationToken cancellationToken = default)
    {
        ReadModelDatabase database;
        if (EventStoreFactory.IsPostgres(eventStoreConnectionString))
        {
            var builder = new NpgsqlConnectionStringBuilder(eventStoreConnectionString) { SearchPath = Schema };
            database = new ReadModelDatabase(NpgsqlDataSource.Create(builder.ConnectionString), null);
            await using var connection = await database.OpenAsync(cancellationToken);
            await database.ExecuteAsync(connection, null, $"CREATE SCHEMA IF NOT EXISTS {Schema}", cancellationToken);
        }
        else
        {
            var events = new SqliteConnectionStringBuilder(eventStoreConnectionString.Contains('=') ? eventStoreConnectionString : $"Data Source={eventStoreConnectionString}");
            var file = Path.ChangeExtension(events.DataSource, ".readmodels.db");
            database = new ReadModelDatabase(null, new SqliteConnectionStringBuilder { DataSource = file, Pooling = true }.ToString());
            await using var connection = await database.OpenAsync(cancellationToken);
            await database.ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL", cancellationToken);
        }

        await using (var connection = await database.OpenAsync(cancellationToken))
            await database.ExecuteAsync(connection, null, """
                CREATE TABLE IF NOT EXISTS projection_checkpoints (
                    name             TEXT PRIMARY KEY,
                    commit_position  BIGINT NOT NULL,
                    prepare_position BIGINT NOT NULL,
                    events           BIGINT NOT NULL
                )
                """, cancellationToken);
        return database;
    }

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_postgres is not null) return await _postgres.OpenConnectionAsync(cancellationToken);
        var connection = new SqliteConnection(_sqlite);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        // Read models can always be rebuilt from the events: NORMAL is durable enough and much faster.
        pragma.CommandText = "PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, transaction, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Runs a query on its own connection and maps each row.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, Func<DbDataReader, T> map, CancellationToken cancellationToken,
        params (string Name, object? Value)[] parameters)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = Command(connection, null, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken)) rows.Add(map(reader));
        return rows;
    }

    public static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    public async ValueTask DisposeAsync()
    {
        if (_postgres is not null) await _postgres.DisposeAsync();
        if (_sqlite is not null) SqliteConnection.ClearPool(new SqliteConnection(_sqlite));
        WriteTurn.Dispose();
    }
}
