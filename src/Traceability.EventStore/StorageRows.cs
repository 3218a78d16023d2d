namespace Traceability.EventStore;

/// <summary>A stream's last revision and hash as the store's head table holds it (revision -1: no stream).</summary>
internal readonly record struct StreamHead(long Revision, byte[] Hash)
{
    public static readonly StreamHead None = new(StreamRevision.None, []);
}

/// <summary>Where an already stored event id lives: what an idempotent retry must match.</summary>
internal sealed record StoredEventRef(string Stream, long Revision, GlobalPosition Position);

/// <summary>A row the writer is about to insert, hash already chained.</summary>
internal sealed record NewEventRow(string Stream, long Revision, EventData Event, long RecordedMicroseconds, byte[] Hash)
{
    public string Category => StreamName.CategoryOf(Stream);
}

/// <summary>One group commit's transaction on a backend.</summary>
internal interface IAppendTransaction : IAsyncDisposable
{
    /// <summary>Locks the streams against other writers for the rest of the transaction and reads their heads and any stored ids.</summary>
    Task<(Dictionary<string, StreamHead> Heads, Dictionary<Guid, StoredEventRef> Stored)> LockAndReadAsync(
        IReadOnlyList<string> streams, IReadOnlyCollection<Guid> eventIds, CancellationToken cancellationToken);

    /// <summary>Inserts the rows and the new heads; returns each row's global position, in row order.</summary>
    Task<GlobalPosition[]> InsertAsync(IReadOnlyList<NewEventRow> rows, IReadOnlyDictionary<string, StreamHead> heads,
        CancellationToken cancellationToken);

    Task CommitAsync(CancellationToken cancellationToken);
}
