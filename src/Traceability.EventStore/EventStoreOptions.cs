namespace Traceability.EventStore;

/// <summary>How a store behaves; the defaults suit the embedded mode.</summary>
public sealed record EventStoreOptions
{
    /// <summary>The clock that stamps each event's recorded time.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>How many queued appends one group commit takes at most.</summary>
    public int MaxAppendsPerCommit { get; init; } = 512;

    /// <summary>
    /// How often a live subscription looks for events written by another process when no commit signal came.
    /// Commits made through this store instance (and, on PostgreSQL, through any instance: LISTEN/NOTIFY) wake
    /// subscribers at once.
    /// </summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(500);
}
