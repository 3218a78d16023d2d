using System.Data.Common;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.ValueChain;

public enum LineageDirection
{
    /// <summary>Towards what a batch was made from.</summary>
    Upstream,
    /// <summary>Towards what was made from a batch (what a recall reaches).</summary>
    Downstream,
}

/// <summary>An organisation holding a batch: its id, kind (<c>cooperative</c> or <c>buyer</c>) and name when known.</summary>
public sealed record ValueChainParty(string Id, string Kind, string? Name);

/// <summary>
/// A batch in a lineage, at its shortest distance from the start. <see cref="LotNumber"/> and the rest are null for a
/// batch the read model knows only from an edge.
/// </summary>
public sealed record LineageNode(string BatchId, int Depth, string? LotNumber, string? Category, ValueChainParty? Custodian,
    ValueChainParty? InTransitTo, bool Recalled);

/// <summary>Part of <see cref="FromBatch"/> went into <see cref="ToBatch"/>: <see cref="Amount"/> <see cref="Unit"/>.</summary>
public sealed record LineageEdge(string FromBatch, string ToBatch, decimal? Amount, string Unit);

/// <param name="Truncated">True when the lineage goes on beyond <see cref="DepthLimit"/>.</param>
public sealed record Lineage(string BatchId, string Direction, int DepthLimit, IReadOnlyList<LineageNode> Nodes, IReadOnlyList<LineageEdge> Edges,
    bool Truncated);

/// <summary>Who holds affected batches, and how many: whom a recall has to reach.</summary>
public sealed record ImpactedParty(string Id, string Kind, string? Name, int Batches);

/// <summary>Every batch made (directly or not) from <see cref="BatchId"/>, with who holds each now.</summary>
public sealed record RecallImpact(string BatchId, string? LotNumber, bool Recalled, int AffectedCount, IReadOnlyList<LineageNode> Affected,
    IReadOnlyList<ImpactedParty> Custodians, bool Truncated);

/// <summary>A quantity that went into or out of a batch; <see cref="BatchId"/> is the other batch.</summary>
public sealed record MassFlow(string BatchId, decimal? Amount, string Unit);

public sealed record MassShipment(string ShipmentId, string FromParty, string ToParty, string ToKind, decimal? Amount, string Unit, string ShippedAt,
    string? ReceivedAt);

/// <summary>
/// A batch's mass balance, every total in <see cref="Unit"/> (its registered unit). <see cref="InputTotal"/> is the sum of
/// the input batches used (<see cref="InputBasis"/> <c>inputs</c>) or, for a batch made from none, its weighed or registered
/// intake. The yield (declared, else the category's default, else 1) applies when the batch was transformed: dried, or
/// merged (a split part is its parent's material and keeps its weight). <see cref="Discrepancy"/> = actual − expected
/// maximum: positive means more came out than can have gone in. Outputs are the quantities consumed into other batches
/// and those the producer shipped; <see cref="Unconverted"/> counts flows whose unit does not convert (left out of totals).
/// </summary>
public sealed record MassBalance(
    string BatchId,
    string LotNumber,
    string? Category,
    string Unit,
    IReadOnlyList<MassFlow> Inputs,
    decimal InputTotal,
    string InputBasis,
    decimal Yield,
    string YieldSource,
    bool YieldApplied,
    decimal ExpectedMaxOutput,
    decimal ActualOutput,
    string ActualOutputSource,
    decimal Discrepancy,
    bool Balanced,
    IReadOnlyList<MassFlow> ConsumedInto,
    decimal ConsumedTotal,
    IReadOnlyList<MassShipment> Shipments,
    decimal ShippedTotal,
    decimal OutputTotal,
    bool Recalled,
    int Unconverted);

/// <summary>
/// Lineage, recall blast radius and mass balance over the value-chain read model. Portable SQL (SQLite and PostgreSQL):
/// the walk is a recursive CTE over (batch, depth) pairs with <c>UNION</c>, so it stops at the depth limit even on a
/// cyclic edge set, never revisits a (batch, depth) pair (no blow-up on diamonds), and each batch is reported once at
/// its smallest depth.
/// </summary>
public static class ValueChainQueries
{
    public const int DefaultDepth = 20;
    public const int MaxDepth = 100;

    private const string NodeColumns = """
        b.lot_number, b.category, b.custodian_party, b.custodian_kind, b.custodian_name, b.pending_party, b.pending_kind, b.pending_name, b.recalled
        """;

    private static readonly string LineageDown = Walk(LineageDirection.Downstream);
    private static readonly string LineageUp = Walk(LineageDirection.Upstream);
    private static readonly string ImpactDown = NodesOnly(LineageDirection.Downstream);

    private static (string Near, string Far) Ends(LineageDirection direction) =>
        direction == LineageDirection.Downstream ? ("from_batch", "to_batch") : ("to_batch", "from_batch");

    /// <summary>The (batch, depth) walk and each batch at its smallest depth.</summary>
    private static string WalkCte(LineageDirection direction)
    {
        var (near, far) = Ends(direction);
        return $"""
            WITH RECURSIVE walk(batch_id, depth) AS (
                SELECT CAST(@start AS TEXT), 0
                UNION
                SELECT e.{far}, w.depth + 1 FROM walk w JOIN value_chain_batch_edges e ON e.{near} = w.batch_id WHERE w.depth < @max
            ),
            nodes AS (SELECT batch_id, MIN(depth) AS depth FROM walk GROUP BY batch_id)
            """;
    }

    /// <summary>Nodes only (no edge rows): column 11 says whether the walk was cut below a node of the last layer.</summary>
    private static string NodesOnly(LineageDirection direction)
    {
        var (near, far) = Ends(direction);
        return $"""
            {WalkCte(direction)}
            SELECT n.batch_id, n.depth, {NodeColumns},
                CASE WHEN n.depth >= @max AND EXISTS (
                    SELECT 1 FROM value_chain_batch_edges e WHERE e.{near} = n.batch_id AND e.{far} NOT IN (SELECT batch_id FROM nodes)) THEN 1 ELSE 0 END
            FROM nodes n
            LEFT JOIN value_chain_batches b ON b.batch_id = n.batch_id
            ORDER BY n.depth, n.batch_id
            """;
    }

    private static string Walk(LineageDirection direction)
    {
        var (near, far) = Ends(direction);
        return $"""
            {WalkCte(direction)}
            SELECT n.batch_id, n.depth, {NodeColumns}, e.{far}, e.amount, e.unit
            FROM nodes n
            LEFT JOIN value_chain_batches b ON b.batch_id = n.batch_id
            LEFT JOIN value_chain_batch_edges e ON e.{near} = n.batch_id
            ORDER BY n.depth, n.batch_id, e.{far}
            """;
    }

    /// <summary>The lineage of <paramref name="batchId"/> in <paramref name="direction"/>, up to <paramref name="depth"/> steps (1 to <see cref="MaxDepth"/>).</summary>
    public static async Task<Lineage> LineageAsync(ReadModelDatabase database, string batchId, LineageDirection direction, int depth,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(depth, MaxDepth);
        var rows = await database.QueryAsync(direction == LineageDirection.Downstream ? LineageDown : LineageUp,
            r => (Node: ReadNode(r), Other: Text(r, 11), Amount: Text(r, 12), Unit: Text(r, 13)), cancellationToken, ("@start", batchId), ("@max", depth));

        var nodes = new List<LineageNode>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in rows)
            if (seen.Add(row.Node.BatchId)) nodes.Add(row.Node);
        nodes.Sort(ByDepthThenId);
        var edges = new List<LineageEdge>();
        var truncated = false;
        foreach (var row in rows)
        {
            if (row.Other is null) continue;
            // An edge out of the last layer to a batch not reached is where the depth limit cut the lineage.
            if (row.Node.Depth >= depth && !seen.Contains(row.Other))
            {
                truncated = true;
                continue;
            }

            edges.Add(direction == LineageDirection.Downstream
                ? new LineageEdge(row.Node.BatchId, row.Other, ValueChainQuantities.ParseAmount(row.Amount), row.Unit ?? "")
                : new LineageEdge(row.Other, row.Node.BatchId, ValueChainQuantities.ParseAmount(row.Amount), row.Unit ?? ""));
        }

        edges.Sort((a, b) => string.CompareOrdinal(a.FromBatch, b.FromBatch) is var c and not 0 ? c : string.CompareOrdinal(a.ToBatch, b.ToBatch));
        return new Lineage(batchId, direction == LineageDirection.Downstream ? "downstream" : "upstream", depth, nodes, edges, truncated);
    }

    /// <summary>Recall blast radius: every batch downstream of <paramref name="batchId"/> (to <see cref="MaxDepth"/>) with its current custodian.</summary>
    public static async Task<RecallImpact> RecallImpactAsync(ReadModelDatabase database, string batchId, CancellationToken cancellationToken)
    {
        // Nodes only: a blast radius needs who holds what, not the (as many) edges between them.
        var truncated = false;
        var nodes = await database.QueryAsync(ImpactDown, r =>
        {
            if (Convert.ToInt64(r.GetValue(11)) != 0) truncated = true;
            return ReadNode(r);
        }, cancellationToken, ("@start", batchId), ("@max", MaxDepth));
        nodes.Sort(ByDepthThenId);
        var root = nodes[0];
        var affected = nodes.Skip(1).ToList();
        var custodians = affected.Where(n => n.Custodian is not null)
            .GroupBy(n => n.Custodian!.Id, StringComparer.Ordinal)
            .Select(g => new ImpactedParty(g.Key, g.First().Custodian!.Kind, g.First().Custodian!.Name, g.Count()))
            .OrderByDescending(p => p.Batches).ThenBy(p => p.Id, StringComparer.Ordinal).ToList();
        return new RecallImpact(batchId, root.LotNumber, root.Recalled, affected.Count, affected, custodians, truncated);
    }

    /// <summary>The mass balance of one batch; null when the read model does not know it.</summary>
    public static async Task<MassBalance?> MassBalanceAsync(ReadModelDatabase database, string batchId, CancellationToken cancellationToken)
    {
        var batches = await database.QueryAsync("""
            SELECT cooperative_id, lot_number, category, declared_yield, registered_amount, unit, received_amount, received_unit, output_amount,
                   output_unit, recalled
            FROM value_chain_batches WHERE batch_id = @id
            """, r => new
            {
                Cooperative = r.GetString(0), Lot = r.GetString(1), Category = Text(r, 2), Declared = ValueChainQuantities.ParseAmount(Text(r, 3)),
                Registered = ValueChainQuantities.Parse(Text(r, 4), Text(r, 5)), Unit = r.GetString(5),
                Received = ValueChainQuantities.Parse(Text(r, 6), Text(r, 7)), Output = ValueChainQuantities.Parse(Text(r, 8), Text(r, 9)),
                Recalled = Convert.ToInt64(r.GetValue(10)) != 0,
            }, cancellationToken, ("@id", batchId));
        if (batches.Count == 0) return null;
        var b = batches[0];
        var unit = ValueChainQuantities.ParseUnit(b.Unit);
        var unconverted = 0;
        decimal? InUnit(Quantity? q)
        {
            var value = q is { } quantity && unit is { } u ? quantity.In(u) : null;
            if (value is null) unconverted++;
            return value;
        }

        var inputs = await database.QueryAsync("SELECT from_batch, amount, unit FROM value_chain_batch_edges WHERE to_batch = @id ORDER BY from_batch",
            r => new MassFlow(r.GetString(0), ValueChainQuantities.ParseAmount(Text(r, 1)), r.GetString(2)), cancellationToken, ("@id", batchId));
        var consumed = await database.QueryAsync("SELECT to_batch, amount, unit FROM value_chain_batch_edges WHERE from_batch = @id ORDER BY to_batch",
            r => new MassFlow(r.GetString(0), ValueChainQuantities.ParseAmount(Text(r, 1)), r.GetString(2)), cancellationToken, ("@id", batchId));
        var shipments = await database.QueryAsync("""
            SELECT shipment_id, from_party, to_party, to_kind, amount, unit, shipped_at, received_at
            FROM value_chain_custody WHERE batch_id = @id ORDER BY shipped_at, shipment_id
            """, r => new MassShipment(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), ValueChainQuantities.ParseAmount(Text(r, 4)),
                r.GetString(5), r.GetString(6), Text(r, 7)), cancellationToken, ("@id", batchId));

        static Quantity? Of(MassFlow f) => f.Amount is { } a && ValueChainQuantities.ParseUnit(f.Unit) is { } u ? new Quantity(a, u) : null;
        var registered = InUnit(b.Registered) ?? 0m;

        decimal inputTotal;
        string basis;
        if (inputs.Count > 0)
        {
            inputTotal = inputs.Sum(i => InUnit(Of(i)) ?? 0m);
            basis = "inputs";
        }
        else if (b.Received is not null)
        {
            inputTotal = InUnit(b.Received) ?? 0m;
            basis = "weighed";
        }
        else
        {
            inputTotal = registered;
            basis = "registered";
        }

        decimal actual;
        string actualSource;
        bool transformed;
        if (b.Output is not null)
        {
            (actual, actualSource, transformed) = (InUnit(b.Output) ?? 0m, "dried", true);
        }
        else if (inputs.Count > 0)
        {
            // One input giving exactly its quantity is a split part: the parent's material, its yield still to come.
            var splitPart = inputs.Count == 1 && inputTotal == registered;
            (actual, actualSource, transformed) = (registered, "registered", !splitPart);
        }
        else
        {
            (actual, actualSource, transformed) = basis == "weighed" ? (inputTotal, "weighed", false) : (registered, "registered", false);
        }

        var yieldValue = Yields.For(b.Category, b.Declared);
        var yieldSource = b.Declared is not null ? "declared" : b.Category is not null && Yields.ByCategory.ContainsKey(b.Category) ? "category" : "default";
        var expected = inputTotal * (transformed ? yieldValue : 1m);
        var consumedTotal = consumed.Sum(c => InUnit(Of(c)) ?? 0m);
        // What left the producer: shipments by the producing cooperative (later hops move the same goods again).
        var shippedTotal = shipments.Where(s => s.FromParty == b.Cooperative)
            .Sum(s => InUnit(s.Amount is { } a && ValueChainQuantities.ParseUnit(s.Unit) is { } u ? new Quantity(a, u) : null) ?? 0m);
        var discrepancy = actual - expected;
        return new MassBalance(batchId, b.Lot, b.Category, b.Unit, inputs, inputTotal, basis, yieldValue, yieldSource, transformed, expected, actual,
            actualSource, discrepancy, discrepancy <= 0, consumed, consumedTotal, shipments, shippedTotal, consumedTotal + shippedTotal, b.Recalled,
            unconverted);
    }

    /// <summary>Ordinal, so both backends list alike whatever the database's collation.</summary>
    private static int ByDepthThenId(LineageNode a, LineageNode b) =>
        a.Depth != b.Depth ? a.Depth.CompareTo(b.Depth) : string.CompareOrdinal(a.BatchId, b.BatchId);

    private static LineageNode ReadNode(DbDataReader r)
    {
        var custodian = Text(r, 4) is { } party ? new ValueChainParty(party, Text(r, 5) ?? "", Text(r, 6)) : null;
        var pending = Text(r, 7) is { } to ? new ValueChainParty(to, Text(r, 8) ?? "", Text(r, 9)) : null;
        return new LineageNode(r.GetString(0), Convert.ToInt32(r.GetValue(1)), Text(r, 2), Text(r, 3), custodian, pending,
            !r.IsDBNull(10) && Convert.ToInt64(r.GetValue(10)) != 0);
    }

    private static string? Text(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);
}
