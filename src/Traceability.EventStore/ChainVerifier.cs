namespace Traceability.EventStore;

/// <summary>Recomputes one stream's hash chain from its events in revision order and keeps the first mismatch.</summary>
internal sealed class ChainVerifier(string stream)
{
    private byte[] _hash = [];
    private long _nextRevision;
    private HashMismatch? _first;

    public string Stream { get; } = stream;

    public void Add(RecordedEvent e)
    {
        var recomputed = EventHash.Compute(_hash, e);
        if (_first is null)
        {
            if (e.Revision != _nextRevision)
                _first = new HashMismatch(Stream, _nextRevision, e.Position,
                    $"Revision {_nextRevision} is missing: the next stored event is revision {e.Revision}.");
            else if (!e.Hash.Span.SequenceEqual(recomputed))
                _first = new HashMismatch(Stream, e.Revision, e.Position,
                    "The stored hash does not match the event's content and its predecessor: the record was altered.");
        }

        _hash = recomputed;
        _nextRevision = e.Revision + 1;
    }

    public StreamVerification Finish(StreamHead head)
    {
        if (_first is null && (head.Revision != _nextRevision - 1 || !head.Hash.AsSpan().SequenceEqual(_hash)))
            _first = new HashMismatch(Stream, Math.Max(head.Revision, _nextRevision - 1), null,
                $"The stream head (revision {head.Revision}) does not match its events (last revision {_nextRevision - 1}).");
        return new StreamVerification(Stream, _nextRevision, _hash, _first);
    }
}
