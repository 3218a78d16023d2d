using System.Text.RegularExpressions;

namespace Traceability.EventStore;

/// <summary>
/// Stream names are <c>{category}-{id}</c>: a lower-case category (<c>batch</c>, <c>cooperative</c>) and an id of
/// letters, digits and <c>. _ : -</c> that starts with a letter or digit. Names starting with <c>$</c> are the
/// store's own (<c>$all</c>) and never accepted for an append.
/// </summary>
public static partial class StreamName
{
    public const int MaxLength = 241;

    [GeneratedRegex(@"^[a-z][a-z0-9_]{0,39}-[A-Za-z0-9][A-Za-z0-9._:-]{0,199}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? stream) => stream is not null && Pattern().IsMatch(stream);

    public static void Validate(string? stream, string parameter = "stream")
    {
        if (!IsValid(stream))
            throw new EventStoreArgumentException(EventStoreErrorCode.InvalidStreamName, parameter,
                stream is null or ""
                    ? "A stream name is required."
                    : $"'{Shorten(stream)}' is not a stream name: use '{{category}}-{{id}}', e.g. 'batch-2024-001' " +
                      "(category: lower-case letters and digits; id: letters, digits, '.', '_', ':', '-').");
    }

    public static string CategoryOf(string stream)
    {
        var dash = stream.IndexOf('-', StringComparison.Ordinal);
        return dash < 0 ? stream : stream[..dash];
    }

    internal static string Shorten(string text) => text.Length <= 60 ? text : string.Concat(text.AsSpan(0, 60), "…");
}

/// <summary>Event type names are explicit and versioned (<c>batch.dried.v1</c>), never CLR type names.</summary>
public static partial class EventTypeName
{
    public const int MaxLength = 128;

    [GeneratedRegex(@"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*\.v[1-9][0-9]*\z", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();

    public static bool IsValid(string? type) => type is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(type);
}
