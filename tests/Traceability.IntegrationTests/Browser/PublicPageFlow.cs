using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Traceability.Api.Features.Batches;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Hosting;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Browser;

/// <summary>What the public sees of a batch: its short code, and its GTIN (14 digits) and lot for the Digital Link.</summary>
public sealed record PublicIdentity(Guid BatchId, string PublicCode, string? Gtin14, string LotNumber)
{
    /// <summary><c>p/{code}</c>, relative to the app's base address.</summary>
    public string ShortPath => $"p/{PublicCode}";

    /// <summary><c>01/{gtin14}/10/{lot}</c> (the lot percent-encoded), relative to the app's base address.</summary>
    public string DigitalLinkPath =>
        $"01/{Gtin14 ?? throw new InvalidOperationException("The batch has no GTIN.")}/10/{Uri.EscapeDataString(LotNumber)}";
}

/// <summary>
/// The steps the public page tests share: the live app whose QR codes point at itself, browser contexts with bounded
/// waits, the Cần Giờ dried-fish batch made through the Api, and waiting for the read model to show it.
/// </summary>
public static class PublicPageFlow
{
    /// <summary>Production time in UTC: 18:30 on 14 August is 01:30 on 15 August in Vietnam, the day the page must show.</summary>
    public static readonly DateTimeOffset ProducedAt = new(2025, 8, 14, 18, 30, 0, TimeSpan.Zero);

    public static readonly DateOnly BestBefore = new(2027, 2, 15);

    public const string Landing = "Bến cá Cần Thạnh, xã Cần Giờ";
    public const string DryingYard = "Sân phơi Long Hòa – phơi một nắng";

    /// <summary>A valid GTIN-13 under GS1 Vietnam's prefix 893, its check digit computed.</summary>
    public static Gtin VietnameseGtin(string nineDigits)
    {
        var data = "893" + nineDigits;
        if (data.Length != 12 || !data.All(char.IsAsciiDigit)) throw new ArgumentException("Give nine digits.", nameof(nineDigits));
        var gtin = Gtin.Parse(data + Gtin.CheckDigit(data), "gtin");
        Assert.True(gtin.IsVietnamese);
        return gtin;
    }

    /// <summary>The Api on a loopback socket, with <c>Public:BaseUrl</c> its own address, so a decoded QR code opens on it.</summary>
    public static Task<LiveApp> StartAppAsync() =>
        LiveApp.StartAsync(address => new Dictionary<string, string?> { ["Public:BaseUrl"] = address.ToString() });

    /// <summary>A phone context whose every wait is bounded: 30 s for an action, 45 s for a navigation (CI machines are shared and slow).</summary>
    public static async Task<IBrowserContext> PhoneAsync(this Chromium chromium, string locale = "vi-VN", bool bypassCsp = false)
    {
        var context = await chromium.NewContextAsync(locale, bypassCsp);
        context.SetDefaultTimeout(30_000);
        context.SetDefaultNavigationTimeout(45_000);
        return context;
    }

    /// <summary>Waits (at most a minute) until the projector has applied everything the Api has written so far.</summary>
    public static async Task SettleAsync(LiveApp app)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await app.Services.GetRequiredService<Projector>().WaitForAsync(await FlowSteps.SettleAsync(app.Api), timeout.Token);
    }

    /// <summary>The batch's public identity as the provenance read model holds it (settle first).</summary>
    public static async Task<PublicIdentity> IdentityAsync(LiveApp app, Guid batchId)
    {
        var response = await app.ClientFor(null).GetAsync($"api/provenance/{batchId}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"provenance of {batchId}: {(int)response.StatusCode} {text}");
        var json = JsonDocument.Parse(text).RootElement;
        var code = json.GetProperty("publicCode").GetString();
        Assert.False(string.IsNullOrEmpty(code), $"batch {batchId} has no public code");
        return new PublicIdentity(batchId, code!,
            json.GetProperty("gtin").ValueKind == JsonValueKind.String ? json.GetProperty("gtin").GetString() : null,
            json.GetProperty("lotNumber").GetString()!);
    }

    /// <summary>
    /// Khô cá dứa một nắng through the whole Cần Giờ flow: registered (produced <see cref="ProducedAt"/>, best before
    /// <see cref="BestBefore"/>), received, washed, salted, sun-dried, inspected, packed, stored, shipped to the
    /// distributor and received there: ten events.
    /// </summary>
    public static async Task<Guid> DriedFishAsync(CanGioParties p, StepClock clock, string lot, Gtin? gtin = null)
    {
        var product = new Product("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", gtin);
        var origin = new Origin("Vùng biển Cần Giờ – cửa sông Lòng Tàu", new GeoPoint(10.4114m, 106.9538m), new DateOnly(2025, 8, 13),
            new DateOnly(2025, 8, 14), "Tàu CG-90123-TS");
        var register = await p.Cooperative.PostJson("/api/batches",
            new RegisterBatchRequest(null, product, lot, Kg(120m), origin, ProducedAt, BestBefore, null));
        var id = (await register.Read<BatchChanged>()).BatchId;

        await StepAsync(p.Cooperative, id, "receiving",
            new ReceivingRequest(clock.Next(), Landing, "Cá tươi, ướp đá, còn nguyên con", Kg(118.4m), "Tổ đánh bắt số 3"), 1, "batch.received.v1");
        await StepAsync(p.Cooperative, id, "washing",
            new WashingRequest(clock.Next(), "Nhà sơ chế HTX", null, "Rửa nước muối loãng, bỏ ruột, xẻ bướm"), 2, "batch.washed.v1");
        await StepAsync(p.Cooperative, id, "salting",
            new SaltingRequest(clock.Next(), "Nhà sơ chế HTX", "Muối hột Cần Giờ", 8.5m, 3m), 3, "batch.salted.v1");
        var dryingStart = clock.Next();
        var dryingEnd = clock.Next();
        await StepAsync(p.Cooperative, id, "drying",
            new DryingRequest(clock.Current, DryingYard, "Trời nắng to, gió đông", DryingMethod.Sun, dryingStart, dryingEnd, 38m, Kg(55.2m)), 4,
            "batch.dried.v1");
        await StepAsync(p.Cooperative, id, "inspections",
            new InspectionRequest(clock.Next(), "Phòng kiểm nghiệm HTX", null, "Tổ kiểm soát chất lượng HTX", InspectionResult.Pass,
                [new("Độ ẩm", 38.0m, "%"), new("Hàm lượng muối", 3.2m, "%")], "PKN-2025-017"), 5, "batch.inspected.v1");
        await StepAsync(p.Cooperative, id, "packing",
            new PackingRequest(clock.Next(), "Xưởng đóng gói HTX", "Túi hút chân không 500 g", 110, Kg(0.5m), BestBefore), 6, "batch.packed.v1");
        await StepAsync(p.Cooperative, id, "storage",
            new StorageRequest(clock.Next(), "Kho mát HTX", null, "Khô ráo, thoáng mát", 4m), 7, "batch.stored.v1");
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, id, clock);
        return id;
    }

    /// <summary>
    /// How far the page is wider than the phone's screen, in CSS pixels (0 when it fits): a page that scrolls sideways
    /// hides half of a long name, note or recall reason.
    /// </summary>
    public static Task<int> OverflowAsync(IPage page) =>
        page.EvaluateAsync<int>("() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)");

    /// <summary>
    /// What the page may contain: the elements its template writes and nothing else, no event-handler attribute, no
    /// link or source outside the site. Any other element or attribute is markup a stored string smuggled in — whether
    /// or not it managed to run. Returns the offences found (empty when clean).
    /// </summary>
    public static Task<string[]> MarkupOffencesAsync(IPage page) => page.EvaluateAsync<string[]>("""
        () => {
          const allowed = new Set(['HTML','HEAD','META','TITLE','STYLE','BODY','MAIN','HEADER','P','A','SECTION','STRONG','H1','H2','H3',
            'DL','DT','DD','SMALL','SPAN','OL','UL','LI','FOOTER']);
          const offences = [];
          for (const element of document.querySelectorAll('*')) {
            if (!allowed.has(element.tagName)) offences.push('element ' + element.tagName);
            for (const attribute of element.attributes) {
              const name = attribute.name.toLowerCase();
              if (name.startsWith('on')) offences.push('attribute ' + name + ' on ' + element.tagName);
              if (['href', 'src', 'action', 'formaction', 'data', 'srcdoc', 'xlink:href'].includes(name)
                  && !(element.tagName === 'A' && name === 'href' && attribute.value.startsWith('/')))
                offences.push('attribute ' + name + '=' + attribute.value + ' on ' + element.tagName);
            }
          }
          if (document.querySelectorAll('style').length !== 1) offences.push(document.querySelectorAll('style').length + ' style elements');
          if (document.querySelectorAll('meta').length !== 2) offences.push(document.querySelectorAll('meta').length + ' meta elements');
          return offences;
        }
        """);
}
