namespace Traceability.EventStore;

/// <summary>Stable codes for everything the store refuses; the API maps them to problem details.</summary>
public enum EventStoreErrorCode
{
    InvalidStreamName,
    InvalidEventType,
    InvalidEventId,
    DuplicateEventIdInAppend,
    DuplicateStreamInAppend,
    InvalidJson,
    EmptyAppend,
    AppendTooLarge,
    InvalidRevision,
    InvalidCount,
    WrongExpectedRevision,
    EventIdInOtherStream,
}

/// <summary>A store operation was refused; nothing was written.</summary>
public abstract class EventStoreException(EventStoreErrorCode code, string message) : Exception(message)
{
    public EventStoreErrorCode Code { get; } = code;
}

/// <summary>An argument is malformed (name, type, JSON, size, revision); refused before anything is written.</summary>
public sealed class EventStoreArgumentException(EventStoreErrorCode code, string parameter, string message)
    : EventStoreException(code, message)
{
    public string Parameter { get; } = parameter;
}

/// <summary>
/// The stream is not where the writer expected it (EventStoreDB's <c>WrongExpectedVersionException</c>).
/// <see cref="ActualRevision"/> is the stream's last revision, or <see cref="StreamRevision.None"/>.
/// </summary>
public sealed class WrongExpectedRevisionException(string stream, ExpectedRevision expected, long actualRevision)
    : EventStoreException(EventStoreErrorCode.WrongExpectedRevision,
        $"Append to '{stream}' expected revision {expected}, but the stream is at " +
        (actualRevision == StreamRevision.None ? "no-stream." : $"revision {actualRevision}."))
{
    public string Stream { get; } = stream;
    public ExpectedRevision Expected { get; } = expected;
    public long ActualRevision { get; } = actualRevision;
}

/// <summary>An event id is already stored in another stream: event ids are unique across the store.</summary>
public sealed class EventIdInOtherStreamException(Guid eventId, string stream, string existingStream)
    : EventStoreException(EventStoreErrorCode.EventIdInOtherStream,
        $"Event {eventId} cannot be appended to '{stream}': it is already stored in '{existingStream}'.")
{
    public Guid EventId { get; } = eventId;
    public string ExistingStream { get; } = existingStream;
}
