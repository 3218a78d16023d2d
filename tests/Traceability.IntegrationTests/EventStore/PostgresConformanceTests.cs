using System.Collections.Concurrent;
using Npgsql;
using Traceability.EventStore;
using Traceability.TestServers;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>
/// PostgreSQL tests run one at a time: a reader of <c>$all</c> only sees what committed before the oldest
/// transaction still open anywhere on the server (see <c>PostgresEventStore</c>), so another test's open
/// transaction (or its <c>CREATE DATABASE</c>) would hold this test's reads back.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection
{
    public const string Name = "postgres";
}

/// <summary>The conformance suite on PostgreSQL: a fresh database per test on the shared throwaway server.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresConformanceTests : EventStoreConformanceTests
{
    private string? _connectionString;

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        var server = await ThrowawayPostgres.SharedAsync().WaitAsync(TimeSpan.FromSeconds(120));
        _connectionString = await server.CreateDatabaseAsync("conformance").Bounded();
    }

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("The test database was not created.");

    protected override async Task<IEventStore> OpenStoreAsync(EventStoreOptions? options = null) =>
        Track(await EventStoreFactory.OpenAsync(ConnectionString, options).Bounded());

    /// <summary>A connection of our own, unpooled, so no session setting outlives it.</summary>
    private async Task<NpgsqlConnection> OpenRawAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    protected override async Task<int> ExecuteSqlAsync(string sql, bool bypassTriggers, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenRawAsync();
        if (bypassTriggers)
        {
            // A superuser (or anyone with replication rights) skips ordinary triggers in replica mode.
            await using var replica = new NpgsqlCommand("SET session_replication_role = replica", connection);
            await replica.ExecuteNonQueryAsync();
        }
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return await command.ExecuteNonQueryAsync();
    }

    protected override async Task<byte[]?> QueryBytesAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = await OpenRawAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue(name, value);
        return await command.ExecuteScalarAsync() as byte[];
    }

    /// <summary>
    /// What makes <c>$all</c> hard on PostgreSQL, next to the store's own group commits: transactions that insert
    /// events (taking sequence numbers and transaction ids) and roll back, about one per ten appends; and
    /// long-ish transactions that insert an event, wait while the store commits newer ones, and only then commit.
    /// </summary>
    protected override async Task<IReadOnlyCollection<Guid>> InterfereWhileWritingAsync(Func<long> appendsSoFar, CancellationToken stop)
    {
        var committed = new ConcurrentBag<Guid>();
        long rollbacks = 0, lateCommits = 0, xidHolders = 0;

        async Task RollbackLoopAsync(int loop)
        {
            var random = new Random(1000 + loop);
            await using var connection = await OpenRawAsync(CancellationToken.None);
            while (!stop.IsCancellationRequested)
            {
                if (Interlocked.Read(ref rollbacks) >= appendsSoFar() / 10)
                {
                    await Task.Delay(2, CancellationToken.None);
                    continue;
                }
                Interlocked.Increment(ref rollbacks);
                await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
                var count = 1 + random.Next(3);
                for (var i = 0; i < count; i++)
                    await InsertEventAsync(connection, transaction, $"ghost-{Guid.NewGuid():N}", withHead: false);
                await Task.Delay(random.Next(0, 60), CancellationToken.None);
                await transaction.RollbackAsync(CancellationToken.None);
            }
        }

        async Task LateCommitLoopAsync(int loop)
        {
            var random = new Random(2000 + loop);
            await using var connection = await OpenRawAsync(CancellationToken.None);
            while (!stop.IsCancellationRequested)
            {
                await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
                if (loop % 2 == 0)
                {
                    committed.Add(await InsertEventAsync(connection, transaction, $"late-{Guid.NewGuid():N}", withHead: true));
                    Interlocked.Increment(ref lateCommits);
                }
                else
                {
                    // Takes a transaction id and keeps it: holds every reader's horizon back without writing an event.
                    await using var xid = new NpgsqlCommand("SELECT pg_current_xact_id()", connection, transaction);
                    await xid.ExecuteScalarAsync(CancellationToken.None);
                    Interlocked.Increment(ref xidHolders);
                }
                await Task.Delay(random.Next(100, 500), CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
                await Task.Delay(random.Next(0, 100), CancellationToken.None);
            }
        }

        var loops = Enumerable.Range(0, 3).Select(i => Task.Run(() => RollbackLoopAsync(i)))
            .Concat(Enumerable.Range(0, 3).Select(i => Task.Run(() => LateCommitLoopAsync(i))));
        await Task.WhenAll(loops);

        Assert.True(Interlocked.Read(ref rollbacks) > 0, "No transaction was rolled back.");
        Assert.True(Interlocked.Read(ref lateCommits) > 0, "No transaction committed late.");
        Assert.True(Interlocked.Read(ref xidHolders) > 0, "No transaction held a transaction id.");
        return committed;
    }

    /// <summary>Inserts one event directly, as the store would (transaction id by column default, chained hash).</summary>
    private static async Task<Guid> InsertEventAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string stream, bool withHead)
    {
        var id = Guid.NewGuid();
        const string type = "ghost.written.v1";
        var data = "{\"raw\":true}"u8.ToArray();
        var metadata = "{}"u8.ToArray();
        var recorded = EventHash.ToMicroseconds(DateTimeOffset.UtcNow);
        var hash = EventHash.Compute([], stream, 0, id, type, recorded, data, metadata);
        await using var insert = new NpgsqlCommand("""
            INSERT INTO events (event_id, stream, category, revision, type, data, metadata, recorded_us, hash)
            VALUES (@id, @stream, @category, 0, @type, @data, @metadata, @recorded, @hash)
            """, connection, transaction);
        insert.Parameters.AddWithValue("id", id);
        insert.Parameters.AddWithValue("stream", stream);
        insert.Parameters.AddWithValue("category", StreamName.CategoryOf(stream));
        insert.Parameters.AddWithValue("type", type);
        insert.Parameters.AddWithValue("data", data);
        insert.Parameters.AddWithValue("metadata", metadata);
        insert.Parameters.AddWithValue("recorded", recorded);
        insert.Parameters.AddWithValue("hash", hash);
        await insert.ExecuteNonQueryAsync(CancellationToken.None);
        if (withHead)
        {
            await using var head = new NpgsqlCommand("INSERT INTO streams (name, revision, hash) VALUES (@stream, 0, @hash)", connection, transaction);
            head.Parameters.AddWithValue("stream", stream);
            head.Parameters.AddWithValue("hash", hash);
            await head.ExecuteNonQueryAsync(CancellationToken.None);
        }
        return id;
    }

    [Fact]
    public async Task Postgres_positions_order_by_transaction_then_sequence()
    {
        var store = await OpenStoreAsync();
        var first = await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(3)).Bounded();
        var second = await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(2)).Bounded();

        var all = await store.ReadAllAsync(GlobalPosition.Start).CollectBoundedAsync();

        Assert.Equal(5, all.Count);
        // One append, one transaction: its events share the commit part and differ in the prepare part.
        Assert.Single(all.Take(3).Select(e => e.Position.Commit).Distinct());
        Assert.Single(all.Skip(3).Select(e => e.Position.Commit).Distinct());
        Assert.True(first.Position.Commit < second.Position.Commit);
        Assert.All(all, e => Assert.True(e.Position.Commit > 0 && e.Position.Prepare > 0));
    }

    [Fact]
    public async Task Rolled_back_inserts_leave_sequence_gaps_that_readers_pass_over()
    {
        var store = await OpenStoreAsync();
        var before = Ev.New();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, [before]).Bounded();
        Guid ghost;
        await using (var connection = await OpenRawAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            ghost = await InsertEventAsync(connection, transaction, $"ghost-{Guid.NewGuid():N}", withHead: false);
            for (var i = 0; i < 5; i++)
                await InsertEventAsync(connection, transaction, $"ghost-{Guid.NewGuid():N}", withHead: false);
            await transaction.RollbackAsync();
        }
        var after = Ev.New();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, [after]).Bounded();

        var all = await store.ReadAllAsync(GlobalPosition.Start).CollectBoundedAsync();

        Assert.Equal(new[] { before.EventId, after.EventId }, all.Select(e => e.EventId));
        Assert.True(all[1].Position.Prepare - all[0].Position.Prepare > 6, "The rolled-back inserts took no sequence numbers.");
        Assert.DoesNotContain(ghost, all.Select(e => e.EventId));
    }
}
