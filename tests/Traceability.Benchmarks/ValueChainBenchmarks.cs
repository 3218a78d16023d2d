using System.Data.Common;
using System.Diagnostics;
using Traceability.Projections.Hosting;
using Traceability.Projections.ValueChain;

namespace Traceability.Benchmarks;

/// <summary>
/// The value-chain queries on SQLite, over a read model written directly (no events, no Api): lineage downstream from
/// the heads of 5,000 chains of 20 batches (100,000 batches, <c>lineage.downstream.p95</c>, goal &lt; 20 ms), and the recall
/// blast radius of one raw batch that fed 100 intermediate batches and 10,000 packs (<c>recall.blast_radius</c>, median of
/// five runs, goal &lt; 200 ms). The same sizes in quick and full runs: the generation takes a few seconds.
/// </summary>
internal static class ValueChainBenchmarks
{
    private const int Chains = 5_000;
    private const int ChainLength = 20;
    private const int Intermediates = 100;
    private const int PacksPerIntermediate = 100;
    private const int LineageStarts = 200;
    private const int BlastRuns = 5;

    public static Task RunAsync(Settings settings, Report report) =>
        report.GroupAsync("value_chain", () => RunGroupAsync(settings, report));

    private static async Task RunGroupAsync(Settings settings, Report report)
    {
        var path = settings.NewDbPath("value_chain");
        await using var database = await ReadModelDatabase.OpenAsync($"Data Source={path}");
        await using (var connection = await database.OpenAsync(CancellationToken.None))
            await database.ExecuteAsync(connection, null, new ValueChainProjection().CreateSchema, CancellationToken.None);

        var fill = Stopwatch.StartNew();
        var heads = await WriteChainsAsync(database);
        var raw = await WriteFanOutAsync(database);
        Log.Info($"value_chain: wrote {Chains * ChainLength + 1 + Intermediates + Intermediates * PacksPerIntermediate:N0} batches and their edges " +
                 $"in {fill.Elapsed.TotalSeconds:F1} s");

        // Lineage: downstream from random chain heads (the full depth of 19 steps below each), depth limit 20.
        var random = new Random(20250701);
        var starts = Enumerable.Range(0, LineageStarts).Select(_ => heads[random.Next(heads.Count)]).ToList();
        foreach (var start in starts.Take(20))
            await ValueChainQueries.LineageAsync(database, start, LineageDirection.Downstream, ValueChainQueries.DefaultDepth, CancellationToken.None);
        var times = new List<double>(LineageStarts);
        foreach (var start in starts)
        {
            var clock = Stopwatch.StartNew();
            var lineage = await ValueChainQueries.LineageAsync(database, start, LineageDirection.Downstream, ValueChainQueries.DefaultDepth,
                CancellationToken.None);
            times.Add(clock.Elapsed.TotalMilliseconds);
            if (lineage.Nodes.Count != ChainLength || lineage.Edges.Count != ChainLength - 1)
                throw new InvalidOperationException($"lineage from {start}: {lineage.Nodes.Count} nodes, {lineage.Edges.Count} edges");
        }

        times.Sort();
        Log.Info($"lineage.downstream: {LineageStarts} walks of {ChainLength} batches; median {times[times.Count / 2]:F2} ms, max {times[^1]:F2} ms");
        report.Figure("lineage.downstream.p95", Percentile(times, 0.95), "ms", "F2");

        // Blast radius: every downstream batch with its custodian.
        await ValueChainQueries.RecallImpactAsync(database, raw, CancellationToken.None);
        var runs = new List<double>(BlastRuns);
        for (var i = 0; i < BlastRuns; i++)
        {
            var clock = Stopwatch.StartNew();
            var impact = await ValueChainQueries.RecallImpactAsync(database, raw, CancellationToken.None);
            runs.Add(clock.Elapsed.TotalMilliseconds);
            if (impact.AffectedCount != Intermediates + Intermediates * PacksPerIntermediate)
                throw new InvalidOperationException($"blast radius: {impact.AffectedCount} batches");
        }

        runs.Sort();
        Log.Info($"recall.blast_radius: {Intermediates + Intermediates * PacksPerIntermediate:N0} batches; runs {string.Join(", ", runs.Select(r => r.ToString("F1")))} ms");
        report.Figure("recall.blast_radius", runs[runs.Count / 2], "ms", "F1");
    }

    /// <summary>Chains b0 → b1 → … → b19, each batch with its row; returns the heads.</summary>
    private static async Task<List<string>> WriteChainsAsync(ReadModelDatabase database)
    {
        var heads = new List<string>(Chains);
        await using var writer = await Writer.OpenAsync(database);
        for (var c = 0; c < Chains; c++)
        {
            string? previous = null;
            for (var i = 0; i < ChainLength; i++)
            {
                var id = Guid.NewGuid().ToString();
                await writer.BatchAsync(id, $"CH-{c:D5}-{i:D2}", i == 0 ? "fish.fresh" : "fish.one_sun", "coop-" + (c % 40), "cooperative");
                if (previous is null) heads.Add(id);
                else await writer.EdgeAsync(previous, id, "10");
                previous = id;
            }
        }

        await writer.CommitAsync();
        return heads;
    }

    /// <summary>One raw batch → 100 intermediate batches → 100 packs each, the packs spread over 50 buyers.</summary>
    private static async Task<string> WriteFanOutAsync(ReadModelDatabase database)
    {
        await using var writer = await Writer.OpenAsync(database);
        var raw = Guid.NewGuid().ToString();
        await writer.BatchAsync(raw, "RAW-0001", "fish.fresh", "coop-0", "cooperative");
        for (var i = 0; i < Intermediates; i++)
        {
            var intermediate = Guid.NewGuid().ToString();
            await writer.BatchAsync(intermediate, $"MID-{i:D3}", "fish.one_sun", "coop-0", "cooperative");
            await writer.EdgeAsync(raw, intermediate, "10");
            for (var j = 0; j < PacksPerIntermediate; j++)
            {
                var pack = Guid.NewGuid().ToString();
                await writer.BatchAsync(pack, $"PK-{i:D3}-{j:D3}", "fish.one_sun", "buyer-" + ((i * PacksPerIntermediate + j) % 50), "buyer");
                await writer.EdgeAsync(intermediate, pack, "0.1");
            }
        }

        await writer.CommitAsync();
        return raw;
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>Prepared inserts in one large transaction.</summary>
    private sealed class Writer : IAsyncDisposable
    {
        private readonly DbConnection _connection;
        private readonly DbTransaction _transaction;
        private readonly DbCommand _batch;
        private readonly DbCommand _edge;

        private Writer(DbConnection connection, DbTransaction transaction)
        {
            _connection = connection;
            _transaction = transaction;
            _batch = ReadModelDatabase.Command(connection, transaction, """
                INSERT INTO value_chain_batches (batch_id, cooperative_id, lot_number, category, declared_yield, registered_amount, unit,
                    consumed_amount, custodian_party, custodian_kind, custodian_name, recalled)
                VALUES (@id, 'coop-0', @lot, @category, NULL, '10', 'kg', '0', @custodian, @kind, NULL, 0)
                """, ("@id", ""), ("@lot", ""), ("@category", ""), ("@custodian", ""), ("@kind", ""));
            _edge = ReadModelDatabase.Command(connection, transaction,
                "INSERT INTO value_chain_batch_edges (from_batch, to_batch, amount, unit) VALUES (@from, @to, @amount, 'kg')",
                ("@from", ""), ("@to", ""), ("@amount", ""));
        }

        public static async Task<Writer> OpenAsync(ReadModelDatabase database)
        {
            var connection = await database.OpenAsync(CancellationToken.None);
            return new Writer(connection, await connection.BeginTransactionAsync());
        }

        public Task BatchAsync(string id, string lot, string category, string custodian, string kind) =>
            RunAsync(_batch, id, lot, category, custodian, kind);

        public Task EdgeAsync(string from, string to, string amount) => RunAsync(_edge, from, to, amount);

        private static Task RunAsync(DbCommand command, params string[] values)
        {
            for (var i = 0; i < values.Length; i++) command.Parameters[i].Value = values[i];
            return command.ExecuteNonQueryAsync();
        }

        public Task CommitAsync() => _transaction.CommitAsync();

        public async ValueTask DisposeAsync()
        {
            await _batch.DisposeAsync();
            await _edge.DisposeAsync();
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
