using System.Reflection;
using System.Text.Json;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.Api.Infrastructure;

/// <summary>
/// Turns events into stored JSON and back, by their explicit type names (<see cref="EventTypeAttribute"/>),
/// never by CLR names.
/// </summary>
public static class EventCodec
{
    private static readonly Dictionary<string, Type> TypesByName = new(StringComparer.Ordinal);
    private static readonly Dictionary<Type, string> NamesByType = new();

    static EventCodec()
    {
        foreach (var assembly in new[] { typeof(EventTypeAttribute).Assembly, typeof(EventCodec).Assembly })
        foreach (var type in assembly.GetTypes())
        {
            if (type.GetCustomAttribute<EventTypeAttribute>() is not { } attribute) continue;
            if (!EventTypeName.IsValid(attribute.Name) || !TypesByName.TryAdd(attribute.Name, type))
                throw new InvalidOperationException($"Event type name '{attribute.Name}' of {type} is invalid or used twice.");
            NamesByType[type] = attribute.Name;
        }
    }

    public static string NameOf(Type type) =>
        NamesByType.TryGetValue(type, out var name) ? name : throw new InvalidOperationException($"{type} has no [EventType] name.");

    public static EventData Encode(object @event, EventMetadata metadata, Guid? eventId = null) =>
        new(eventId ?? Guid.CreateVersion7(), NameOf(@event.GetType()),
            JsonSerializer.SerializeToUtf8Bytes(@event, @event.GetType(), Json.Options),
            JsonSerializer.SerializeToUtf8Bytes(metadata, Json.Options));

    /// <summary>The domain event a stored event holds; null for types this version does not know.</summary>
    public static object? Decode(RecordedEvent stored) =>
        TypesByName.TryGetValue(stored.Type, out var type) ? JsonSerializer.Deserialize(stored.Data.Span, type, Json.Options) : null;

    public static EventMetadata? DecodeMetadata(RecordedEvent stored) =>
        JsonSerializer.Deserialize<EventMetadata>(stored.Metadata.Span, Json.Options);
}

/// <summary>
/// Who did what, stored beside every event: the acting party (an organisation, never a person's name), the
/// API key used, and the ids that tie a command's events together.
/// </summary>
public sealed record EventMetadata(
    string Actor,
    Guid? KeyId,
    Guid CommandId,
    Guid CorrelationId,
    Guid? CausationId,
    DateTimeOffset? ClientTime);
