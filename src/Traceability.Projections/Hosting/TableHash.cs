using System.Security.Cryptography;
using System.Text;

namespace Traceability.Projections.Hosting;

/// <summary>A SHA-256 over a table's rows in primary-key order: two read models are equal when their hashes are.</summary>
public static class TableHash
{
    public static async Task<string> ComputeAsync(ReadModelDatabase database, string table, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = ReadModelDatabase.Command(connection, null, $"SELECT * FROM {table}");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new StringBuilder();
            for (var i = 0; i < reader.FieldCount; i++)
                row.Append(reader.IsDBNull(i) ? "\u2400" : Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture)).Append('\u241F');
            rows.Add(row.ToString());
        }

        // Ordered in memory by the whole row (ordinal), so both backends and any physical order hash alike.
        rows.Sort(StringComparer.Ordinal);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var row in rows) sha.AppendData(Encoding.UTF8.GetBytes(row + "\n"));
        return $"{rows.Count}:{Convert.ToHexStringLower(sha.GetHashAndReset())}";
    }
}
