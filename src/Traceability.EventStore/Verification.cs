namespace Traceability.EventStore;

/// <summary>The first event of a stream whose stored record does not match what its hash chain proves.</summary>
public sealed record HashMismatch(string Stream, long Revision, GlobalPosition? Position, string Reason);

/// <summary>The outcome of recomputing one stream's hash chain.</summary>
/// <param name="HeadHash">The recomputed hash of the last event (empty for a stream with no events).</param>
public sealed record StreamVerification(string Stream, long EventCount, ReadOnlyMemory<byte> HeadHash, HashMismatch? FirstMismatch)
{
    public bool IsIntact => FirstMismatch is null;
}

/// <summary>The outcome of recomputing every stream's hash chain: the first mismatch of each damaged stream.</summary>
public sealed record StoreVerification(long StreamCount, long EventCount, IReadOnlyList<HashMismatch> Mismatches)
{
    public bool IsIntact => Mismatches.Count == 0;
}
