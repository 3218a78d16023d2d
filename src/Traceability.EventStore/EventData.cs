namespace Traceability.EventStore;

/// <summary>
/// An event to append. <paramref name="Type"/> is an explicit, versioned name such as <c>batch.dried.v1</c>,
/// never a CLR type name. <paramref name="Data"/> and <paramref name="Metadata"/> are UTF-8 JSON objects;
/// empty metadata is stored as <c>{}</c>.
/// </summary>
public sealed record EventData(Guid EventId, string Type, ReadOnlyMemory<byte> Data, ReadOnlyMemory<byte> Metadata = default);

/// <summary>One stream's part of an atomic append to several streams.</summary>
public sealed record StreamAppend(string Stream, ExpectedRevision Expected, IReadOnlyList<EventData> Events);

/// <summary>An event as stored.</summary>
/// <param name="Hash">SHA-256 over the previous event's hash in this stream and this event's canonical encoding.</param>
public sealed record RecordedEvent(
    Guid EventId,
    string Stream,
    long Revision,
    GlobalPosition Position,
    string Type,
    ReadOnlyMemory<byte> Data,
    ReadOnlyMemory<byte> Metadata,
    DateTimeOffset Recorded,
    ReadOnlyMemory<byte> Hash)
{
    /// <summary>The part of the stream name before the first '-' (<c>batch</c> for <c>batch-42</c>).</summary>
    public string Category => StreamName.CategoryOf(Stream);
}

/// <summary>Where an append left the stream and <c>$all</c>.</summary>
/// <param name="NextExpectedRevision">The revision of the last event appended: the expected revision of the next append.</param>
/// <param name="Position">The global position of the last event appended.</param>
public readonly record struct AppendResult(long NextExpectedRevision, GlobalPosition Position);

public enum ReadDirection
{
    Forward,
    Backward,
}

/// <summary>Which events a subscription delivers: any of the categories and any of the types (empty: all).</summary>
public sealed record EventFilter(IReadOnlyCollection<string> Categories, IReadOnlyCollection<string> EventTypes)
{
    public static EventFilter All { get; } = new([], []);

    public static EventFilter ForCategories(params string[] categories) => new(categories, []);

    public static EventFilter ForEventTypes(params string[] eventTypes) => new([], eventTypes);

    public bool Matches(RecordedEvent e) =>
        (Categories.Count == 0 || Categories.Contains(e.Category)) &&
        (EventTypes.Count == 0 || EventTypes.Contains(e.Type));
}
