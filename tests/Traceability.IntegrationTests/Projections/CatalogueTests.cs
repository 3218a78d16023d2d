using System.Net;
using Traceability.Api.Features.Catalogue;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.PersonalData;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using static Traceability.IntegrationTests.Api.FlowSteps;
using static Traceability.IntegrationTests.Projections.AllianceReportSteps;

namespace Traceability.IntegrationTests.Projections;

/// <summary>
/// The public cooperative catalogue, driven through the Api: profiles (as last declared), filtering by commune/ward
/// code, certifications valid today, distinct products of the batches, and the active batches with their custodian.
/// </summary>
public sealed class CatalogueTests
{
    private static readonly CatalogueAddress CanGioAddress = new("Ấp Long Thạnh", "Xã Cần Giờ", "27676", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ");

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_catalogue_shows_each_cooperative_with_its_certifications_products_and_active_batches(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var salt = new CooperativeProfile("HTX Muối Bình Khánh (demo)", "Binh Khanh Salt (demo)", BinhKhanh, "8930000000002", null, 18, 12, ["salt"]);
        var (saltId, saltClient) = await RegisterCooperativeAsync(api, p.Admin, salt);
        // The profile as last declared is what the catalogue shows.
        (await p.Admin.SendJson(HttpMethod.Put, $"/api/cooperatives/{saltId}",
            salt with { NameEn = "Binh Khanh Sea Salt Cooperative (demo)", WorkerCount = 15 })).EnsureSuccessStatusCode();

        // Certifications: one valid today, one expired, one revoked.
        var today = clock.Today;
        await Grant(p, CertificationScheme.Ocop, 4, "OCOP-HCM-2025-017", today.AddYears(-1), today.AddYears(2));
        await Grant(p, CertificationScheme.VietGap, null, "VG-2020-001", new DateOnly(2020, 1, 1), new DateOnly(2021, 1, 1));
        var revoked = await Grant(p, CertificationScheme.GlobalGap, null, "GG-2025-77", today.AddMonths(-1), today.AddYears(1));
        (await p.Cooperative.PostJson($"/api/cooperatives/{p.CooperativeId}/certifications/{revoked}/revoke",
            new RevokeCertificationRequest("Hết hiệu lực do tạm ngừng sản xuất"))).EnsureSuccessStatusCode();

        // A contact person is personal data: it must never reach the catalogue.
        (await p.Cooperative.PostJson($"/api/cooperatives/{p.CooperativeId}/contacts", new ContactRequest("Nguyễn Thị Demo", "0909123456", "Chủ nhiệm")))
            .EnsureSuccessStatusCode();

        // Batches: one stays home, one in transit, one delivered, one recalled; two of them the same product.
        var home = await RegisterRawBatchAsync(p.Cooperative, clock, "CAT-001");
        var travelling = await RegisterRawBatchAsync(p.Cooperative, clock, "CAT-002", 80m, FreshFishWithGtin);
        var travellingShipment = await ShipAsync(p.Cooperative, travelling, PartyKind.Buyer, p.DistributorId, clock.Next());
        var delivered = await RegisterRawBatchAsync(p.Cooperative, clock, "CAT-003", 60m);
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, delivered, clock);
        var recalled = await RegisterRawBatchAsync(p.Cooperative, clock, "CAT-004", 20m, DriedShrimp);
        await RecallAsync(p.Cooperative, recalled, clock.Next());
        var saltBatch = await RegisterRawBatchAsync(saltClient, clock, "SALT-001", 500m, SeaSalt);
        await SettleProjectionsAsync(api);

        // The list: every cooperative, ordinal by Vietnamese name; and filtered by commune/ward code.
        var all = await (await p.Anonymous.GetAsync("/api/catalogue/cooperatives")).Read<CatalogueListResponse>();
        Assert.Null(all.CommuneWardCode);
        Assert.Equal(["HTX Muối Bình Khánh (demo)", "HTX Nông nghiệp Bình Khánh (demo)", "HTX Thủy sản Cần Giờ (demo)"],
            all.Cooperatives.Select(c => c.NameVi));
        var canGio = all.Cooperatives.Single(c => c.CooperativeId == p.CooperativeId.ToString());
        Assert.Equal("Can Gio Fisheries Cooperative (demo)", canGio.NameEn);
        Assert.Equal(CanGioAddress, canGio.Address);
        Assert.Equal((25L, 40L, 3L, 3L), (canGio.MemberCount, canGio.WorkerCount, canGio.ProductCount, canGio.ActiveBatchCount));
        Assert.Equal(["fish.one_sun", "shrimp.dried"], canGio.ProductCategories);
        var other = all.Cooperatives.Single(c => c.CooperativeId == p.OtherCooperativeId.ToString());
        Assert.Equal((25L, 40L, 0L, 0L), (other.MemberCount, other.WorkerCount, other.ProductCount, other.ActiveBatchCount));
        var saltSummary = all.Cooperatives.Single(c => c.CooperativeId == saltId.ToString());
        Assert.Equal(new CatalogueCooperativeSummary(saltId.ToString(), "HTX Muối Bình Khánh (demo)", "Binh Khanh Sea Salt Cooperative (demo)",
            new CatalogueAddress("Ấp Bình Thạnh", "Xã Bình Khánh", "27667", "Thành phố Hồ Chí Minh", "79", "Huyện Cần Giờ"), 18, 15,
            saltSummary.ProductCategories, 1, 1), saltSummary);
        Assert.Equal(["salt"], saltSummary.ProductCategories);

        var inCanGio = await (await p.Anonymous.GetAsync("/api/catalogue/cooperatives?communeWardCode=27676")).Read<CatalogueListResponse>();
        Assert.Equal("27676", inCanGio.CommuneWardCode);
        Assert.Equal([p.OtherCooperativeId.ToString(), p.CooperativeId.ToString()], inCanGio.Cooperatives.Select(c => c.CooperativeId));
        var inBinhKhanh = await (await p.Anonymous.GetAsync("/api/catalogue/cooperatives?communeWardCode=27667")).Read<CatalogueListResponse>();
        Assert.Equal([saltId.ToString()], inBinhKhanh.Cooperatives.Select(c => c.CooperativeId));
        Assert.Empty((await (await p.Anonymous.GetAsync("/api/catalogue/cooperatives?communeWardCode=26740")).Read<CatalogueListResponse>()).Cooperatives);
        Assert.Equal("request.invalid_field",
            CodeOf(await (await p.Anonymous.GetAsync("/api/catalogue/cooperatives?communeWardCode=2767A")).Problem(400)));

        // The page: certifications valid today only, products (distinct, with batch counts), active batches newest first.
        var response = await p.Anonymous.GetAsync($"/api/catalogue/cooperatives/{p.CooperativeId}");
        var text = await response.Content.ReadAsStringAsync();
        var page = await response.Read<CatalogueCooperativeResponse>();
        Assert.Equal(p.CooperativeId.ToString(), page.CooperativeId);
        Assert.Equal(("HTX Thủy sản Cần Giờ (demo)", "Can Gio Fisheries Cooperative (demo)", (string?)null, 25L, 40L),
            (page.NameVi, page.NameEn, page.Gln, page.MemberCount, page.WorkerCount));
        Assert.Equal(CanGioAddress, page.Address);
        Assert.True(DateTimeOffset.Parse(page.RegisteredAt, System.Globalization.CultureInfo.InvariantCulture) <= DateTimeOffset.UtcNow);
        Assert.Contains(page.CertificationsValidOn, new[] { today.AddDays(3), today.AddDays(4) }.Select(d => d.ToString("yyyy-MM-dd")));
        var ocop = Assert.Single(page.Certifications);
        Assert.Equal(("ocop", 4L, "OCOP-HCM-2025-017", "UBND Thành phố Hồ Chí Minh", today.AddYears(-1).ToString("yyyy-MM-dd"),
            today.AddYears(2).ToString("yyyy-MM-dd")), (ocop.Scheme, ocop.OcopStars, ocop.Number, ocop.Issuer, ocop.ValidFrom, ocop.ValidTo));

        Assert.Equal(
        [
            new CatalogueProduct("Cá dứa tươi", "Fresh catfish", "fish.fresh", "08931234500016", 1),
            new CatalogueProduct("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", null, 2),
            new CatalogueProduct("Tôm khô Cần Giờ", "Dried shrimp", "shrimp.dried", null, 1),
        ], page.Products);

        Assert.Equal([delivered.ToString(), travelling.ToString(), home.ToString()], page.ActiveBatches.Select(b => b.BatchId));
        var cooperativeParty = new CatalogueParty("cooperative", p.CooperativeId.ToString(), "HTX Thủy sản Cần Giờ (demo)");
        var distributorParty = new CatalogueParty("buyer", p.DistributorId.ToString(), "Công ty Phân phối Sài Gòn (demo)");
        var d = page.ActiveBatches[0];
        Assert.Equal(("CAT-003", "active", distributorParty, (CatalogueParty?)null), (d.LotNumber, d.Status, d.Custodian, d.ShippedTo));
        Assert.Equal(page.Products[1], d.Product);
        var t = page.ActiveBatches[1];
        Assert.Equal(("CAT-002", "in_transit", cooperativeParty, (CatalogueParty?)distributorParty), (t.LotNumber, t.Status, t.Custodian, t.ShippedTo));
        Assert.Equal(page.Products[0], t.Product);
        Assert.Equal((80m, "kg"), (t.RegisteredQuantity.GetProperty("amount").GetDecimal(), t.RegisteredQuantity.GetProperty("unit").GetString()));
        var h = page.ActiveBatches[2];
        Assert.Equal(("CAT-001", "active", cooperativeParty, (CatalogueParty?)null), (h.LotNumber, h.Status, h.Custodian, h.ShippedTo));
        Assert.NotEqual(Guid.Empty, travellingShipment);
        Assert.DoesNotContain(recalled.ToString(), text);

        // Organisation data only: no contact person, no tax code.
        Assert.DoesNotContain("Nguyễn Thị Demo", text);
        Assert.DoesNotContain("0909123456", text);
        Assert.DoesNotContain("0312345678", text);

        var saltPage = await (await p.Anonymous.GetAsync($"/api/catalogue/cooperatives/{saltId}")).Read<CatalogueCooperativeResponse>();
        Assert.Equal(("Binh Khanh Sea Salt Cooperative (demo)", "8930000000002", 15L), (saltPage.NameEn, saltPage.Gln, saltPage.WorkerCount));
        Assert.Empty(saltPage.Certifications);
        Assert.Equal([saltBatch.ToString()], saltPage.ActiveBatches.Select(b => b.BatchId));

        Assert.Equal("cooperative.not_found",
            CodeOf(await (await p.Anonymous.GetAsync($"/api/catalogue/cooperatives/{Guid.CreateVersion7()}")).Problem(404)));
    }

    private static async Task<Guid> Grant(CanGioParties p, CertificationScheme scheme, int? stars, string number, DateOnly from, DateOnly to) =>
        (await (await p.Cooperative.PostJson($"/api/cooperatives/{p.CooperativeId}/certifications",
            new GrantCertificationRequest(scheme, stars, number, "UBND Thành phố Hồ Chí Minh", from, to))).Read<CooperativeChanged>()).CertificationId!.Value;
}
