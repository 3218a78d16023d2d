using Npgsql;

namespace Traceability.Projections.Hosting;

/// <summary>
/// Exactly one projector is active per database. On PostgreSQL the lease is a session-level advisory lock held on
/// a dedicated connection: if the active process dies, PostgreSQL ends its session and releases the lock, and a
/// standby polling every <see cref="PollInterval"/> takes over. SQLite is the embedded, single-process mode: the
/// lease is always granted.
/// </summary>
public sealed class ProjectorLease : IAsyncDisposable
{
    /// <summary>A standby notices a dead projector within this (the issue asks for 10 s).</summary>
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    private const long LockKey = 0x7472616365_02;

    private NpgsqlConnection? _connection;

    private ProjectorLease(NpgsqlConnection? connection) => _connection = connection;

    /// <summary>Waits until this process holds the lease.</summary>
    public static async Task<ProjectorLease> AcquireAsync(ReadModelDatabase database, Action onStandby, CancellationToken cancellationToken)
    {
        if (database.Dialect == SqlDialect.Sqlite) return new ProjectorLease(null);
        var standing = false;
        while (true)
        {
            var connection = (NpgsqlConnection)await database.OpenAsync(cancellationToken);
            await using (var command = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LockKey})", connection))
            {
                if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!) return new ProjectorLease(connection);
            }

            await connection.DisposeAsync();
            if (!standing) onStandby();
            standing = true;
            await Task.Delay(PollInterval, cancellationToken);
        }
    }

    /// <summary>Closing the session releases the lock; a standby takes over.</summary>
    public async ValueTask DisposeAsync()
    {
        // Only the first disposal touches the connection: an NpgsqlConnection takes one command at a time.
        if (Interlocked.Exchange(ref _connection, null) is not { } connection) return;
        // The connection goes back to the pool: release explicitly rather than rely on the pool's reset.
        try
        {
            await using var unlock = new NpgsqlCommand($"SELECT pg_advisory_unlock({LockKey})", connection);
            await unlock.ExecuteScalarAsync();
        }
        catch (Exception)
        {
            // Best effort, at shutdown: the lock dies with the session anyway when the connection closes.
        }

        try { await connection.DisposeAsync(); }
        catch (Exception) { }
    }
}
