using System.Globalization;
using System.Text.RegularExpressions;

namespace Traceability.Projections.Report;

public enum AlliancePeriodKind
{
    Month,
    HalfYear,
    Year,
}

/// <summary>
/// A reporting period, always whole calendar months in Vietnam time: a month (<c>2025-07</c>), a half-year
/// (<c>2025-H1</c> = January–June, <c>2025-H2</c> = July–December) or a year (<c>2025</c>). The city asks for the
/// half-year report by 1 June and the year report by 1 December, before those periods end: a report asked for a
/// period still running gives its figures to date (the events recorded so far), and asked again later, the final ones.
/// </summary>
public sealed partial record AlliancePeriod(string Text, AlliancePeriodKind Kind, int Year, int FirstMonthNumber, int LastMonthNumber)
{
    /// <summary>First month, <c>yyyy-MM</c> (months compare as text).</summary>
    public string FirstMonth => $"{Year:D4}-{FirstMonthNumber:D2}";

    public string LastMonth => $"{Year:D4}-{LastMonthNumber:D2}";

    public DateOnly From => new(Year, FirstMonthNumber, 1);

    public DateOnly To => new DateOnly(Year, LastMonthNumber, 1).AddMonths(1).AddDays(-1);

    public static bool TryParse(string? text, out AlliancePeriod period)
    {
        period = null!;
        if (text is null || Shape().Match(text) is not { Success: true } match) return false;
        var year = int.Parse(match.Groups["year"].Value, CultureInfo.InvariantCulture);
        if (year < 2000) return false;
        if (match.Groups["month"].Success)
        {
            var month = int.Parse(match.Groups["month"].Value, CultureInfo.InvariantCulture);
            period = new AlliancePeriod(text, AlliancePeriodKind.Month, year, month, month);
        }
        else if (match.Groups["half"].Success)
            period = match.Groups["half"].Value == "1"
                ? new AlliancePeriod(text, AlliancePeriodKind.HalfYear, year, 1, 6)
                : new AlliancePeriod(text, AlliancePeriodKind.HalfYear, year, 7, 12);
        else
            period = new AlliancePeriod(text, AlliancePeriodKind.Year, year, 1, 12);
        return true;
    }

    [GeneratedRegex(@"^(?<year>[0-9]{4})(?:-(?<month>0[1-9]|1[0-2])|-H(?<half>[12]))?$", RegexOptions.CultureInvariant)]
    private static partial Regex Shape();
}
