using System.Text.Json;

namespace Traceability.Projections.Hosting;

/// <summary>Reading stored event JSON: absent and null read alike, numbers keep their exact text.</summary>
public static class StoredJson
{
    public static JsonElement? Get(this JsonElement element, string name) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static string? Text(this JsonElement element, string name) => element.Get(name) is { } value
        ? value.ValueKind == JsonValueKind.String ? value.GetString() : value.GetRawText()
        : null;

    /// <summary>The element's JSON text, for a column that stores a document (null stays null).</summary>
    public static string? Raw(this JsonElement element, string name) => element.Get(name)?.GetRawText();
}
