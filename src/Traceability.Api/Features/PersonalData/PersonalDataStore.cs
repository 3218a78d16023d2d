using Microsoft.Data.Sqlite;
using Npgsql;
using Traceability.EventStore;

namespace Traceability.Api.Features.PersonalData;

/// <summary>A contact person of a cooperative: personal data (Decree 13/2023), so never in an event.</summary>
public sealed record Contact(Guid ContactId, Guid CooperativeId, string Name, string? Phone, string? Role);

/// <summary>
/// The erasable table for personal data. Events refer to a contact by id only; erasing the row removes the
/// person from the system while the hash-chained record stays intact.
/// </summary>
public abstract class PersonalDataStore
{
    public static async Task<PersonalDataStore> OpenAsync(string eventStoreConnectionString, CancellationToken cancellationToken)
    {
        PersonalDataStore store = EventStoreFactory.IsPostgres(eventStoreConnectionString)
            ? new PostgresPersonalData(eventStoreConnectionString)
            : new SqlitePersonalData(SqliteFileBeside(eventStoreConnectionString));
        await store.ExecuteAsync("""
            CREATE TABLE IF NOT EXISTS personal_data (
                contact_id TEXT PRIMARY KEY, cooperative_id TEXT NOT NULL, name TEXT NOT NULL, phone TEXT, role TEXT)
            """, [], cancellationToken);
        return store;
    }

    /// <summary>Stores the contact; false when a contact with that id already exists (nothing is changed then).</summary>
    public async Task<bool> SaveAsync(Contact contact, CancellationToken cancellationToken) => await ExecuteAsync(
        "INSERT INTO personal_data (contact_id, cooperative_id, name, phone, role) VALUES (@id, @cooperative, @name, @phone, @role) " +
        "ON CONFLICT (contact_id) DO NOTHING",
        [("id", contact.ContactId.ToString()), ("cooperative", contact.CooperativeId.ToString()), ("name", contact.Name),
            ("phone", contact.Phone), ("role", contact.Role)], cancellationToken) == 1;

    public async Task<Contact?> FindAsync(Guid cooperativeId, Guid contactId, CancellationToken cancellationToken)
    {
        var rows = await QueryAsync("SELECT name, phone, role FROM personal_data WHERE contact_id = @id AND cooperative_id = @cooperative",
            [("id", contactId.ToString()), ("cooperative", cooperativeId.ToString())], cancellationToken);
        return rows.Count == 0 ? null : new Contact(contactId, cooperativeId, rows[0][0]!, rows[0][1], rows[0][2]);
    }

    /// <summary>Erases the person; true when there was someone to erase.</summary>
    public async Task<bool> EraseAsync(Guid cooperativeId, Guid contactId, CancellationToken cancellationToken)
    {
        var erased = await ExecuteAsync("DELETE FROM personal_data WHERE contact_id = @id AND cooperative_id = @cooperative",
            [("id", contactId.ToString()), ("cooperative", cooperativeId.ToString())], cancellationToken) > 0;
        if (erased) await ScrubAsync(cancellationToken);
        return erased;
    }

    /// <summary>Makes the deleted bytes unreadable in the database files, not only unreachable.</summary>
    protected abstract Task ScrubAsync(CancellationToken cancellationToken);

    protected abstract Task<int> ExecuteAsync(string sql, (string Name, string? Value)[] parameters, CancellationToken cancellationToken);

    protected abstract Task<List<string?[]>> QueryAsync(string sql, (string Name, string? Value)[] parameters, CancellationToken cancellationToken);

    /// <summary>In embedded mode personal data gets its own file beside the events: it can be wiped without touching them.</summary>
    private static string SqliteFileBeside(string eventStoreConnectionString)
    {
        var events = new SqliteConnectionStringBuilder(eventStoreConnectionString.Contains('=') ? eventStoreConnectionString : $"Data Source={eventStoreConnectionString}");
        return new SqliteConnectionStringBuilder { DataSource = Path.ChangeExtension(events.DataSource, ".personal.db"), Pooling = true }.ToString();
    }

    private sealed class SqlitePersonalData(string connectionString) : PersonalDataStore
    {
        protected override async Task<int> ExecuteAsync(string sql, (string Name, string? Value)[] parameters, CancellationToken cancellationToken)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            // secure_delete overwrites deleted content with zeros instead of leaving it in free pages.
            await using var command = Command(connection, "PRAGMA secure_delete = ON; " + sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        protected override Task ScrubAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        protected override async Task<List<string?[]>> QueryAsync(string sql, (string Name, string? Value)[] parameters, CancellationToken cancellationToken)
        {
            await using var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = Command(connection, sql, parameters);
            return await ReadAllAsync(await command.ExecuteReaderAsync(cancellationToken), cancellationToken);
        }

        private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, string? Value)[] parameters)
        {
            var command = connection.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue("@" + name, (object?)value ?? DBNull.Value);
            return command;
        }
    }

    private sealed class PostgresPersonalData(string connectionString) : PersonalDataStore
    {
        private readonly NpgsqlDataSource _dataSource = NpgsqlDataSource.Create(connectionString);

        protected override async Task<int> ExecuteAsync(string sql, (string Name, string? Value)[] parameters, CancellationToken cancellationToken)
        {
            await using var command = Command(sql, parameters);
            return await command.ExecuteNonQueryAsync(cancellationToken);
        }

        protected override async Task<List<string?[]>> QueryAsync(string sql, (string Name, string? Value)[] parameters, CancellationToken cancellationToken)
        {
            await using var command = Command(sql, parameters);
            return await ReadAllAsync(await command.ExecuteReaderAsync(cancellationToken), cancellationToken);
        }

        /// <summary>A deleted row stays in the table file until it is rewritten; the table is small, so rewrite it.</summary>
        protected override async Task ScrubAsync(CancellationToken cancellationToken)
        {
            await using var command = _dataSource.CreateCommand("VACUUM FULL personal_data");
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        private NpgsqlCommand Command(string sql, (string Name, string? Value)[] parameters)
        {
            var command = _dataSource.CreateCommand(sql);
            foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, (object?)value ?? DBNull.Value);
            return command;
        }
    }

    private static async Task<List<string?[]>> ReadAllAsync(System.Data.Common.DbDataReader reader, CancellationToken cancellationToken)
    {
        await using (reader)
        {
            var rows = new List<string?[]>();
            while (await reader.ReadAsync(cancellationToken))
            {
                var row = new string?[reader.FieldCount];
                for (var i = 0; i < row.Length; i++) row[i] = reader.IsDBNull(i) ? null : reader.GetString(i);
                rows.Add(row);
            }

            return rows;
        }
    }
}
