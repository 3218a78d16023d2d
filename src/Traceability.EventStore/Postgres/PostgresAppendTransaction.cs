using Npgsql;

namespace Traceability.EventStore.Postgres;

/// <summary>
/// One group commit in two round trips: BEGIN, lock and read; then insert rows and heads, notify and COMMIT.
/// The transaction is driven by plain BEGIN/COMMIT statements so that COMMIT travels with the inserts.
/// </summary>
internal sealed class PostgresAppendTransaction(NpgsqlConnection connection) : IAppendTransaction
{
    private bool _begun;
    private bool _committed;

    public async Task<(Dictionary<string, StreamHead> Heads, Dictionary<Guid, StoredEventRef> Stored)> LockAndReadAsync(
        IReadOnlyList<string> streams, IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("BEGIN"));
        _begun = true;
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
        for (var i = 0; i < batch.BatchCommands.Count - 3; i++) await reader.NextResultAsync(cancellationToken);
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
        await using var batch = new NpgsqlBatch(connection);
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
        batch.BatchCommands.Add(new NpgsqlBatchCommand("COMMIT"));

        var positionById = new Dictionary<Guid, GlobalPosition>(rows.Count);
        await using (var reader = await batch.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
                positionById[reader.GetGuid(0)] = new GlobalPosition(reader.GetInt64(1), reader.GetInt64(2));
            while (await reader.NextResultAsync(cancellationToken)) { }
        }

        _committed = true;
        return rows.Select(r => positionById[r.Event.EventId]).ToArray();
    }

    /// <summary>Commits a group that wrote nothing (all retries or conflicts); a writing group committed with its inserts.</summary>
    public async Task CommitAsync(CancellationToken cancellationToken)
    {
        if (_committed) return;
        await using var commit = new NpgsqlCommand("COMMIT", connection);
        await commit.ExecuteNonQueryAsync(cancellationToken);
        _committed = true;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (_begun && !_committed && connection.State == System.Data.ConnectionState.Open)
            {
                await using var rollback = new NpgsqlCommand("ROLLBACK", connection);
                await rollback.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // The connection is broken; the server rolls the transaction back when it notices.
        }
        finally
        {
            await connection.DisposeAsync();
        }
    }

    internal static async Task<Dictionary<string, StreamHead>> ReadHeadsAsync(NpgsqlDataReader reader, CancellationToken cancellationToken)
    {
        var heads = new Dictionary<string, StreamHead>(StringComparer.Ordinal);
        while (await reader.ReadAsync(cancellationToken))
            heads[reader.GetString(0)] = new StreamHead(reader.GetInt64(1), reader.GetFieldValue<byte[]>(2));
        return heads;
    }
}
