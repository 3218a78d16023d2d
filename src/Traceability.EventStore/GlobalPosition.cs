namespace Traceability.EventStore;

/// <summary>
/// A place in <c>$all</c>, ordered like EventStoreDB's <c>Position</c>: by commit position, then by
/// prepare position. SQLite writes one transaction at a time, so both are the row's position. PostgreSQL
/// has concurrent writers: the commit part is the writing transaction's id and the prepare part the row's
/// sequence number, which is what makes reading gap-free (see <c>PostgresEventStore</c>).
/// </summary>
public readonly record struct GlobalPosition(long Commit, long Prepare) : IComparable<GlobalPosition>
{
    /// <summary>Before the first event: reading <c>$all</c> after it reads everything.</summary>
    public static readonly GlobalPosition Start = new(0, 0);

    public int CompareTo(GlobalPosition other)
    {
        var byCommit = Commit.CompareTo(other.Commit);
        return byCommit != 0 ? byCommit : Prepare.CompareTo(other.Prepare);
    }

    public static bool operator <(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) < 0;
    public static bool operator >(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) > 0;
    public static bool operator <=(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) <= 0;
    public static bool operator >=(GlobalPosition left, GlobalPosition right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Commit}/{Prepare}";
}
