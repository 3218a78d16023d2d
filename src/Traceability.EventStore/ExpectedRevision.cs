namespace Traceability.EventStore;

/// <summary>What the writer believes about the stream before its append (EventStoreDB's <c>StreamState</c>).</summary>
public readonly record struct ExpectedRevision
{
    private const long AnyValue = -2;
    private const long NoStreamValue = -1;
    private const long StreamExistsValue = -4;

    private readonly long _value;

    private ExpectedRevision(long value) => _value = value;

    /// <summary>Append whatever the stream holds.</summary>
    public static ExpectedRevision Any { get; } = new(AnyValue);

    /// <summary>The stream must not exist yet.</summary>
    public static ExpectedRevision NoStream { get; } = new(NoStreamValue);

    /// <summary>The stream must hold at least one event.</summary>
    public static ExpectedRevision StreamExists { get; } = new(StreamExistsValue);

    /// <summary>The stream's last event must be at exactly this revision.</summary>
    public static ExpectedRevision Exact(long revision) =>
        revision >= 0
            ? new ExpectedRevision(revision)
            : throw new EventStoreArgumentException(EventStoreErrorCode.InvalidRevision, nameof(revision),
                $"An expected revision is 0 or more; {revision} is not a revision.");

    public bool IsAny => _value == AnyValue;
    public bool IsNoStream => _value == NoStreamValue;
    public bool IsStreamExists => _value == StreamExistsValue;
    public bool IsExact => _value >= 0;

    /// <summary>The exact revision expected; only meaningful when <see cref="IsExact"/>.</summary>
    public long Revision => IsExact ? _value : throw new InvalidOperationException($"{this} is not an exact revision.");

    /// <summary>Whether a stream whose last revision is <paramref name="actual"/> (-1: no stream) satisfies this.</summary>
    public bool IsSatisfiedBy(long actual) => _value switch
    {
        AnyValue => true,
        NoStreamValue => actual == StreamRevision.None,
        StreamExistsValue => actual != StreamRevision.None,
        _ => actual == _value,
    };

    public override string ToString() => _value switch
    {
        AnyValue => "any",
        NoStreamValue => "no-stream",
        StreamExistsValue => "stream-exists",
        _ => _value.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}

/// <summary>Well-known stream revisions.</summary>
public static class StreamRevision
{
    /// <summary>The revision of a stream that has no events.</summary>
    public const long None = -1;

    /// <summary>The first event of a stream.</summary>
    public const long Start = 0;

    /// <summary>Read backward from the newest event.</summary>
    public const long End = long.MaxValue;
}
