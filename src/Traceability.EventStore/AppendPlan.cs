namespace Traceability.EventStore;

/// <summary>
/// Decides a group of queued appends against the stream heads read under lock, in queue order, exactly as if
/// they had run one after another: each append gets its own expected-revision and idempotency check, so one
/// append's conflict never fails its neighbours, and nothing needs a savepoint.
/// </summary>
internal sealed class AppendPlan
{
    private readonly Dictionary<string, StreamHead> _heads;
    private readonly Dictionary<Guid, StoredEventRef> _stored;
    private readonly Dictionary<Guid, (string Stream, long Revision, int Row)> _plannedIds = new();
    private readonly long _recordedMicroseconds;

    public AppendPlan(Dictionary<string, StreamHead> heads, Dictionary<Guid, StoredEventRef> stored, long recordedMicroseconds)
    {
        _heads = heads;
        _stored = stored;
        _recordedMicroseconds = recordedMicroseconds;
    }

    public List<NewEventRow> Rows { get; } = [];

    public Dictionary<string, StreamHead> ChangedHeads { get; } = new(StringComparer.Ordinal);

    /// <summary>What one append comes to: an error, or its last revision with the row (in this plan) or stored position of its last event.</summary>
    public readonly record struct Outcome(Exception? Error, long Revision, int Row, GlobalPosition StoredPosition)
    {
        public AppendResult Result(GlobalPosition[] rowPositions) =>
            new(Revision, Row >= 0 ? rowPositions[Row] : StoredPosition);
    }

    /// <summary>
    /// Decides the parts of one atomic append in turn; if any part fails, every part's rows and heads are undone
    /// and each part reports the first failure.
    /// </summary>
    public Outcome[] DecideAll(IReadOnlyList<StreamAppend> parts)
    {
        var rowCount = Rows.Count;
        var heads = parts.Select(p => (p.Stream, Had: _heads.TryGetValue(p.Stream, out var h), Head: h,
            HadChanged: ChangedHeads.TryGetValue(p.Stream, out var c), Changed: c)).ToList();
        var outcomes = new Outcome[parts.Count];
        for (var i = 0; i < parts.Count; i++)
        {
            outcomes[i] = Decide(parts[i].Stream, parts[i].Expected, (EventData[])parts[i].Events);
            if (outcomes[i].Error is not { } error) continue;

            foreach (var row in Rows.Skip(rowCount)) _plannedIds.Remove(row.Event.EventId);
            Rows.RemoveRange(rowCount, Rows.Count - rowCount);
            foreach (var (stream, had, head, hadChanged, changed) in heads)
            {
                if (had) _heads[stream] = head; else _heads.Remove(stream);
                if (hadChanged) ChangedHeads[stream] = changed; else ChangedHeads.Remove(stream);
            }

            Array.Fill(outcomes, Failed(error));
            break;
        }

        return outcomes;
    }

    private Outcome Decide(string stream, ExpectedRevision expected, EventData[] events)
    {
        var head = _heads.GetValueOrDefault(stream, StreamHead.None);
        if (events.Any(e => IsKnown(e.EventId)))
            return DecideRetry(stream, expected, events, head);
        if (!expected.IsSatisfiedBy(head.Revision))
            return Failed(new WrongExpectedRevisionException(stream, expected, head.Revision));

        var revision = head.Revision;
        var previousHash = head.Hash;
        foreach (var e in events)
        {
            revision++;
            var hash = EventHash.Compute(previousHash, stream, revision, e.EventId, e.Type, _recordedMicroseconds, e.Data.Span, e.Metadata.Span);
            Rows.Add(new NewEventRow(stream, revision, e, _recordedMicroseconds, hash));
            _plannedIds[e.EventId] = (stream, revision, Rows.Count - 1);
            previousHash = hash;
        }

        var newHead = new StreamHead(revision, previousHash);
        _heads[stream] = newHead;
        ChangedHeads[stream] = newHead;
        return new Outcome(null, revision, Rows.Count - 1, default);
    }

    private bool IsKnown(Guid id) => _stored.ContainsKey(id) || _plannedIds.ContainsKey(id);

    /// <summary>
    /// Some ids are stored already. The append is a harmless retry when all of them are, in this stream, in
    /// order, at consecutive revisions that the expected revision allows; anything else is a conflict.
    /// </summary>
    private Outcome DecideRetry(string stream, ExpectedRevision expected, EventData[] events, StreamHead head)
    {
        foreach (var e in events)
        {
            var elsewhere = _plannedIds.TryGetValue(e.EventId, out var planned) ? planned.Stream
                : _stored.TryGetValue(e.EventId, out var stored) ? stored.Stream
                : null;
            if (elsewhere is not null && !string.Equals(elsewhere, stream, StringComparison.Ordinal))
                return Failed(new EventIdInOtherStreamException(e.EventId, stream, elsewhere));
        }

        long firstRevision = -1;
        var lastRow = -1;
        GlobalPosition lastPosition = default;
        for (var i = 0; i < events.Length; i++)
        {
            string? foundStream;
            long foundRevision;
            if (_plannedIds.TryGetValue(events[i].EventId, out var planned))
            {
                (foundStream, foundRevision, lastRow) = planned;
            }
            else if (_stored.TryGetValue(events[i].EventId, out var stored))
            {
                (foundStream, foundRevision, lastPosition) = (stored.Stream, stored.Revision, stored.Position);
                lastRow = -1;
            }
            else
            {
                return Failed(new WrongExpectedRevisionException(stream, expected, head.Revision));
            }

            if (i == 0) firstRevision = foundRevision;
            if (foundRevision != firstRevision + i)
                return Failed(new WrongExpectedRevisionException(stream, expected, head.Revision));
        }

        var placeAllowed = expected.IsExact ? firstRevision == expected.Revision + 1
            : expected.IsNoStream ? firstRevision == 0
            : true;
        return placeAllowed
            ? new Outcome(null, firstRevision + events.Length - 1, lastRow, lastPosition)
            : Failed(new WrongExpectedRevisionException(stream, expected, head.Revision));
    }

    private static Outcome Failed(Exception error) => new(error, 0, -1, default);
}
