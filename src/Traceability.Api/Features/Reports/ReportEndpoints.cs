using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Projections.Hosting;
using Traceability.Projections.Report;

namespace Traceability.Api.Features.Reports;

/// <summary>
/// The alliance report (báo cáo Liên minh HTX): per commune/ward, province/city or legacy district, for a month, a
/// half-year (H1 = January–June, H2 = July–December) or a year, in Vietnam time (UTC+7); JSON, or CSV for Excel.
/// Behind the admin role for now. Definitions: <see cref="AllianceReport"/>.
/// </summary>
public static class ReportEndpoints
{
    public const string CsvMediaType = "text/csv";

    public static IEndpointRouteBuilder MapReportEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/reports").WithTags("Reports").RequireAuthorization(Party.Policies.Admin);
        group.MapGet("/alliance", Alliance).WithReadProblems(authenticated: true).ProducesValidationProblem()
            .Produces<AllianceReportResult>(StatusCodes.Status200OK, "application/json", CsvMediaType)
            .WithSummary("Báo cáo Liên minh HTX: figures per commune/ward, province/city or legacy district for a period (admin).")
            .WithDescription("period = 2025-07 (month), 2025-H1 (January–June) / 2025-H2 (July–December), or 2025 (year); months are calendar " +
                             "months in Vietnam time (UTC+7), and each fact counts by its business time (registeredAt, step.occurredAt). " +
                             "groupBy = commune (default), province or legacy_district. format = json (default) or csv; Accept: text/csv " +
                             "also gives CSV (UTF-8 with BOM, CRLF, RFC 4180 quoting, headers in Vietnamese with the English column name in " +
                             "brackets, and a total row). A period still running gives its figures to date. From the read model: it may lag " +
                             "the events by a moment.");
        return routes;
    }

    private static async Task<IResult> Alliance([FromQuery] string? period, [FromQuery] string? groupBy, [FromQuery] string? format,
        HttpContext http, ReadModelDatabase readModels, CancellationToken cancellationToken)
    {
        if (!AlliancePeriod.TryParse(period, out var parsed))
            return Problems.Field("period", "period is a month (2025-07), a half-year (2025-H1 = January–June, 2025-H2 = July–December) or a year (2025).",
                "Kỳ báo cáo là tháng (2025-07), nửa năm (2025-H1 = tháng 1–6, 2025-H2 = tháng 7–12) hoặc năm (2025).");
        if (!AllianceReport.TryParseGrouping(groupBy, out var grouping))
            return Problems.Field("groupBy", "groupBy is commune, province or legacy_district.",
                "groupBy là commune (xã/phường), province (tỉnh/thành phố) hoặc legacy_district (quận/huyện cũ).");
        bool csv;
        switch (format)
        {
            case null or "": csv = WantsCsv(http.Request); break;
            case "json": csv = false; break;
            case "csv": csv = true; break;
            default:
                return Problems.Field("format", "format is json or csv.", "format là json hoặc csv.");
        }

        var report = await AllianceReport.ComputeAsync(readModels, parsed, grouping, cancellationToken);
        http.Response.Headers.Vary = HeaderNames.Accept;
        return csv
            ? TypedResults.File(AllianceCsv.Write(report), "text/csv; charset=utf-8; header=present",
                $"bao-cao-lien-minh-htx_{report.Period}_{report.GroupBy}.csv")
            : TypedResults.Ok(report);
    }

    /// <summary>CSV when the client asks for text/csv and does not prefer JSON (by quality) over it.</summary>
    private static bool WantsCsv(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)) return false;
        double Quality(string type) => accepted.Where(a => a.MediaType.Equals(type, StringComparison.OrdinalIgnoreCase))
            .Select(a => a.Quality ?? 1).DefaultIfEmpty(0).Max();
        var csv = Quality(CsvMediaType);
        return csv > 0 && csv >= Quality("application/json");
    }
}

/// <summary>
/// The report as Excel opens it: UTF-8 with a BOM (so Vietnamese shows right), CRLF line ends, fields quoted as RFC 4180
/// says (comma, quote, CR or LF inside; quotes doubled). Headers say the column in Vietnamese with its English name in
/// brackets (the JSON property in snake_case). A text cell that begins with = + - @ gets a leading apostrophe so that
/// a spreadsheet never runs it as a formula.
/// </summary>
public static class AllianceCsv
{
    private static readonly (string Vi, string En)[] Figures =
    [
        ("Số HTX hoạt động", "active_cooperatives"),
        ("Số HTX mới", "new_cooperatives"),
        ("Số lao động", "workers"),
        ("Số lô hàng đăng ký", "batches_registered"),
        ("Số sản phẩm truy xuất được", "traceable_products"),
        ("Số liên kết chuỗi giá trị", "value_chain_links"),
        ("Số lô hàng thu hồi", "recalls"),
    ];

    public const string TotalLabel = "Tổng cộng (Total)";

    public static byte[] Write(AllianceReportResult report)
    {
        var commune = report.GroupBy == "commune";
        var legacy = report.GroupBy == "legacy_district";
        var header = new List<(string Vi, string En)> { ("Kỳ báo cáo", "period"), ("Mã tỉnh/thành phố", "province_city_code"), ("Tỉnh/thành phố", "province_city") };
        if (commune) header.AddRange([("Mã xã/phường/đặc khu", "commune_ward_code"), ("Xã/phường/đặc khu", "commune_ward")]);
        if (legacy) header.Add(("Quận/huyện cũ (trước 1/7/2025)", "legacy_district"));
        header.AddRange(Figures);

        var text = new StringBuilder();
        Line(text, header.Select(h => $"{h.Vi} ({h.En})"));
        foreach (var row in report.Rows)
        {
            var cells = new List<string?> { report.Period, row.ProvinceCityCode, row.ProvinceCity };
            if (commune) cells.AddRange([row.CommuneWardCode, row.CommuneWard]);
            if (legacy) cells.Add(row.LegacyDistrict);
            Line(text, cells.Select(Safe).Concat(Numbers(row.ActiveCooperatives, row.NewCooperatives, row.Workers, row.BatchesRegistered,
                row.TraceableProducts, row.ValueChainLinks, row.Recalls)));
        }

        var t = report.Totals;
        var total = new List<string?> { report.Period, "", TotalLabel };
        if (commune) total.AddRange(["", ""]);
        if (legacy) total.Add("");
        Line(text, total.Concat(Numbers(t.ActiveCooperatives, t.NewCooperatives, t.Workers, t.BatchesRegistered, t.TraceableProducts,
            t.ValueChainLinks, t.Recalls)));
        return [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text.ToString())];
    }

    private static IEnumerable<string> Numbers(params long[] values) => values.Select(v => v.ToString(CultureInfo.InvariantCulture));

    private static string? Safe(string? cell) => cell is { Length: > 0 } && cell[0] is '=' or '+' or '-' or '@' or '\t' or '\r' ? "'" + cell : cell;

    private static void Line(StringBuilder text, IEnumerable<string?> cells)
    {
        var first = true;
        foreach (var cell in cells)
        {
            if (!first) text.Append(',');
            first = false;
            var value = cell ?? "";
            if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0) text.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else text.Append(value);
        }

        text.Append("\r\n");
    }
}
