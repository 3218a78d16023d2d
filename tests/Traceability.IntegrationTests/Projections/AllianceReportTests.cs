using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Traceability.Api.Features.Cooperatives;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Report;
using static Traceability.IntegrationTests.Api.FlowSteps;
using static Traceability.IntegrationTests.Projections.AllianceReportSteps;

namespace Traceability.IntegrationTests.Projections;

/// <summary>
/// The alliance report, driven through the Api. Steps are dated in 2025 (backdated, as a phone syncing late would), so
/// the month, half-year and year buckets are exact; registrations happen now, so the current year's figures count them.
/// One step is at 23:00 UTC on 30 June 2025 — 06:00 on 1 July in Vietnam — and must count in July and H2.
/// </summary>
public sealed class AllianceReportTests
{
    private const string Hcmc = "Thành phố Hồ Chí Minh";

    private sealed record Scenario(ApiFactory Api, CanGioParties Parties, int RegistrationYear);

    /// <summary>
    /// Cần Giờ (27676): the flow's cooperative A (3 batches, 2 products) and B (1 batch); Bình Khánh (27667): C (1 batch,
    /// workers 12 then 15); Cần Giuộc (another province, no legacy district): D, registered only.
    /// </summary>
    private static async Task<Scenario> BuildAsync(Backend backend)
    {
        var yearBefore = DateTimeOffset.UtcNow.ToOffset(Vietnam).Year;
        var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var saltProfile = new CooperativeProfile("HTX Muối Bình Khánh (demo)", null, BinhKhanh, null, null, 18, 12, ["salt"]);
        var (saltId, c) = await RegisterCooperativeAsync(api, p.Admin, saltProfile);
        await RegisterCooperativeAsync(api, p.Admin, new CooperativeProfile("HTX Nông sản Cần Giuộc (demo)", null, CanGiuoc, null, null, 9, 7, ["rice"]));
        var (a, b) = (p.Cooperative, p.OtherCooperative);

        var a1 = await RegisterBatchAtAsync(a, "AR-A1", OneSunFish, Vn(2025, 3, 10, 7));
        await WashAsync(a, a1, Vn(2025, 3, 10, 9));
        var s = await ShipAsync(a, a1, PartyKind.Buyer, p.DistributorId, Vn(2025, 3, 20, 8));
        await ConfirmAsync(p.Distributor, a1, s, Vn(2025, 4, 2, 10));
        // Buyer → buyer: neither a cooperative's activity nor an alliance link.
        s = await ShipAsync(p.Distributor, a1, PartyKind.Buyer, p.RetailerId, Vn(2025, 4, 3, 8));
        await ConfirmAsync(p.Retailer, a1, s, Vn(2025, 4, 4, 8));

        var a2 = await RegisterBatchAtAsync(a, "AR-A2", FreshFish, new DateTimeOffset(2025, 6, 30, 22, 0, 0, TimeSpan.Zero));
        await WashAsync(a, a2, new DateTimeOffset(2025, 6, 30, 23, 0, 0, TimeSpan.Zero)); // 1 July 06:00 in Vietnam
        s = await ShipAsync(a, a2, PartyKind.Buyer, p.RetailerId, Vn(2025, 7, 1, 8));
        await ConfirmAsync(p.Retailer, a2, s, Vn(2025, 7, 2, 9));
        await RecallAsync(a, a2, Vn(2025, 8, 5, 10));

        await RegisterBatchAtAsync(a, "AR-A3", OneSunFish, Vn(2025, 3, 11, 7));

        var b1 = await RegisterBatchAtAsync(b, "AR-B1", DriedShrimp, Vn(2025, 5, 5, 7));
        await WashAsync(b, b1, Vn(2025, 5, 6, 8));
        s = await ShipAsync(b, b1, PartyKind.Buyer, p.DistributorId, Vn(2025, 5, 10, 8));
        await ConfirmAsync(p.Distributor, b1, s, Vn(2025, 5, 11, 8));

        var c1 = await RegisterBatchAtAsync(c, "AR-C1", SeaSalt, Vn(2025, 2, 1, 6));
        await WashAsync(c, c1, Vn(2025, 2, 1, 8));
        s = await ShipAsync(c, c1, PartyKind.Buyer, p.DistributorId, Vn(2025, 9, 1, 8));
        await ConfirmAsync(p.Distributor, c1, s, Vn(2025, 9, 2, 8));
        (await p.Admin.SendJson(HttpMethod.Put, $"/api/cooperatives/{saltId}", saltProfile with { WorkerCount = 15 })).EnsureSuccessStatusCode();

        await SettleProjectionsAsync(api);
        var yearAfter = DateTimeOffset.UtcNow.ToOffset(Vietnam).Year;
        Assert.True(yearBefore == yearAfter, "The test ran across New Year in Vietnam time: registrations may fall in two years; run it again.");
        return new Scenario(api, p, yearAfter);
    }

    private static AllianceReportRow Commune(string code, string name, long active, long fresh, long workers, long batches, long products, long links,
        long recalls, string provinceCode = "79", string province = Hcmc) =>
        new(provinceCode, province, code, name, null, active, fresh, workers, batches, products, links, recalls);

    private static async Task<AllianceReportResult> Report(CanGioParties p, string query) =>
        await (await p.Admin.GetAsync($"/api/reports/alliance?{query}")).Read<AllianceReportResult>();

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_report_counts_each_figure_per_commune_province_and_legacy_district_for_months_half_years_and_years(Backend backend)
    {
        var (api, p, year) = await BuildAsync(backend);
        await using var _ = api;

        // H1 2025 (January–June): A (March) and B (May) active in Cần Giờ, C (February) in Bình Khánh; nobody had joined yet,
        // so each counts under its first declared profile. Links: A → distributor (April), B → distributor (May).
        var h1 = await Report(p, "period=2025-H1&groupBy=commune");
        Assert.Equal(("2025-H1", "half_year", new DateOnly(2025, 1, 1), new DateOnly(2025, 6, 30), "UTC+07:00", "commune"),
            (h1.Period, h1.PeriodKind, h1.From, h1.To, h1.TimeZone, h1.GroupBy));
        Assert.Equal(
        [
            Commune("27667", "Xã Bình Khánh", active: 1, fresh: 0, workers: 12, batches: 0, products: 0, links: 0, recalls: 0),
            Commune("27676", "Xã Cần Giờ", active: 2, fresh: 0, workers: 80, batches: 0, products: 0, links: 2, recalls: 0),
        ], h1.Rows);
        Assert.Equal(new AllianceTotals(3, 0, 92, 0, 0, 2, 0), h1.Totals);

        // June 2025 is empty: the step at 23:00 UTC on 30 June happened on 1 July in Vietnam.
        var june = await Report(p, "period=2025-06");
        Assert.Equal(("month", new DateOnly(2025, 6, 1), new DateOnly(2025, 6, 30)), (june.PeriodKind, june.From, june.To));
        Assert.Empty(june.Rows);
        Assert.Equal(new AllianceTotals(0, 0, 0, 0, 0, 0, 0), june.Totals);
        var july = await Report(p, "period=2025-07");
        Assert.Equal([Commune("27676", "Xã Cần Giờ", active: 1, fresh: 0, workers: 40, batches: 0, products: 0, links: 1, recalls: 0)], july.Rows);

        // H2 2025 rolled up to the city: A (July, August: the recall) and C (September); links A → retailer, C → distributor.
        var h2 = await Report(p, "period=2025-H2&groupBy=province");
        Assert.Equal(("2025-H2", new DateOnly(2025, 7, 1), new DateOnly(2025, 12, 31), "province"), (h2.Period, h2.From, h2.To, h2.GroupBy));
        Assert.Equal([new AllianceReportRow("79", Hcmc, null, null, null, 2, 0, 52, 0, 0, 2, 1)], h2.Rows);

        // The year 2025 by legacy district: all three in the former Huyện Cần Giờ; four distinct cooperative → buyer pairs.
        var y2025 = await Report(p, "period=2025&groupBy=legacy_district");
        Assert.Equal(("year", new DateOnly(2025, 1, 1), new DateOnly(2025, 12, 31)), (y2025.PeriodKind, y2025.From, y2025.To));
        Assert.Equal([new AllianceReportRow("79", Hcmc, null, null, "Huyện Cần Giờ", 3, 0, 92, 0, 0, 4, 1)], y2025.Rows);

        // This year: the registrations. C counts with the worker count it declared last (15); D joined but did nothing.
        var now = await Report(p, $"period={year}");
        Assert.Equal("commune", now.GroupBy);
        Assert.Equal(
        [
            Commune("27667", "Xã Bình Khánh", active: 1, fresh: 1, workers: 15, batches: 1, products: 1, links: 0, recalls: 0),
            Commune("27676", "Xã Cần Giờ", active: 2, fresh: 2, workers: 80, batches: 4, products: 3, links: 0, recalls: 0),
            Commune("27790", CanGiuoc.CommuneWard, active: 0, fresh: 1, workers: 0, batches: 0, products: 0, links: 0, recalls: 0, "80", "Tỉnh Tây Ninh"),
        ], now.Rows);
        Assert.Equal(new AllianceTotals(3, 4, 95, 5, 4, 0, 0), now.Totals);

        var byProvince = await Report(p, $"period={year}&groupBy=province");
        Assert.Equal(
        [
            new AllianceReportRow("79", Hcmc, null, null, null, 3, 3, 95, 5, 4, 0, 0),
            new AllianceReportRow("80", "Tỉnh Tây Ninh", null, null, null, 0, 1, 0, 0, 0, 0, 0),
        ], byProvince.Rows);
        var byLegacy = await Report(p, $"period={year}&groupBy=legacy_district");
        Assert.Equal(
        [
            new AllianceReportRow("79", Hcmc, null, null, "Huyện Cần Giờ", 3, 3, 95, 5, 4, 0, 0),
            new AllianceReportRow("80", "Tỉnh Tây Ninh", null, null, null, 0, 1, 0, 0, 0, 0, 0),
        ], byLegacy.Rows);
        Assert.Equal(now.Totals, byProvince.Totals);
        Assert.Equal(now.Totals, byLegacy.Totals);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_CSV_opens_in_Excel_and_parses_back_to_the_JSON_figures(Backend backend)
    {
        var (api, p, year) = await BuildAsync(backend);
        await using var _ = api;
        var json = await Report(p, $"period={year}&groupBy=commune");

        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/alliance?period={year}&groupBy=commune");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var response = await p.Admin.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        Assert.Equal(bytes, await (await p.Admin.GetAsync($"/api/reports/alliance?period={year}&groupBy=commune&format=csv")).Content.ReadAsByteArrayAsync());
        var text = new UTF8Encoding(false, true).GetString(bytes, 3, bytes.Length - 3);
        Assert.EndsWith("\r\n", text);
        // The commune whose name has a comma and quotes is quoted, quotes doubled (RFC 4180).
        Assert.Contains("\"Xã Cần Giuộc (thử nghiệm, \"\"demo\"\")\"", text);

        var table = ParseCsv(text);
        Assert.Equal(
        [
            "Kỳ báo cáo (period)", "Mã tỉnh/thành phố (province_city_code)", "Tỉnh/thành phố (province_city)",
            "Mã xã/phường/đặc khu (commune_ward_code)", "Xã/phường/đặc khu (commune_ward)", "Số HTX hoạt động (active_cooperatives)",
            "Số HTX mới (new_cooperatives)", "Số lao động (workers)", "Số lô hàng đăng ký (batches_registered)",
            "Số sản phẩm truy xuất được (traceable_products)", "Số liên kết chuỗi giá trị (value_chain_links)", "Số lô hàng thu hồi (recalls)",
        ], table[0]);
        Assert.Equal(json.Rows.Count + 2, table.Count);
        Assert.All(table, row => Assert.Equal(12, row.Count));
        var parsed = table.Skip(1).Take(json.Rows.Count).Select(r => new AllianceReportRow(r[1], r[2], r[3], r[4], null,
            long.Parse(r[5], CultureInfo.InvariantCulture), long.Parse(r[6], CultureInfo.InvariantCulture), long.Parse(r[7], CultureInfo.InvariantCulture),
            long.Parse(r[8], CultureInfo.InvariantCulture), long.Parse(r[9], CultureInfo.InvariantCulture), long.Parse(r[10], CultureInfo.InvariantCulture),
            long.Parse(r[11], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(json.Rows, parsed);
        Assert.All(table.Skip(1), r => Assert.Equal(year.ToString(CultureInfo.InvariantCulture), r[0]));
        Assert.Equal(["Xã Bình Khánh", "Xã Cần Giờ", "Xã Cần Giuộc (thử nghiệm, \"demo\")"], parsed.Select(r => r.CommuneWard));
        Assert.Equal([Hcmc, Hcmc, "Tỉnh Tây Ninh"], parsed.Select(r => r.ProvinceCity));
        var total = table[^1];
        Assert.Equal([year.ToString(CultureInfo.InvariantCulture), "", "Tổng cộng (Total)", "", "", "3", "4", "95", "5", "4", "0", "0"], total);

        // By legacy district: the district column, empty where none was recorded.
        var legacy = ParseCsv(Encoding.UTF8.GetString(await (await p.Admin.GetAsync(
            $"/api/reports/alliance?period={year}&groupBy=legacy_district&format=csv")).Content.ReadAsByteArrayAsync()).TrimStart('\uFEFF'));
        Assert.Equal("Quận/huyện cũ (trước 1/7/2025) (legacy_district)", legacy[0][3]);
        Assert.Equal(["Huyện Cần Giờ", ""], legacy.Skip(1).Take(2).Select(r => r[3]));
        Assert.Equal(["3", "0"], legacy.Skip(1).Take(2).Select(r => r[4]));

        // JSON stays the default, also when the client accepts both and prefers JSON.
        var both = new HttpRequestMessage(HttpMethod.Get, $"/api/reports/alliance?period={year}");
        both.Headers.Accept.ParseAdd("application/json, text/csv;q=0.5");
        Assert.Equal("application/json", (await p.Admin.SendAsync(both)).Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task A_malformed_period_grouping_or_format_is_a_400_and_the_report_is_for_admins_only(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        foreach (var query in new[] { "", "period=", "period=2025-13", "period=2025-00", "period=2025-7", "period=2025-H3", "period=2025-h1", "period=25",
                     "period=1999", "period=2025-H1-01", "period=2025%2007" })
        {
            var problem = await (await p.Admin.GetAsync($"/api/reports/alliance?{query}")).Problem(400);
            Assert.Equal("request.invalid_field", CodeOf(problem));
            Assert.True(problem.GetProperty("errors").TryGetProperty("period", out _), query);
        }

        Assert.True((await (await p.Admin.GetAsync("/api/reports/alliance?period=2025&groupBy=district")).Problem(400))
            .GetProperty("errors").TryGetProperty("groupBy", out _));
        Assert.True((await (await p.Admin.GetAsync("/api/reports/alliance?period=2025&format=xlsx")).Problem(400))
            .GetProperty("errors").TryGetProperty("format", out _));

        await (await p.Anonymous.GetAsync("/api/reports/alliance?period=2025")).Problem(401);
        await (await p.Cooperative.GetAsync("/api/reports/alliance?period=2025")).Problem(403);
        await (await p.Distributor.GetAsync("/api/reports/alliance?period=2025")).Problem(403);
        Assert.Equal(HttpStatusCode.OK, (await p.Admin.GetAsync("/api/reports/alliance?period=2025-12")).StatusCode);
    }

    /// <summary>An RFC 4180 reader: quoted fields may hold commas, CRLF and doubled quotes; records end with CRLF.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (text[i] == '"' && i + 1 < text.Length && text[i + 1] == '"') { field.Append('"'); i += 2; }
                    else if (text[i] == '"') { i++; break; }
                    else field.Append(text[i++]);
                }
            }

            if (i < text.Length && text[i] == ',') { row.Add(field.ToString()); field.Clear(); i++; }
            else if (i + 1 < text.Length && text[i] == '\r' && text[i + 1] == '\n')
            {
                row.Add(field.ToString()); field.Clear(); rows.Add(row); row = []; i += 2;
            }
            else if (i < text.Length) field.Append(text[i++]);
        }

        Assert.True(row.Count == 0 && field.Length == 0, "the last record ends with CRLF");
        return rows;
    }
}
