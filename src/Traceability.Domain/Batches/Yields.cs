namespace Traceability.Domain.Batches;

/// <summary>
/// How much weight a product keeps through processing, when the cooperative declares none. Drying loses water:
/// one-sun fish keeps about half its weight, fully dried fish a quarter to a third, dried shrimp a fifth to a
/// quarter. The defaults are the top of each range, so honest records pass and impossible ones do not.
/// </summary>
public static class Yields
{
    public static readonly IReadOnlyDictionary<string, decimal> ByCategory = new Dictionary<string, decimal>(StringComparer.Ordinal)
    {
        ["fish.one_sun"] = 0.50m,
        ["squid.one_sun"] = 0.50m,
        ["fish.dried"] = 0.33m,
        ["squid.dried"] = 0.33m,
        ["shrimp.dried"] = 0.25m,
    };

    /// <summary>The yield that applies: the declared one, else the category's, else 1 (nothing may appear from nowhere).</summary>
    public static decimal For(string? category, decimal? declared) =>
        declared ?? (category is not null && ByCategory.TryGetValue(category, out var known) ? known : 1m);
}
