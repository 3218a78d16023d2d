using Npgsql;

namespace Traceability.EventStore.Postgres;

/// <summary>One group commit: lock and read (one round trip), insert rows and heads and notify (one), commit.</summary>
internal sealed class PostgresAppendTransaction(NpgsqlConnection connection, NpgsqlTransaction transaction) : IAppendTransaction
{
    public async Task<(Dictionary<string, StreamHead> Heads, Dictionary<Guid, StoredEventRef> Stored)> LockAndReadAsync(
        IReadOnlyList<string> streams, IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        // Lock in key order in every process, so two group commits never wait on each other in a cycle.
        foreach (var key in streams.Select(PostgresEventStore.LockKey).Distinct().Order())
        {
            var lockStream = new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock($1)");
            lockStream.Parameters.Add(new NpgsqlParameter { Value = key });
            batch.BatchCommands.Add(lockStream);
        }

        var heads = new NpgsqlBatchCommand("SELECT name, revision, hash FROM streams WHERE name = ANY($1)");
        heads.Parameters.Add(new NpgsqlParameter { Value = streams.ToArray() });
        batch.BatchCommands.Add(heads);
        var stored = new NpgsqlBatchCommand("SELECT event_id, stream, revision, tx_id, seq FROM events WHERE event_id = ANY($1)");
        stored.Parameters.Add(new NpgsqlParameter { Value = eventIds.ToArray() });
        batch.BatchCommands.Add(stored);

        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        for (var i = 0; i < batch.BatchCommands.Count - 2; i++) await reader.NextResultAsync(cancellationToken);
        var headRows = await ReadHeadsAsync(reader, cancellationToken);
        await reader.NextResultAsync(cancellationToken);
        var storedRows = new Dictionary<Guid, StoredEventRef>();
        while (await reader.ReadAsync(cancellationToken))
            storedRows[reader.GetGuid(0)] = new StoredEventRef(reader.GetString(1), reader.GetInt64(2),
                new GlobalPosition(reader.GetInt64(3), reader.GetInt64(4)));
        return (headRows, storedRows);
    }

    public async Task<GlobalPosition[]> InsertAsync(IReadOnlyList<NewEventRow> rows, IReadOnlyDictionary<string, StreamHead> heads,
        CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection, transaction);
        var insert = new NpgsqlBatchCommand("""
            INSERT INTO events (event_id, stream, category, revision, type, data, metadata, recorded_us, hash)
            SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bigint[], $5::text[], $6::bytea[], $7::bytea[], $8::bigint[], $9::bytea[])
            RETURNING event_id, tx_id, seq
            """);
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Event.EventId).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Stream).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Category).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Revision).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Event.Type).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Event.Data.ToArray()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Event.Metadata.ToArray()).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.RecordedMicroseconds).ToArray() });
        insert.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Hash).ToArray() });
        batch.BatchCommands.Add(insert);

        var upsert = new NpgsqlBatchCommand("""
            INSERT INTO streams (name, revision, hash) SELECT * FROM unnest($1::text[], $2::bigint[], $3::bytea[])
            ON CONFLICT (name) DO UPDATE SET revision = excluded.revision, hash = excluded.hash
            """);
        upsert.Parameters.Add(new NpgsqlParameter { Value = heads.Keys.ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = heads.Values.Select(h => h.Revision).ToArray() });
        upsert.Parameters.Add(new NpgsqlParameter { Value = heads.Values.Select(h => h.Hash).ToArray() });
        batch.BatchCommands.Add(upsert);
        // Delivered on commit only, to every listening process.
        batch.BatchCommands.Add(new NpgsqlBatchCommand($"SELECT pg_notify('{PostgresSchema.NotifyChannel}', '')"));

        var positionById = new Dictionary<Guid, GlobalPosition>(rows.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                positionById[reader.GetGuid(0)] = new GlobalPosition(reader.GetInt64(1), reader.GetInt64(2));
        }

        return rows.Select(r => positionById[r.Event.EventId]).ToArray();
    }

    public Task CommitAsync(CancellationToken cancellationToken) => transaction.CommitAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await transaction.DisposeAsync();
        await connection.DisposeAsync();
    }

    internal static async Task<Dictionary<string, StreamHead>> ReadHeadsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            heads[reader.GetString(0)] = new StreamHead(reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        return heads;
    }
}
