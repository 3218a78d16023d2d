using Microsoft.Data.Sqlite;

namespace Traceability.EventStore.Sqlite;

/// <summary>
/// The embedded backend: one SQLite file in WAL mode with <c>synchronous=FULL</c>, so an acknowledged append
/// survives power loss. One writer connection group-commits; readers use their own pooled connections, which
/// WAL lets run beside the writer. Positions are assigned inside the write transaction, and SQLite has one
/// writer at a time, so <c>$all</c> has no gaps by construction.
/// </summary>
public sealed class SqliteEventStore : SqlEventStore
{
    private readonly string _connectionString;
    private readonly SqliteConnection _writer;
    private readonly SqliteWriterStatements _statements;

    private SqliteEventStore(string connectionString, SqliteConnection writer, EventStoreOptions options) : base(options)
    {
        _connectionString = connectionString;
        _writer = writer;
        _statements = new SqliteWriterStatements(writer);
    }

    /// <summary>Opens (creating if needed) the store in a file: a <c>Data Source=…</c> connection string or a bare path.</summary>
    public static async Task<SqliteEventStore> OpenAsync(string connectionStringOrPath, EventStoreOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var builder = new SqliteConnectionStringBuilder(
            connectionStringOrPath.Contains('=', StringComparison.Ordinal) ? connectionStringOrPath : $"Data Source={connectionStringOrPath}")
        {
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
        };
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource.Contains(":memory:", StringComparison.OrdinalIgnoreCase))
            throw new ArgumentException("The SQLite event store needs a file (Data Source=path/to/events.db); an in-memory database cannot be shared by its readers.",
                nameof(connectionStringOrPath));
        var directory = Path.GetDirectoryName(Path.GetFullPath(builder.DataSource));
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);

        var connectionString = builder.ToString();
        var writer = new SqliteConnection(connectionString);
        await writer.OpenAsync(cancellationToken);
        await ExecuteAsync(writer, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;", cancellationToken);
        await using (var transaction = (SqliteTransaction)await writer.BeginTransactionAsync(cancellationToken))
        {
            await ExecuteAsync(writer, SqliteSchema.Create, cancellationToken, transaction);
            await transaction.CommitAsync(cancellationToken);
        }

        var store = new SqliteEventStore(connectionString, writer, options ?? new EventStoreOptions());
        store.StartWriter();
        return store;
    }

    private protected override Task<IAppendTransaction> BeginAppendAsync(CancellationToken cancellationToken) =>
        Task.FromResult<IAppendTransaction>(new SqliteAppendTransaction(_statements));

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    private protected override async Task<List<RecordedEvent>> ReadAllPageAsync(GlobalPosition after, int count, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {SqliteSchema.EventColumns} FROM events WHERE position > $after ORDER BY position LIMIT $count";
        command.Parameters.AddWithValue("$after", after.Commit);
        command.Parameters.AddWithValue("$count", count);
        return await ReadEventsAsync(command, count, cancellationToken);
    }

    private protected override async Task<List<RecordedEvent>> ReadStreamPageAsync(string stream, ReadDirection direction, long fromRevision,
        int count, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = direction == ReadDirection.Forward
            ? $"SELECT {SqliteSchema.EventColumns} FROM events WHERE stream = $stream AND revision >= $from ORDER BY revision LIMIT $count"
            : $"SELECT {SqliteSchema.EventColumns} FROM events WHERE stream = $stream AND revision <= $from ORDER BY revision DESC LIMIT $count";
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$from", fromRevision);
        command.Parameters.AddWithValue("$count", count);
        return await ReadEventsAsync(command, count, cancellationToken);
    }

    private protected override async Task<List<RecordedEvent>> ReadByStreamPageAsync(string afterStream, long afterRevision, int count,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT {SqliteSchema.EventColumns} FROM events
            WHERE (stream = $stream AND revision > $revision) OR stream > $stream
            ORDER BY stream, revision LIMIT $count
            """;
        command.Parameters.AddWithValue("$stream", afterStream);
        command.Parameters.AddWithValue("$revision", afterRevision);
        command.Parameters.AddWithValue("$count", count);
        return await ReadEventsAsync(command, count, cancellationToken);
    }

    private protected override async Task<Dictionary<string, StreamHead>> ReadHeadsAsync(IReadOnlyCollection<string> streams,
        CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT revision, hash FROM streams WHERE name = $name";
        command.Parameters.Add("$name", SqliteType.Text);
        return SqliteAppendTransaction.ReadHeads(command, streams);
    }

    private protected override async Task<List<string>> ReadHeadsWithoutEventsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT name FROM streams s
            WHERE s.revision >= 0 AND NOT EXISTS (SELECT 1 FROM events e WHERE e.stream = s.name AND e.revision = s.revision)
            """;
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) names.Add(reader.GetString(0));
        return names;
    }

    public override async Task<GlobalPosition> ReadHeadPositionAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT coalesce(max(position), 0) FROM events";
        var position = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return new GlobalPosition(position, position);
    }

    /// <summary>Reads a page synchronously: SQLite runs in-process, so async reads only add a task per row.</summary>
    private static Task<List<RecordedEvent>> ReadEventsAsync(SqliteCommand command, int count, CancellationToken cancellationToken)
    {
        var events = new List<RecordedEvent>(count);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var position = reader.GetInt64(0);
            // Not GetBytes: on Microsoft.Data.Sqlite it opens an incremental blob handle per call, 3× slower.
            events.Add(new RecordedEvent(
                EventId: new Guid(reader.GetFieldValue<byte[]>(1), bigEndian: true),
                Stream: reader.GetString(2),
                Revision: reader.GetInt64(3),
                Position: new GlobalPosition(position, position),
                Type: reader.GetString(4),
                Data: reader.GetFieldValue<byte[]>(5),
                Metadata: reader.GetFieldValue<byte[]>(6),
                Recorded: EventHash.FromMicroseconds(reader.GetInt64(7)),
                Hash: reader.GetFieldValue<byte[]>(8)));
        }

        return Task.FromResult(events);
    }


    internal static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken,
        SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private protected override async ValueTask DisposeBackendAsync()
    {
        _statements.Dispose();
        await _writer.DisposeAsync();
        // Release pooled reader handles so the file can be moved or deleted once the store is closed.
        SqliteConnection.ClearPool(new SqliteConnection(_connectionString));
    }
}
