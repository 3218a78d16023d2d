using Microsoft.Data.Sqlite;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.EventStore;

/// <summary>The conformance suite on the embedded backend: a fresh SQLite file per test, in its own temp directory.</summary>
public sealed class SqliteConformanceTests : EventStoreConformanceTests
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceability-sqlite-").FullName;

    private string DatabasePath => Path.Combine(_directory, "events.db");

    protected override async Task<IEventStore> OpenStoreAsync(EventStoreOptions? options = null) =>
        Track(await EventStoreFactory.OpenAsync($"Data Source={DatabasePath}", options).Bounded());

    /// <summary>A connection of our own, outside the store's pool, so nothing it does lingers.</summary>
    private SqliteConnection RawConnection() =>
        new(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false, DefaultTimeout = 30 }.ToString());

    protected override async Task<int> ExecuteSqlAsync(string sql, bool bypassTriggers, params (string Name, object Value)[] parameters)
    {
        await using var connection = RawConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        // An attacker with the file simply drops the append-only triggers; reopening the store recreates them.
        command.CommandText = (bypassTriggers ? "DROP TRIGGER IF EXISTS events_no_update; DROP TRIGGER IF EXISTS events_no_delete; " : "") + sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue("@" + name, value);
        return await command.ExecuteNonQueryAsync();
    }

    protected override async Task<byte[]?> QueryBytesAsync(string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = RawConnection();
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.AddWithValue("@" + name, value);
        return await command.ExecuteScalarAsync() as byte[];
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A handle may linger briefly; the temp directory is cleaned up by the system in the end.
        }
    }

    [Fact]
    public async Task Sqlite_positions_are_row_positions_with_commit_equal_to_prepare()
    {
        var store = await OpenStoreAsync();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(3)).Bounded();
        await store.AppendAsync(Ev.Stream(), ExpectedRevision.NoStream, Ev.Many(2)).Bounded();

        var all = await store.ReadAllAsync(GlobalPosition.Start).CollectBoundedAsync();

        Assert.All(all, e => Assert.Equal(e.Position.Commit, e.Position.Prepare));
        Assert.Equal(new long[] { 1, 2, 3, 4, 5 }, all.Select(e => e.Position.Commit));
    }

    [Fact]
    public async Task A_sqlite_file_written_by_one_store_is_read_by_the_next()
    {
        var first = await OpenStoreAsync();
        var stream = Ev.Stream();
        var events = Ev.Many(4);
        await first.AppendAsync(stream, ExpectedRevision.NoStream, events).Bounded();
        await CloseAsync(first);

        Assert.True(File.Exists(DatabasePath));
        var second = await OpenStoreAsync();
        var stored = await second.ReadStreamAsync(stream, ReadDirection.Forward, 0, 100).CollectBoundedAsync();
        Assert.Equal(events.Select(e => e.EventId), stored.Select(e => e.EventId));
        Assert.True((await second.VerifyAllAsync().Bounded()).IsIntact);
    }
}
