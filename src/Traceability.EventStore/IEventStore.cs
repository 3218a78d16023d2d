namespace Traceability.EventStore;

/// <summary>
/// The event store port, with EventStoreDB's semantics: streams named <c>{category}-{id}</c>, revisions from 0,
/// optimistic appends against an expected revision, idempotent re-appends, a gap-free global order
/// (<c>$all</c>) and a per-stream SHA-256 hash chain. Append-only: there is no delete.
/// Every method validates its arguments and throws <see cref="EventStoreArgumentException"/> before writing.
/// </summary>
public interface IEventStore : IAsyncDisposable
{
    /// <summary>
    /// Appends atomically. Throws <see cref="WrongExpectedRevisionException"/> when the stream is not where
    /// <paramref name="expected"/> says. Appending event ids that are already stored at that place again returns
    /// the original result and writes nothing; a partial overlap is a <see cref="WrongExpectedRevisionException"/>.
    /// The returned task completes only once the events are durable.
    /// </summary>
    Task<AppendResult> AppendAsync(string stream, ExpectedRevision expected, IReadOnlyList<EventData> events,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends to several distinct streams atomically: every part is checked as <see cref="AppendAsync"/> checks one,
    /// and either all parts are written or none (the first failure is thrown). Results are in the parts' order.
    /// </summary>
    Task<IReadOnlyList<AppendResult>> AppendMultipleAsync(IReadOnlyList<StreamAppend> appends,
        CancellationToken cancellationToken = default);

    /// <summary>Reads up to <paramref name="maxCount"/> events of a stream from a revision (inclusive); empty when the stream does not exist.</summary>
    IAsyncEnumerable<RecordedEvent> ReadStreamAsync(string stream, ReadDirection direction, long fromRevision, long maxCount,
        CancellationToken cancellationToken = default);

    /// <summary>Reads <c>$all</c> forward after a position (exclusive), page by page: it never holds more than a page in memory.</summary>
    IAsyncEnumerable<RecordedEvent> ReadAllAsync(GlobalPosition after, long maxCount = long.MaxValue,
        CancellationToken cancellationToken = default);

    /// <summary>Catches up from a checkpoint (exclusive), then follows new events as they commit, until cancelled.</summary>
    IAsyncEnumerable<RecordedEvent> SubscribeToAllAsync(GlobalPosition after, EventFilter? filter = null,
        CancellationToken cancellationToken = default);

    /// <summary>The position of the last event a reader of <c>$all</c> can see now (<see cref="GlobalPosition.Start"/> when empty).</summary>
    Task<GlobalPosition> ReadHeadPositionAsync(CancellationToken cancellationToken = default);

    /// <summary>Recomputes a stream's hash chain and reports the first event that does not match.</summary>
    Task<StreamVerification> VerifyStreamAsync(string stream, CancellationToken cancellationToken = default);

    /// <summary>Recomputes every stream's hash chain; reports the first mismatching event of each damaged stream.</summary>
    Task<StoreVerification> VerifyAllAsync(CancellationToken cancellationToken = default);
}
