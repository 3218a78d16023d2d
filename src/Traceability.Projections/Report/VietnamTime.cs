using System.Globalization;

namespace Traceability.Projections.Report;

/// <summary>
/// Reports bucket an event by its business time as a calendar day in Vietnam (UTC+7, no daylight saving): 23:30 UTC on
/// 30 June is 06:30 on 1 July in Cần Giờ, so it counts in July and in the second half-year.
/// </summary>
public static class VietnamTime
{
    public static readonly TimeSpan Offset = TimeSpan.FromHours(7);

    /// <summary>The Vietnam calendar month (<c>yyyy-MM</c>) of a stored ISO 8601 time; null when there is none.</summary>
    public static string? MonthOf(string? iso) =>
        iso is not null && DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time.ToOffset(Offset).ToString("yyyy-MM", CultureInfo.InvariantCulture)
            : null;

    /// <summary>Today's date in Vietnam.</summary>
    public static DateOnly Today(DateTimeOffset now) => DateOnly.FromDateTime(now.ToOffset(Offset).DateTime);
}
