using Microsoft.Data.Sqlite;

namespace Traceability.EventStore.Sqlite;

/// <summary>
/// The writer connection's statements, prepared once and reused by every group commit: re-preparing them per
/// transaction cost more than a third of a single append.
/// </summary>
internal sealed class SqliteWriterStatements : IDisposable
{
    public SqliteWriterStatements(SqliteConnection connection)
    {
        Connection = connection;
        Head = Prepare("SELECT revision, hash FROM streams WHERE name = $name", ("$name", SqliteType.Text));
        FindEvent = Prepare("SELECT stream, revision, position FROM events WHERE event_id = $id", ("$id", SqliteType.Blob));
        // SQLite assigns the next rowid (max + 1) itself; the write lock makes that gap-free.
        Insert = Prepare("""
            INSERT INTO events (event_id, stream, category, revision, type, data, metadata, recorded_us, hash)
            VALUES ($id, $stream, $category, $revision, $type, $data, $metadata, $recorded, $hash)
            RETURNING position
            """, ("$id", SqliteType.Blob), ("$stream", SqliteType.Text), ("$category", SqliteType.Text),
            ("$revision", SqliteType.Integer), ("$type", SqliteType.Text), ("$data", SqliteType.Blob), ("$metadata", SqliteType.Blob),
            ("$recorded", SqliteType.Integer), ("$hash", SqliteType.Blob));
        UpsertHead = Prepare("""
            INSERT INTO streams (name, revision, hash) VALUES ($name, $revision, $hash)
            ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, hash = excluded.hash
            """, ("$name", SqliteType.Text), ("$revision", SqliteType.Integer), ("$hash", SqliteType.Blob));
    }

    public SqliteConnection Connection { get; }
    public SqliteCommand Head { get; }
    public SqliteCommand FindEvent { get; }
    public SqliteCommand Insert { get; }
    public SqliteCommand UpsertHead { get; }

    public void Enlist(SqliteTransaction? transaction)
    {
        foreach (var command in new[] { Head, FindEvent, Insert, UpsertHead }) command.Transaction = transaction;
    }

    private SqliteCommand Prepare(string sql, params (string Name, SqliteType Type)[] parameters)
    {
        var command = Connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, type) in parameters) command.Parameters.Add(name, type);
        command.Prepare();
        return command;
    }

    public void Dispose()
    {
        foreach (var command in new[] { Head, FindEvent, Insert, UpsertHead }) command.Dispose();
    }
}

/// <summary>
/// One group commit on the writer connection. <c>BEGIN IMMEDIATE</c> takes SQLite's write lock up front, so the
/// heads read here cannot change before the commit, even if another process writes to the same file. SQLite runs
/// in-process, so the statements run synchronously: awaiting them would only add allocations.
/// </summary>
internal sealed class SqliteAppendTransaction : IAppendTransaction
{
    private readonly SqliteWriterStatements _statements;
    private readonly SqliteTransaction _transaction;

    public SqliteAppendTransaction(SqliteWriterStatements statements)
    {
        _statements = statements;
        _transaction = statements.Connection.BeginTransaction(deferred: false);
        statements.Enlist(_transaction);
    }

    public Task<(Dictionary<string, StreamHead> Heads, Dictionary<Guid, StoredEventRef> Stored)> LockAndReadAsync(
        IReadOnlyList<string> streams, IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        var heads = ReadHeads(_statements.Head, streams);
        var stored = new Dictionary<Guid, StoredEventRef>();
        var id = _statements.FindEvent.Parameters[0];
        foreach (var eventId in eventIds)
        {
            id.Value = eventId.ToByteArray(bigEndian: true);
            using var reader = _statements.FindEvent.ExecuteReader();
            if (!reader.Read()) continue;
            var position = reader.GetInt64(2);
            stored[eventId] = new StoredEventRef(reader.GetString(0), reader.GetInt64(1), new GlobalPosition(position, position));
        }

        return Task.FromResult((heads, stored));
    }

    public Task<GlobalPosition[]> InsertAsync(IReadOnlyList<NewEventRow> rows, IReadOnlyDictionary<string, StreamHead> heads,
        CancellationToken cancellationToken)
    {
        var positions = new GlobalPosition[rows.Count];
        var p = _statements.Insert.Parameters;
        for (var i = 0; i < rows.Count; i++)
        {
            var row = rows[i];
            p[0].Value = row.Event.EventId.ToByteArray(bigEndian: true);
            p[1].Value = row.Stream;
            p[2].Value = row.Category;
            p[3].Value = row.Revision;
            p[4].Value = row.Event.Type;
            p[5].Value = row.Event.Data.ToArray();
            p[6].Value = row.Event.Metadata.ToArray();
            p[7].Value = row.RecordedMicroseconds;
            p[8].Value = row.Hash;
            var position = (long)_statements.Insert.ExecuteScalar()!;
            positions[i] = new GlobalPosition(position, position);
        }

        var h = _statements.UpsertHead.Parameters;
        foreach (var (name, head) in heads)
        {
            h[0].Value = name;
            h[1].Value = head.Revision;
            h[2].Value = head.Hash;
            _statements.UpsertHead.ExecuteNonQuery();
        }

        return Task.FromResult(positions);
    }

    public Task CommitAsync(CancellationToken cancellationToken)
    {
        _transaction.Commit();
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync()
    {
        _statements.Enlist(null);
        _transaction.Dispose();
        return ValueTask.CompletedTask;
    }

    internal static Dictionary<string, StreamHead> ReadHeads(SqliteCommand headQuery, IReadOnlyCollection<string> streams)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        var name = headQuery.Parameters[0];
        foreach (var stream in streams)
        {
            name.Value = stream;
            using var reader = headQuery.ExecuteReader();
            if (reader.Read()) heads[stream] = new StreamHead(reader.GetInt64(0), (byte[])reader[1]);
        }

        return heads;
    }
}
