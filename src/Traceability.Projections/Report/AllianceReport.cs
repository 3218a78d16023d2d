using System.Data.Common;
using Traceability.Projections.Hosting;

namespace Traceability.Projections.Report;

public enum AllianceGrouping
{
    /// <summary>Per commune, ward or special zone (xã/phường/đặc khu), by official code.</summary>
    Commune,

    /// <summary>Rolled up to the province or city (tỉnh/thành phố).</summary>
    Province,

    /// <summary>By the pre-2025 district (quận/huyện cũ) where the cooperative recorded one; the rest in a row without one.</summary>
    LegacyDistrict,
}

/// <summary>One group's figures. Columns that the grouping does not use are null.</summary>
public sealed record AllianceReportRow(
    string ProvinceCityCode,
    string ProvinceCity,
    string? CommuneWardCode,
    string? CommuneWard,
    string? LegacyDistrict,
    long ActiveCooperatives,
    long NewCooperatives,
    long Workers,
    long BatchesRegistered,
    long TraceableProducts,
    long ValueChainLinks,
    long Recalls);

public sealed record AllianceTotals(
    long ActiveCooperatives,
    long NewCooperatives,
    long Workers,
    long BatchesRegistered,
    long TraceableProducts,
    long ValueChainLinks,
    long Recalls);

public sealed record AllianceReportResult(
    string Period,
    string PeriodKind,
    DateOnly From,
    DateOnly To,
    string TimeZone,
    string GroupBy,
    IReadOnlyList<AllianceReportRow> Rows,
    AllianceTotals Totals);

/// <summary>
/// Computes the alliance report from <see cref="AllianceReportProjection"/>'s facts for a period:
/// <list type="bullet">
/// <item><b>activeCooperatives</b>: cooperatives that registered a batch or recorded a step in the period;</item>
/// <item><b>newCooperatives</b>: cooperatives registered in the period;</item>
/// <item><b>workers</b>: the worker count of the active cooperatives, as each last declared it by the period's end;</item>
/// <item><b>batchesRegistered</b>: batches registered in the period (merges and splits make batches too);</item>
/// <item><b>traceableProducts</b>: distinct products (per cooperative: GTIN, else category and name) with at least one batch registered in the period;</item>
/// <item><b>valueChainLinks</b>: distinct cooperative → buyer pairs with a receipt confirmed in the period;</item>
/// <item><b>recalls</b>: the cooperatives' batches recalled in the period.</item>
/// </list>
/// A cooperative is counted under the address it declared last by the period's end (a cooperative that moved counts
/// where it was then). A fact dated before the cooperative joined the platform (a backdated step) counts under its
/// first declared profile. Groups are those of every cooperative registered by the period's end or with a fact in it.
/// </summary>
public static class AllianceReport
{
    public static string Name(AllianceGrouping grouping) => grouping switch
    {
        AllianceGrouping.Commune => "commune",
        AllianceGrouping.Province => "province",
        _ => "legacy_district",
    };

    public static bool TryParseGrouping(string? text, out AllianceGrouping grouping)
    {
        grouping = AllianceGrouping.Commune;
        switch (text)
        {
            case null or "" or "commune": return true;
            case "province": grouping = AllianceGrouping.Province; return true;
            case "legacy_district": grouping = AllianceGrouping.LegacyDistrict; return true;
            default: return false;
        }
    }

    private sealed record Profile(string CooperativeId, string CommuneWard, string CommuneWardCode, string ProvinceCity, string ProvinceCityCode,
        string? LegacyDistrict, long Workers);

    private sealed class Figures
    {
        public bool Active;
        public bool New;
        public long Batches, Products, Links, Recalls;

        public bool Any => Active || New || Batches > 0 || Products > 0 || Links > 0 || Recalls > 0;
    }

    public static async Task<AllianceReportResult> ComputeAsync(ReadModelDatabase database, AlliancePeriod period, AllianceGrouping grouping,
        CancellationToken cancellationToken)
    {
        (string, object?)[] range = [("@from", period.FirstMonth), ("@to", period.LastMonth)];
        const string columns = "p.cooperative_id, p.commune_ward, p.commune_ward_code, p.province_city, p.province_city_code, p.legacy_district, p.worker_count";
        // The profile each cooperative had declared last by the period's end…
        var asOfEnd = await database.QueryAsync($"""
            SELECT {columns} FROM alliance_profiles p
            WHERE p.declared_month <= @to AND NOT EXISTS (
                SELECT 1 FROM alliance_profiles q WHERE q.cooperative_id = p.cooperative_id AND q.declared_month <= @to AND q.revision > p.revision)
            """, ReadProfile, cancellationToken, range);
        // …and, for cooperatives that joined later but have backdated facts in the period, their first one.
        var joinedLater = await database.QueryAsync($"""
            SELECT {columns} FROM alliance_profiles p
            WHERE p.declared_month > @to AND NOT EXISTS (
                SELECT 1 FROM alliance_profiles q WHERE q.cooperative_id = p.cooperative_id AND q.revision < p.revision)
            """, ReadProfile, cancellationToken, range);

        var figures = new Dictionary<string, Figures>(StringComparer.Ordinal);
        Figures Of(string id) => figures.TryGetValue(id, out var f) ? f : figures[id] = new Figures();
        foreach (var id in await database.QueryAsync("SELECT DISTINCT cooperative_id FROM alliance_activity WHERE month >= @from AND month <= @to",
                     r => r.GetString(0), cancellationToken, range))
            Of(id).Active = true;
        foreach (var id in await database.QueryAsync(
                     "SELECT cooperative_id FROM alliance_cooperatives WHERE registered_month >= @from AND registered_month <= @to",
                     r => r.GetString(0), cancellationToken, range))
            Of(id).New = true;
        foreach (var (id, batches, products) in await database.QueryAsync("""
                     SELECT cooperative_id, count(*), count(DISTINCT product_key) FROM alliance_batches WHERE month >= @from AND month <= @to
                     GROUP BY cooperative_id
                     """, r => (r.GetString(0), Long(r, 1), Long(r, 2)), cancellationToken, range))
            (Of(id).Batches, Of(id).Products) = (batches, products);
        foreach (var (id, links) in await database.QueryAsync("""
                     SELECT cooperative_id, count(DISTINCT buyer_id) FROM alliance_links WHERE month >= @from AND month <= @to GROUP BY cooperative_id
                     """, r => (r.GetString(0), Long(r, 1)), cancellationToken, range))
            Of(id).Links = links;
        foreach (var (id, recalls) in await database.QueryAsync("""
                     SELECT cooperative_id, count(*) FROM alliance_recalls WHERE month >= @from AND month <= @to GROUP BY cooperative_id
                     """, r => (r.GetString(0), Long(r, 1)), cancellationToken, range))
            Of(id).Recalls = recalls;

        var members = asOfEnd.Select(p => (p, figures.GetValueOrDefault(p.CooperativeId) ?? new Figures()))
            .Concat(joinedLater.Where(p => figures.TryGetValue(p.CooperativeId, out var f) && f.Any).Select(p => (p, figures[p.CooperativeId])));

        var rows = members
            .GroupBy(m => KeyOf(m.p, grouping))
            .Select(g =>
            {
                var first = g.Select(m => m.p).OrderBy(p => p.CooperativeId, StringComparer.Ordinal).First();
                var f = g.Select(m => m.Item2).ToList();
                return new AllianceReportRow(
                    first.ProvinceCityCode,
                    Name(g.Select(m => m.p.ProvinceCity)),
                    grouping == AllianceGrouping.Commune ? first.CommuneWardCode : null,
                    grouping == AllianceGrouping.Commune ? Name(g.Select(m => m.p.CommuneWard)) : null,
                    grouping == AllianceGrouping.LegacyDistrict ? first.LegacyDistrict : null,
                    f.Count(x => x.Active), f.Count(x => x.New), g.Where(m => m.Item2.Active).Sum(m => m.p.Workers),
                    f.Sum(x => x.Batches), f.Sum(x => x.Products), f.Sum(x => x.Links), f.Sum(x => x.Recalls));
            })
            .OrderBy(r => r.ProvinceCityCode, StringComparer.Ordinal)
            .ThenBy(r => r.CommuneWardCode, StringComparer.Ordinal)
            .ThenBy(r => r.LegacyDistrict is null ? 1 : 0)
            .ThenBy(r => r.LegacyDistrict, StringComparer.Ordinal)
            .ToList();
        var totals = new AllianceTotals(rows.Sum(r => r.ActiveCooperatives), rows.Sum(r => r.NewCooperatives), rows.Sum(r => r.Workers),
            rows.Sum(r => r.BatchesRegistered), rows.Sum(r => r.TraceableProducts), rows.Sum(r => r.ValueChainLinks), rows.Sum(r => r.Recalls));
        return new AllianceReportResult(period.Text, period.Kind switch
            {
                AlliancePeriodKind.Month => "month",
                AlliancePeriodKind.HalfYear => "half_year",
                _ => "year",
            }, period.From, period.To, "UTC+07:00", Name(grouping), rows, totals);
    }

    /// <summary>The group a cooperative falls in; names do not split a group (the official code does).</summary>
    private static string KeyOf(Profile p, AllianceGrouping grouping) => grouping switch
    {
        AllianceGrouping.Commune => $"{p.ProvinceCityCode}\u001F{p.CommuneWardCode}",
        AllianceGrouping.Province => p.ProvinceCityCode,
        _ => $"{p.ProvinceCityCode}\u001F{(p.LegacyDistrict is null ? "0" : "1" + p.LegacyDistrict)}",
    };

    /// <summary>Two cooperatives may spell a unit differently: the report shows the ordinally first spelling, deterministically.</summary>
    private static string Name(IEnumerable<string> names) => names.Order(StringComparer.Ordinal).First();

    private static Profile ReadProfile(DbDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4),
        r.IsDBNull(5) ? null : r.GetString(5), Long(r, 6));

    private static long Long(DbDataReader r, int ordinal) => Convert.ToInt64(r.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);
}
