using Microsoft.Data.Sqlite;

namespace Traceability.EventStore.Sqlite;

/// <summary>
/// One group commit on the writer connection. <c>BEGIN IMMEDIATE</c> takes SQLite's write lock up front, so the
/// heads read here cannot change before the commit, even if another process writes to the same file.
/// </summary>
internal sealed class SqliteAppendTransaction(SqliteConnection connection) : IAppendTransaction
{
    private readonly SqliteTransaction _transaction = connection.BeginTransaction(deferred: false);

    public async Task<(Dictionary<string, StreamHead> Heads, Dictionary<Guid, StoredEventRef> Stored)> LockAndReadAsync(
        IReadOnlyList<string> streams, IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        var heads = await ReadHeadsAsync(connection, _transaction, streams, cancellationToken);
        var stored = new Dictionary<Guid, StoredEventRef>();
        await using var command = connection.CreateCommand();
        command.Transaction = _transaction;
        command.CommandText = "SELECT stream, revision, position FROM events WHERE event_id = $id";
        var id = command.Parameters.Add("$id", SqliteType.Blob);
        foreach (var eventId in eventIds)
        {
            id.Value = eventId.ToByteArray(bigEndian: true);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
            {
                var position = reader.GetInt64(2);
                stored[eventId] = new StoredEventRef(reader.GetString(0), reader.GetInt64(1), new GlobalPosition(position, position));
            }
        }

        return (heads, stored);
    }

    public async Task<GlobalPosition[]> InsertAsync(IReadOnlyList<NewEventRow> rows, IReadOnlyDictionary<string, StreamHead> heads,
        CancellationToken cancellationToken)
    {
        long position;
        await using (var last = connection.CreateCommand())
        {
            last.Transaction = _transaction;
            last.CommandText = "SELECT coalesce(max(position), 0) FROM events";
            position = (long)(await last.ExecuteScalarAsync(cancellationToken))!;
        }

        var positions = new GlobalPosition[rows.Count];
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = _transaction;
            insert.CommandText = """
                INSERT INTO events (position, event_id, stream, category, revision, type, data, metadata, recorded_us, hash)
                VALUES ($position, $id, $stream, $category, $revision, $type, $data, $metadata, $recorded, $hash)
                """;
            var pPosition = insert.Parameters.Add("$position", SqliteType.Integer);
            var pId = insert.Parameters.Add("$id", SqliteType.Blob);
            var pStream = insert.Parameters.Add("$stream", SqliteType.Text);
            var pCategory = insert.Parameters.Add("$category", SqliteType.Text);
            var pRevision = insert.Parameters.Add("$revision", SqliteType.Integer);
            var pType = insert.Parameters.Add("$type", SqliteType.Text);
            var pData = insert.Parameters.Add("$data", SqliteType.Blob);
            var pMetadata = insert.Parameters.Add("$metadata", SqliteType.Blob);
            var pRecorded = insert.Parameters.Add("$recorded", SqliteType.Integer);
            var pHash = insert.Parameters.Add("$hash", SqliteType.Blob);
            for (var i = 0; i < rows.Count; i++)
            {
                var row = rows[i];
                position++;
                pPosition.Value = position;
                pId.Value = row.Event.EventId.ToByteArray(bigEndian: true);
                pStream.Value = row.Stream;
                pCategory.Value = row.Category;
                pRevision.Value = row.Revision;
                pType.Value = row.Event.Type;
                pData.Value = row.Event.Data.ToArray();
                pMetadata.Value = row.Event.Metadata.ToArray();
                pRecorded.Value = row.RecordedMicroseconds;
                pHash.Value = row.Hash;
                await insert.ExecuteNonQueryAsync(cancellationToken);
                positions[i] = new GlobalPosition(position, position);
            }
        }

        await using (var upsert = connection.CreateCommand())
        {
            upsert.Transaction = _transaction;
            upsert.CommandText = """
                INSERT INTO streams (name, revision, hash) VALUES ($name, $revision, $hash)
                ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, hash = excluded.hash
                """;
            var pName = upsert.Parameters.Add("$name", SqliteType.Text);
            var pRevision = upsert.Parameters.Add("$revision", SqliteType.Integer);
            var pHash = upsert.Parameters.Add("$hash", SqliteType.Blob);
            foreach (var (name, head) in heads)
            {
                pName.Value = name;
                pRevision.Value = head.Revision;
                pHash.Value = head.Hash;
                await upsert.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return positions;
    }

    public Task CommitAsync(CancellationToken cancellationToken) => _transaction.CommitAsync(cancellationToken);

    public ValueTask DisposeAsync() => _transaction.DisposeAsync();

    internal static async Task<Dictionary<string, StreamHead>> ReadHeadsAsync(SqliteConnection connection, SqliteTransaction? transaction,
        IReadOnlyCollection<string> streams, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT revision, hash FROM streams WHERE name = $name";
        var name = command.Parameters.Add("$name", SqliteType.Text);
        foreach (var stream in streams)
        {
            name.Value = stream;
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            if (await reader.ReadAsync(cancellationToken))
                heads[stream] = new StreamHead(reader.GetInt64(0), (byte[])reader[1]);
        }

        return heads;
    }
}
