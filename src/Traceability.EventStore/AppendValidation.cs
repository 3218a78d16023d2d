using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Traceability.EventStore;

/// <summary>Checks an append before it is queued, so a refused append never reaches the database.</summary>
internal static class AppendValidation
{
    /// <summary>Data, metadata and type names of one append together: EventStoreDB's default limit.</summary>
    public const int MaxAppendBytes = 1024 * 1024;

    private static readonly byte[] EmptyObject = "{}"u8.ToArray();

    /// <summary>Validates an append to several streams; returns the parts with their events normalised.</summary>
    public static StreamAppend[] Validate(IReadOnlyList<StreamAppend>? appends)
    {
        if (appends is null || appends.Count == 0)
            throw new EventStoreArgumentException(EventStoreErrorCode.EmptyAppend, nameof(appends), "An append needs at least one stream.");
        var ids = new HashSet<Guid>();
        var streams = new HashSet<string>(StringComparer.Ordinal);
        long bytes = 0;
        var parts = new StreamAppend[appends.Count];
        for (var i = 0; i < appends.Count; i++)
        {
            var part = appends[i] ?? throw new EventStoreArgumentException(EventStoreErrorCode.EmptyAppend, $"appends[{i}]", $"Part {i} is null.");
            StreamName.Validate(part.Stream, $"appends[{i}].Stream");
            if (!streams.Add(part.Stream))
                throw new EventStoreArgumentException(EventStoreErrorCode.DuplicateStreamInAppend, $"appends[{i}].Stream",
                    $"Stream '{part.Stream}' appears twice in one append: put all its events in one part.");
            parts[i] = part with { Events = Validate(part.Stream, part.Events, ids, ref bytes) };
        }

        return parts;
    }

    /// <summary>Validates and returns the events with empty metadata normalised to <c>{}</c>.</summary>
    public static EventData[] Validate(string stream, IReadOnlyList<EventData>? events)
    {
        long bytes = 0;
        return Validate(stream, events, [], ref bytes);
    }

    private static EventData[] Validate(string stream, IReadOnlyList<EventData>? events, HashSet<Guid> ids, ref long bytes)
    {
        StreamName.Validate(stream);
        if (events is null || events.Count == 0)
            throw new EventStoreArgumentException(EventStoreErrorCode.EmptyAppend, nameof(events),
                "An append needs at least one event.");

        var normalised = new EventData[events.Count];
        for (var i = 0; i < events.Count; i++)
        {
            var e = events[i] ?? throw new EventStoreArgumentException(EventStoreErrorCode.InvalidJson, $"events[{i}]",
                $"Event {i} is null.");
            if (e.EventId == Guid.Empty)
                throw new EventStoreArgumentException(EventStoreErrorCode.InvalidEventId, $"events[{i}].EventId",
                    $"Event {i} has an empty id: give every event a unique, non-empty id.");
            if (!ids.Add(e.EventId))
                throw new EventStoreArgumentException(EventStoreErrorCode.DuplicateEventIdInAppend, $"events[{i}].EventId",
                    $"Event id {e.EventId} appears twice in one append.");
            if (!EventTypeName.IsValid(e.Type))
                throw new EventStoreArgumentException(EventStoreErrorCode.InvalidEventType, $"events[{i}].Type",
                    $"'{StreamName.Shorten(e.Type ?? "")}' is not an event type: use an explicit, versioned name such as " +
                    "'batch.dried.v1' (lower-case words separated by '.', ending in '.v' and a version from 1).");

            bytes += e.Data.Length + e.Metadata.Length + Encoding.UTF8.GetByteCount(e.Type!);
            if (bytes > MaxAppendBytes)
                throw new EventStoreArgumentException(EventStoreErrorCode.AppendTooLarge, nameof(events),
                    $"The append is larger than {MaxAppendBytes} bytes of data, metadata and type names.");

            RequireJsonObject(e.Data.Span, $"events[{i}].Data", allowEmpty: false);
            RequireJsonObject(e.Metadata.Span, $"events[{i}].Metadata", allowEmpty: true);
            normalised[i] = e.Metadata.IsEmpty ? e with { Metadata = EmptyObject } : e;
        }

        return normalised;
    }

    private static void RequireJsonObject(ReadOnlySpan<byte> json, string parameter, bool allowEmpty)
    {
        if (json.IsEmpty && allowEmpty) return;
        string? problem = null;
        if (json.IsEmpty) problem = "it is empty";
        else if (!Utf8.IsValid(json)) problem = "it is not valid UTF-8";
        else
        {
            try
            {
                var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject) problem = "it is not a JSON object";
                else
                {
                    reader.Skip();
                    if (reader.Read()) problem = "it has content after the JSON object";
                }
            }
            catch (JsonException ex)
            {
                problem = $"it is not valid JSON ({ex.Message})";
            }
        }

        if (problem is not null)
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidJson, parameter,
                $"{parameter} must be a UTF-8 JSON object, but {problem}.");
    }
}
