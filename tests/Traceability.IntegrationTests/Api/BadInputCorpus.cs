using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.Keys;
using Traceability.Api.Features.PersonalData;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;

namespace Traceability.IntegrationTests.Api;

/// <summary>Who sends a request of the corpus; each is a client of <see cref="CanGioParties"/>.</summary>
public enum Caller
{
    Anonymous,
    Admin,
    Cooperative,
    OtherCooperative,
    Distributor,
    Retailer,
}

/// <summary>
/// What the corpus refers to, set up once per backend: batch A (100 kg, raw, held by the cooperative),
/// batch B (50 kg, shipped to the distributor and not yet received), batch C (recalled), a certification
/// of the cooperative and the id of batch A's registration event.
/// </summary>
public sealed record CorpusFixture(
    DateTimeOffset Now,
    Product Product,
    Guid CooperativeId,
    Guid OtherCooperativeId,
    Guid DistributorId,
    Guid RetailerId,
    Guid BatchId,
    Guid ShippedBatchId,
    Guid ShipmentId,
    Guid RecalledBatchId,
    Guid CertificationId,
    Guid RegisteredEventId);

/// <summary>A valid request: each bad case is one of these with one thing broken.</summary>
public sealed record RequestTemplate(string Name, HttpMethod Method, string Url, Caller As, JsonObject Body)
{
    public byte[] Utf8 => Encoding.UTF8.GetBytes(Body.ToJsonString());

    public override string ToString() => Name;
}

/// <summary>One request that the Api must refuse with <see cref="Expected"/> and a problem document, writing nothing.</summary>
public sealed record BadInputCase(
    string Name,
    HttpMethod Method,
    string Url,
    Caller As,
    string? ContentType,
    byte[]? Body,
    int Expected,
    IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(Method, Url);
        if (Body is not null)
        {
            request.Content = new ByteArrayContent(Body);
            if (ContentType is not null) request.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
        }

        foreach (var (name, value) in Headers)
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase)) request.Headers.Remove("Authorization");
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    public override string ToString() => Name;
}

/// <summary>
/// The bad-input corpus: requests that every write endpoint (and a few reads) must refuse with a 4xx problem,
/// never a 5xx, without changing the store. Built as data from valid <see cref="Templates"/>.
/// </summary>
public static class BadInputCorpus
{
    public const string JsonType = "application/json";

    private static readonly HttpMethod Post = HttpMethod.Post;
    private static readonly HttpMethod Put = HttpMethod.Put;
    private static readonly HttpMethod Get = HttpMethod.Get;
    private static readonly HttpMethod Delete = HttpMethod.Delete;

    /// <summary>NFD: "Cần Giờ" with combining marks instead of precomposed letters.</summary>
    public const string Decomposed = "Ca\u0302\u0300n Gio\u031B\u0300";

    public static JsonObject Node(object value) => JsonSerializer.SerializeToNode(value, value.GetType(), global::Traceability.Api.Infrastructure.Json.Options)!.AsObject();

    /// <summary>One valid request per write endpoint; each is accepted on a fresh fixture (see the templates test).</summary>
    public static IReadOnlyList<RequestTemplate> Templates(CorpusFixture f)
    {
        var now = f.Now;
        var at = now.AddMinutes(-30);
        var yesterday = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1);
        var a = $"/api/batches/{f.BatchId}";
        return
        [
            new("cooperatives.register", Post, "/api/cooperatives", Caller.Admin, Node(CanGioParties.Profile("HTX Kiểm thử đầu vào (demo)"))),
            new("cooperatives.update", Put, $"/api/cooperatives/{f.CooperativeId}", Caller.Cooperative,
                Node(CanGioParties.Profile("HTX Thủy sản Cần Giờ (đổi tên, demo)"))),
            new("certifications.grant", Post, $"/api/cooperatives/{f.CooperativeId}/certifications", Caller.Cooperative,
                Node(new GrantCertificationRequest(CertificationScheme.Ocop, 4, "OCOP-2025-001", "UBND Thành phố Hồ Chí Minh",
                    new DateOnly(2025, 1, 1), new DateOnly(2028, 1, 1)))),
            new("certifications.revoke", Post, $"/api/cooperatives/{f.CooperativeId}/certifications/{f.CertificationId}/revoke", Caller.Cooperative,
                Node(new RevokeCertificationRequest("Hết hiệu lực"))),
            new("buyers.register", Post, "/api/buyers", Caller.Admin, Node(new RegisterBuyerRequest("Đại lý Hải sản Vũng Tàu (demo)", CanGioParties.CanGio))),
            new("keys.issue", Post, "/api/keys", Caller.Admin, Node(new IssueKeyRequest(ApiRole.Buyer, f.DistributorId))),
            new("batches.register", Post, "/api/batches", Caller.Cooperative, Node(new RegisterBatchRequest(null, f.Product, "BI-NEW",
                Kg(20m), new Origin("Vùng biển Cần Giờ", new GeoPoint(10.41m, 106.95m), yesterday, yesterday, "TG-12345"), now.AddHours(-1), null, null))),
            new("steps.receiving", Post, $"{a}/receiving", Caller.Cooperative,
                Node(new ReceivingRequest(at, "Bến cá Cần Thạnh", null, Kg(98.5m), "Tàu TG-12345"))),
            new("steps.washing", Post, $"{a}/washing", Caller.Cooperative, Node(new WashingRequest(at, "Xưởng sơ chế", null, "Nước muối loãng"))),
            new("steps.salting", Post, $"{a}/salting", Caller.Cooperative, Node(new SaltingRequest(at, "Xưởng sơ chế", null, 3.5m, 2m))),
            new("steps.drying", Post, $"{a}/drying", Caller.Cooperative, Node(new DryingRequest(at, "Sân phơi", null, DryingMethod.Sun,
                now.AddMinutes(-100), now.AddMinutes(-35), 35m, Kg(45m)))),
            new("steps.inspections", Post, $"{a}/inspections", Caller.Cooperative, Node(new InspectionRequest(at, "Phòng QC", null,
                "Trung tâm Kiểm nghiệm (demo)", InspectionResult.Pass, [new Measurement("Độ ẩm", 34.5m, "%")], "PKN-001"))),
            new("steps.packing", Post, $"{a}/packing", Caller.Cooperative, Node(new PackingRequest(at, "Xưởng đóng gói", null, 40,
                new Quantity(0.5m, QuantityUnit.Kg), DateOnly.FromDateTime(now.UtcDateTime).AddMonths(6)))),
            new("steps.storage", Post, $"{a}/storage", Caller.Cooperative, Node(new StorageRequest(at, "Kho", null, "Khô ráo, thoáng mát", 18m))),
            new("steps.shipments", Post, $"{a}/shipments", Caller.Cooperative, Node(new ShippingRequest(at, "Cổng xưởng", null, PartyKind.Buyer,
                f.DistributorId, Kg(100m), "Xe tải 51C-12345"))),
            new("steps.receipts", Post, $"/api/batches/{f.ShippedBatchId}/receipts", Caller.Distributor,
                Node(new ReceiptRequest(at, "Kho Quận 1", null, f.ShipmentId, Kg(50m), ReceiptCondition.Good))),
            new("steps.notes", Post, $"{a}/notes", Caller.Cooperative, Node(new NoteRequest(at, "Trời mưa, phơi lại hôm sau."))),
            new("steps.corrections", Post, $"{a}/corrections", Caller.Cooperative,
                Node(new CorrectionRequest(at, f.RegisteredEventId, "lotNumber", "BI-A1", "Gõ nhầm số lô"))),
            new("batches.recall", Post, $"{a}/recall", Caller.Cooperative, Node(new RecallRequest(at, "Phát hiện tạp chất", RecallSeverity.High, null))),
            new("batches.merge", Post, "/api/batches/merge", Caller.Cooperative, Node(new MergeRequest(null, f.Product, "BI-MERGE", Kg(40m),
                [new BatchInput(f.BatchId, Kg(80m))], null, at, null, "Xưởng", null))),
            new("batches.split", Post, $"{a}/split", Caller.Cooperative, Node(new SplitRequest(at, "Xưởng", null,
                [new SplitChildRequest(null, "BI-A-1", Kg(40m)), new SplitChildRequest(null, "BI-A-2", Kg(60m))]))),
            new("contacts.create", Post, $"/api/cooperatives/{f.CooperativeId}/contacts", Caller.Cooperative,
                Node(new ContactRequest("Nguyễn Thị Lan", "+84 901 234 567", "Kế toán"))),
        ];
    }

    public static IReadOnlyList<BadInputCase> Build(CorpusFixture f)
    {
        var b = new Builder();
        var t = Templates(f).ToDictionary(x => x.Name);
        var now = f.Now;
        var future = now.AddMinutes(30);
        var a = $"/api/batches/{f.BatchId}";
        var random = Guid.NewGuid();
        string Iso(DateTimeOffset time) => time.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

        // ---------- 1. Every body template: the same five basic mistakes ----------
        foreach (var template in t.Values)
        {
            var json = template.Body.ToJsonString();
            b.Text("truncated JSON", template, json[..(json.Length / 2)], 400);
            b.Text("trailing garbage after the object", template, json + " {\"x\":1}", 400);
            b.Bytes("text/plain content type", template, template.Utf8, 415, "text/plain; charset=utf-8");
            b.Bytes("empty body", template, [], 400);
            b.Node("unknown top-level field", template, template.Body.With("isAdmin", true), 400);
        }

        // ---------- 2. Malformed JSON and transport on three representative endpoints ----------
        foreach (var (template, stringPath) in new[] { (t["batches.register"], "lotNumber"), (t["steps.notes"], "note"), (t["cooperatives.register"], "nameVi") })
        {
            var json = template.Body.ToJsonString();
            b.Text("line comment", template, "// comment\n" + json, 400);
            b.Text("block comment", template, "{/* comment */" + json[1..], 400);
            b.Text("single-quoted strings", template, json.Replace('"', '\''), 400);
            b.Text("trailing comma", template, json[..^1] + ",}", 400);
            b.Text("unquoted property name", template, "{" + stringPath + ":\"x\"," + json[1..], 400);
            b.Text("JSON null as body", template, "null", 400);
            b.Text("JSON array as body", template, "[]", 400);
            b.Text("JSON string as body", template, "\"hello\"", 400);
            b.Text("JSON number as body", template, "42", 400);
            b.Text("empty object", template, "{}", 400);
            b.Bytes("no Content-Type", template, template.Utf8, 415, contentType: null);
            b.Bytes("XML body and content type", template, Encoding.UTF8.GetBytes("<batch><lot>1</lot></batch>"), 415, "application/xml");
            b.Bytes("form-urlencoded", template, Encoding.UTF8.GetBytes("note=x&lotNumber=y"), 415, "application/x-www-form-urlencoded");
            b.Text("XML body labelled JSON", template, "<batch><lot>1</lot></batch>", 400);
            b.Bytes("invalid UTF-8 (C3 28) in a string", template, template.Body.WithRawBytes(stringPath, [0x22, 0x41, 0xC3, 0x28, 0x22]), 400);
            b.Bytes("invalid UTF-8 (FF) in a string", template, template.Body.WithRawBytes(stringPath, [0x22, 0x41, 0xFF, 0x42, 0x22]), 400);
            b.Bytes("overlong UTF-8 (C0 AF) in a string", template, template.Body.WithRawBytes(stringPath, [0x22, 0xC0, 0xAF, 0x22]), 400);
            b.Bytes("UTF-8-encoded surrogate (ED A0 80)", template, template.Body.WithRawBytes(stringPath, [0x22, 0xED, 0xA0, 0x80, 0x22]), 400);
            b.Bytes("invalid UTF-8 in a property name", template, Encoding.UTF8.GetBytes("{\"").Concat(new byte[] { 0xFE, 0xFF })
                .Concat(Encoding.UTF8.GetBytes("\":1," + json[1..])).ToArray(), 400);
            b.Bytes("UTF-16LE body labelled UTF-8", template, Encoding.Unicode.GetBytes(json), 400);
            b.Bytes("raw BEL byte inside a string", template, template.Body.WithRawBytes(stringPath, [0x22, 0x41, 0x07, 0x42, 0x22]), 400);
            b.Bytes("raw NUL byte inside a string", template, template.Body.WithRawBytes(stringPath, [0x22, 0x41, 0x00, 0x42, 0x22]), 400);
            b.Text("escaped lone surrogate \\uD800", template, template.Body.WithRaw(stringPath, "\"A\\uD800B\""), 400);
            b.Text("nesting deeper than 32", template, template.Body.WithRaw(stringPath, new string('[', 40) + new string(']', 40)), 400);
            b.Text("$type metadata property", template, "{\"$type\":\"Admin\"," + json[1..], 400);
            b.Bytes("2 MB body", template, Padded(json, 2 * 1024 * 1024), 413);
            b.Bytes("300 KB body", template, Padded(json, 300 * 1024), 413);
        }

        // ---------- 3. Cooperatives (admin registers, the cooperative updates) ----------
        var coop = t["cooperatives.register"];
        b.Node("nameVi empty", coop, coop.Body.With("nameVi", ""), 400);
        b.Node("nameVi whitespace only", coop, coop.Body.With("nameVi", "   "), 400);
        b.Node("nameVi 10k characters", coop, coop.Body.With("nameVi", new string('H', 10_000)), 400);
        b.Node("nameVi null", coop, coop.Body.With("nameVi", null), 400);
        b.Node("nameVi missing", coop, coop.Body.Without("nameVi"), 400);
        b.Node("nameVi a number", coop, coop.Body.With("nameVi", 123), 400);
        b.Node("nameVi an object", coop, coop.Body.With("nameVi", new JsonObject { ["vi"] = "HTX" }), 400);
        b.Node("nameVi decomposed (NFD)", coop, coop.Body.With("nameVi", "HTX " + Decomposed), 400);
        b.Node("nameVi with NUL", coop, coop.Body.With("nameVi", "HTX\u0000Cần Giờ"), 400);
        b.Node("nameEn with BEL", coop, coop.Body.With("nameEn", "Can\u0007Gio"), 400);
        b.Node("address null", coop, coop.Body.With("address", null), 400);
        b.Node("address an array", coop, coop.Body.With("address", new JsonArray()), 400);
        b.Node("address.communeWardCode missing", coop, coop.Body.Without("address.communeWardCode"), 400);
        b.Node("address.communeWardCode 4 digits", coop, coop.Body.With("address.communeWardCode", "2767"), 400);
        b.Node("address.communeWardCode letters", coop, coop.Body.With("address.communeWardCode", "2767a"), 400);
        b.Node("address.provinceCityCode a number", coop, coop.Body.With("address.provinceCityCode", 79), 400);
        b.Node("address.street with ESC", coop, coop.Body.With("address.street", "Ấp\u001BLong Thạnh"), 400);
        b.Node("address unknown field", coop, coop.Body.With("address.district", "Quận 1"), 400);
        b.Node("gln 3 digits", coop, coop.Body.With("gln", "123"), 400);
        b.Node("gln wrong check digit", coop, coop.Body.With("gln", WrongCheckDigit("893123456789")), 400);
        b.Node("taxCode 9 digits", coop, coop.Body.With("taxCode", "031234567"), 400);
        b.Node("taxCode branch suffix of 2", coop, coop.Body.With("taxCode", "0312345678-12"), 400);
        b.Node("taxCode trailing newline", coop, coop.Body.With("taxCode", "0312345678\n"), 400);
        b.Node("memberCount negative", coop, coop.Body.With("memberCount", -1), 400);
        b.Node("memberCount above a million", coop, coop.Body.With("memberCount", 1_000_001), 400);
        b.Node("memberCount as a string", coop, coop.Body.With("memberCount", "25"), 400);
        b.Node("memberCount fractional", coop, coop.Body.With("memberCount", 2.5m), 400);
        b.Text("memberCount 1e10 overflows int", coop, coop.Body.WithRaw("memberCount", "1e10"), 400);
        b.Node("memberCount null", coop, coop.Body.With("memberCount", null), 400);
        b.Node("memberCount a boolean", coop, coop.Body.With("memberCount", true), 400);
        b.Node("workerCount negative", coop, coop.Body.With("workerCount", -5), 400);
        b.Node("productCategories 51 entries", coop, coop.Body.With("productCategories", new JsonArray(Enumerable.Range(0, 51).Select(i => (JsonNode?)$"c{i}").ToArray())), 400);
        b.Node("productCategories empty entry", coop, coop.Body.With("productCategories", new JsonArray("")), 400);
        b.Node("productCategories null entry", coop, coop.Body.With("productCategories", new JsonArray((JsonNode?)null)), 400);
        b.Node("productCategories a string", coop, coop.Body.With("productCategories", "fish.one_sun"), 400);
        b.Node("productCategories null", coop, coop.Body.With("productCategories", null), 400);
        b.Node("registered by a cooperative", coop with { As = Caller.Cooperative }, coop.Body, 403);
        b.Node("registered anonymously", coop with { As = Caller.Anonymous }, coop.Body, 401);

        var update = t["cooperatives.update"];
        b.Node("nameVi empty", update, update.Body.With("nameVi", ""), 400);
        b.Node("memberCount negative", update, update.Body.With("memberCount", -1), 400);
        b.Node("unknown cooperative (admin)", update with { Url = $"/api/cooperatives/{random}", As = Caller.Admin }, update.Body, 404);
        b.Node("another cooperative's profile", update with { As = Caller.OtherCooperative }, update.Body, 403);
        b.Node("If-Match garbage", update, update.Body, 400, ("If-Match", "abc"));
        b.Node("If-Match stale revision", update, update.Body, 412, ("If-Match", "\"7\""));

        // ---------- 4. Certifications ----------
        var grant = t["certifications.grant"];
        b.Node("unknown scheme", grant, grant.Body.With("scheme", "fairtrade"), 400);
        b.Node("scheme as integer", grant, grant.Body.With("scheme", 2), 400);
        b.Node("OCOP without stars", grant, grant.Body.With("ocopStars", null), 422);
        b.Node("OCOP with 6 stars", grant, grant.Body.With("ocopStars", 6), 422);
        b.Node("stars on VietGAP", grant, grant.Body.With("scheme", "viet_gap"), 422);
        b.Node("ocopStars as a string", grant, grant.Body.With("ocopStars", "4"), 400);
        b.Node("validTo before validFrom", grant, grant.Body.With("validTo", "2024-12-31"), 422);
        b.Node("validFrom 30 February", grant, grant.Body.With("validFrom", "2025-02-30"), 400);
        b.Node("validFrom in dd/MM/yyyy", grant, grant.Body.With("validFrom", "01/02/2025"), 400);
        b.Node("validFrom a timestamp", grant, grant.Body.With("validFrom", "2025-01-01T00:00:00Z"), 400);
        b.Node("number empty", grant, grant.Body.With("number", ""), 400);
        b.Node("number with NUL", grant, grant.Body.With("number", "OCOP\u00002025"), 400);
        b.Node("issuer 10k characters", grant, grant.Body.With("issuer", new string('U', 10_000)), 400);
        b.Node("issuer missing", grant, grant.Body.Without("issuer"), 400);
        b.Node("unknown cooperative (admin)", grant with { Url = $"/api/cooperatives/{random}/certifications", As = Caller.Admin }, grant.Body, 404);
        b.Node("cooperative id not a guid", grant with { Url = "/api/cooperatives/not-a-guid/certifications" }, grant.Body, 404);

        var revoke = t["certifications.revoke"];
        b.Node("unknown certification", revoke with { Url = $"/api/cooperatives/{f.CooperativeId}/certifications/{random}/revoke" }, revoke.Body, 404);
        b.Node("reason empty", revoke, revoke.Body.With("reason", ""), 400);
        b.Node("reason null", revoke, revoke.Body.With("reason", null), 400);
        b.Node("reason 501 characters", revoke, revoke.Body.With("reason", new string('r', 501)), 400);

        // ---------- 5. Buyers and keys (admin) ----------
        var buyer = t["buyers.register"];
        b.Node("name empty", buyer, buyer.Body.With("name", ""), 400);
        b.Node("name 10k characters", buyer, buyer.Body.With("name", new string('B', 10_000)), 400);
        b.Node("name null", buyer, buyer.Body.With("name", null), 400);
        b.Node("name with NUL", buyer, buyer.Body.With("name", "Đại lý\u0000"), 400);
        b.Node("name decomposed (NFD)", buyer, buyer.Body.With("name", "Đại lý " + Decomposed), 400);
        b.Node("name an array", buyer, buyer.Body.With("name", new JsonArray("a", "b")), 400);
        b.Node("address a string", buyer, buyer.Body.With("address", "12 Lê Lợi"), 400);
        b.Node("address.communeWard missing", buyer, buyer.Body.Without("address.communeWard"), 400);
        b.Node("address.street with NUL", buyer, buyer.Body.With("address.street", "12\u0000Lê Lợi"), 400);
        b.Node("address.communeWardCode letters", buyer, buyer.Body.With("address.communeWardCode", "abcde"), 400);
        b.Node("registered by a cooperative", buyer with { As = Caller.Cooperative }, buyer.Body, 403);

        var key = t["keys.issue"];
        b.Node("unknown role", key, key.Body.With("role", "root"), 400);
        b.Node("role as integer", key, key.Body.With("role", 0), 400);
        b.Node("role missing", key, key.Body.Without("role"), 400);
        b.Node("partyId not a guid", key, key.Body.With("partyId", "not-a-guid"), 400);
        b.Node("partyId a number", key, key.Body.With("partyId", 42), 400);
        b.Node("unknown buyer", key, key.Body.With("partyId", random.ToString()), 404);
        b.Node("cooperative role, unknown cooperative", key, key.Body.With("role", "cooperative").With("partyId", random.ToString()), 404);
        b.Node("buyer role naming a cooperative", key, key.Body.With("partyId", f.CooperativeId.ToString()), 404);
        b.Node("admin key with a party", key, key.Body.With("role", "admin"), 400);
        b.Node("issued by a cooperative", key with { As = Caller.Cooperative }, key.Body, 403);
        b.Request("keys.revoke: unknown key", Post, $"/api/keys/{random}/revoke", Caller.Admin, 404);
        b.Request("keys.revoke: key id not a guid", Post, "/api/keys/not-a-guid/revoke", Caller.Admin, 404);

        // ---------- 6. Batch registration ----------
        var reg = t["batches.register"];
        var goodGtin = WithCheckDigit("893123456789");
        b.Node("GTIN wrong check digit", reg, reg.Body.With("product.gtin", WrongCheckDigit("893123456789")), 400);
        b.Node("GTIN with letters", reg, reg.Body.With("product.gtin", "89312345678AB"), 400);
        b.Node("GTIN 11 digits", reg, reg.Body.With("product.gtin", goodGtin[..11]), 400);
        b.Node("GTIN as a number", reg, reg.Body.With("product.gtin", 8931234567890L), 400);
        b.Node("GTIN with spaces", reg, reg.Body.With("product.gtin", " " + goodGtin + " "), 400);
        b.Node("quantity negative", reg, reg.Body.With("quantity.amount", -1), 400);
        b.Node("quantity zero", reg, reg.Body.With("quantity.amount", 0), 400);
        b.Node("quantity as a string", reg, reg.Body.With("quantity.amount", "20"), 400);
        b.Node("quantity \"NaN\" as a string", reg, reg.Body.With("quantity.amount", "NaN"), 400);
        b.Text("quantity NaN literal", reg, reg.Body.WithRaw("quantity.amount", "NaN"), 400);
        b.Text("quantity Infinity literal", reg, reg.Body.WithRaw("quantity.amount", "Infinity"), 400);
        b.Text("quantity 1e30 overflows decimal", reg, reg.Body.WithRaw("quantity.amount", "1e30"), 400);
        b.Text("quantity 29-digit integer overflows decimal", reg, reg.Body.WithRaw("quantity.amount", "79228162514264337593543950336"), 400);
        b.Text("quantity decimal.MaxValue tonnes", reg, reg.Body.With("quantity.unit", "t").WithRaw("quantity.amount", "79228162514264337593543950335"), 400);
        b.Node("quantity 7 decimals", reg, reg.Body.With("quantity.amount", 1.1234567m), 400);
        b.Node("quantity 2 billion kg", reg, reg.Body.With("quantity.amount", 2_000_000_000m), 400);
        b.Node("quantity 2 million t", reg, reg.Body.With("quantity", new JsonObject { ["amount"] = 2_000_000m, ["unit"] = "t" }), 400);
        b.Node("unit lb", reg, reg.Body.With("quantity.unit", "lb"), 400);
        b.Node("unit as integer", reg, reg.Body.With("quantity.unit", 0), 400);
        b.Node("quantity null", reg, reg.Body.With("quantity", null), 400);
        b.Node("quantity an array", reg, reg.Body.With("quantity", new JsonArray(20, "kg")), 400);
        b.Node("quantity unknown field", reg, reg.Body.With("quantity.precision", 2), 400);
        b.Node("lotNumber empty", reg, reg.Body.With("lotNumber", ""), 400);
        b.Node("lotNumber 41 characters", reg, reg.Body.With("lotNumber", new string('L', 41)), 400);
        b.Node("lotNumber with carriage return", reg, reg.Body.With("lotNumber", "BI\r001"), 400);
        b.Node("lotNumber null", reg, reg.Body.With("lotNumber", null), 400);
        b.Node("lotNumber already used for the product", reg, reg.Body.With("lotNumber", "BI-A"), 422);
        b.Node("product.nameVi decomposed (NFD)", reg, reg.Body.With("product.nameVi", "Khô cá " + Decomposed), 400);
        b.Node("product.category 61 characters", reg, reg.Body.With("product.category", new string('c', 61)), 400);
        b.Node("product null", reg, reg.Body.With("product", null), 400);
        b.Node("producedAt 30 minutes in the future", reg, reg.Body.With("producedAt", Iso(future)).With("origin", null), 400);
        b.Node("producedAt year 9999", reg, reg.Body.With("producedAt", "9999-12-31T23:59:59Z"), 400);
        b.Node("producedAt month 13", reg, reg.Body.With("producedAt", "2025-13-01T00:00:00Z"), 400);
        b.Node("producedAt not a date", reg, reg.Body.With("producedAt", "yesterday"), 400);
        b.Node("producedAt before UTC year 1", reg, reg.Body.With("producedAt", "0001-01-01T00:00:00+14:00"), 400);
        b.Node("producedAt as a number", reg, reg.Body.With("producedAt", 1735689600), 400);
        b.Node("bestBefore before production", reg, reg.Body.With("bestBefore", "2020-01-01"), 400);
        b.Node("declaredYield zero", reg, reg.Body.With("declaredYield", 0), 400);
        b.Node("declaredYield 1.5", reg, reg.Body.With("declaredYield", 1.5m), 400);
        b.Node("origin latitude 91", reg, reg.Body.With("origin.location.latitude", 91), 400);
        b.Node("origin harvest ends before it starts", reg, reg.Body.With("origin.harvestFrom", "2030-01-02").With("origin.harvestTo", "2030-01-01"), 400);
        b.Node("origin harvest in the future", reg, reg.Body.With("origin.harvestTo", DateOnly.FromDateTime(now.UtcDateTime).AddDays(30).ToString("O")), 400);
        b.Node("origin area empty", reg, reg.Body.With("origin.area", ""), 400);
        b.Node("origin vesselOrHouseholdRef with BEL", reg, reg.Body.With("origin.vesselOrHouseholdRef", "TG\u000712345"), 400);
        b.Node("batchId not a guid", reg, reg.Body.With("batchId", "not-a-guid"), 400);
        b.Node("batchId of an existing batch", reg, reg.Body.With("batchId", f.BatchId.ToString()), 422);
        b.Node("registered by a buyer", reg with { As = Caller.Distributor }, reg.Body, 403);
        b.Node("registered by the admin", reg with { As = Caller.Admin }, reg.Body, 403);
        b.Node("garbage bearer token", reg with { As = Caller.Anonymous }, reg.Body, 401, ("Authorization", "Bearer not-a-key"));
        b.Node("well-formed but unknown key", reg with { As = Caller.Anonymous }, reg.Body, 401,
            ("Authorization", "Bearer " + ApiKeys.Create(Guid.NewGuid()).Key));

        // ---------- 7. Processing steps on batch A ----------
        foreach (var step in new[] { "steps.receiving", "steps.washing", "steps.salting", "steps.drying", "steps.inspections", "steps.packing",
                     "steps.storage", "steps.shipments", "steps.receipts", "steps.notes", "steps.corrections", "batches.recall", "batches.split" })
        {
            var template = t[step];
            var suffix = template.Url[(template.Url.LastIndexOf('/') + 1)..];
            b.Node("unknown batch", template with { Url = $"/api/batches/{random}/{suffix}" }, template.Body, 404);
        }

        foreach (var step in new[] { "steps.washing", "steps.storage", "steps.notes", "batches.recall" })
        {
            var template = t[step];
            b.Node("occurredAt 30 minutes in the future", template, template.Body.With("occurredAt", Iso(future)), 400);
            b.Node("occurredAt missing", template, template.Body.Without("occurredAt"), 400);
        }

        var receiving = t["steps.receiving"];
        b.Node("quantity in pieces on a kg batch", receiving, receiving.Body.With("quantity.unit", "piece"), 400);
        b.Node("quantity negative", receiving, receiving.Body.With("quantity.amount", -5), 400);
        b.Node("occurredAt year 1 with +14:00", receiving, receiving.Body.With("occurredAt", "0001-01-01T00:00:00+14:00"), 400);
        b.Node("place with NUL", receiving, receiving.Body.With("place", "Bến\u0000cá"), 400);
        b.Node("supplierRef with NUL", receiving, receiving.Body.With("supplierRef", "Tàu\u0000TG"), 400);

        var washing = t["steps.washing"];
        b.Node("method 201 characters", washing, washing.Body.With("method", new string('m', 201)), 400);
        b.Node("method with BEL", washing, washing.Body.With("method", "Nước\u0007muối"), 400);
        b.Node("place 10k characters", washing, washing.Body.With("place", new string('p', 10_000)), 400);
        b.Node("occurredAt before the batch was produced", washing, washing.Body.With("occurredAt", Iso(now.AddHours(-3))), 422);
        b.Node("occurredAt year 1", washing, washing.Body.With("occurredAt", "0001-01-01T00:00:00Z"), 422);
        b.Node("on the batch in transit", washing with { Url = $"/api/batches/{f.ShippedBatchId}/washing" }, washing.Body, 422);
        b.Node("on the recalled batch", washing with { Url = $"/api/batches/{f.RecalledBatchId}/washing" }, washing.Body, 422);
        b.Node("by a cooperative that does not hold it", washing with { As = Caller.OtherCooperative }, washing.Body, 403);
        b.Node("If-Match garbage", washing, washing.Body, 400, ("If-Match", "abc"));
        b.Node("If-Match weak", washing, washing.Body, 400, ("If-Match", "W/\"0\""));
        b.Node("If-Match negative", washing, washing.Body, 400, ("If-Match", "\"-1\""));
        b.Node("If-Match beyond long", washing, washing.Body, 400, ("If-Match", "\"99999999999999999999\""));
        b.Node("If-Match empty tag", washing, washing.Body, 400, ("If-Match", "\"\""));
        b.Node("If-Match * with a bad method", washing, washing.Body.With("method", "x\u0000"), 400, ("If-Match", "*"));
        b.Node("If-Match stale revision", washing, washing.Body, 412, ("If-Match", "\"5\""));
        b.Node("Idempotency-Key with spaces", washing, washing.Body, 400, ("Idempotency-Key", "my retry key"));
        b.Node("Idempotency-Key 200 characters", washing, washing.Body, 400, ("Idempotency-Key", new string('k', 200)));
        b.Node("Idempotency-Key 101 characters", washing, washing.Body, 400, ("Idempotency-Key", new string('k', 101)));
        b.Node("Idempotency-Key with a tab", washing, washing.Body, 400, ("Idempotency-Key", "key\tone"));
        b.Node("Idempotency-Key not ASCII", washing, washing.Body, 400, ("Idempotency-Key", "khóa-1"));

        var salting = t["steps.salting"];
        b.Node("saltPercent zero", salting, salting.Body.With("saltPercent", 0), 400);
        b.Node("saltPercent 101", salting, salting.Body.With("saltPercent", 101), 400);
        b.Node("saltPercent \"NaN\" as a string", salting, salting.Body.With("saltPercent", "NaN"), 400);
        b.Text("saltPercent -Infinity literal", salting, salting.Body.WithRaw("saltPercent", "-Infinity"), 400);
        b.Node("saltPercent null", salting, salting.Body.With("saltPercent", null), 400);
        b.Node("durationHours negative", salting, salting.Body.With("durationHours", -1), 400);
        b.Node("durationHours 721", salting, salting.Body.With("durationHours", 721), 400);
        b.Text("durationHours hexadecimal", salting, salting.Body.WithRaw("durationHours", "0x10"), 400);
        b.Text("durationHours leading zero", salting, salting.Body.WithRaw("durationHours", "012"), 400);

        var drying = t["steps.drying"];
        b.Node("unknown method", drying, drying.Body.With("method", "microwave"), 400);
        b.Node("method as integer", drying, drying.Body.With("method", 1), 400);
        b.Node("ends before it starts", drying, drying.Body.With("endedAt", Iso(now.AddMinutes(-110))), 400);
        b.Node("ends in the future", drying, drying.Body.With("endedAt", Iso(future)), 400);
        b.Node("starts before the batch was produced", drying, drying.Body.With("startedAt", Iso(now.AddHours(-3))), 422);
        b.Node("finalMoisturePercent 101", drying, drying.Body.With("finalMoisturePercent", 101), 400);
        b.Node("output in pieces", drying, drying.Body.With("output.unit", "piece"), 400);
        b.Node("output beyond the one-sun yield", drying, drying.Body.With("output.amount", 100), 422);
        b.Node("startedAt not a date", drying, drying.Body.With("startedAt", "2025-06-31T08:00:00Z"), 400);

        var inspect = t["steps.inspections"];
        b.Node("inspector empty", inspect, inspect.Body.With("inspector", ""), 400);
        b.Node("unknown result", inspect, inspect.Body.With("result", "maybe"), 400);
        b.Node("result as integer", inspect, inspect.Body.With("result", 0), 400);
        b.Node("51 measurements", inspect, inspect.Body.With("measurements", new JsonArray(Enumerable.Range(0, 51)
            .Select(i => (JsonNode?)new JsonObject { ["name"] = $"m{i}", ["value"] = i, ["unit"] = "%" }).ToArray())), 400);
        b.Node("measurement name with NUL", inspect, inspect.Body.With("measurements.0.name", "Độ\u0000ẩm"), 400);
        b.Node("measurement null", inspect, inspect.Body.With("measurements", new JsonArray((JsonNode?)null)), 400);
        b.Node("measurement value \"NaN\"", inspect, inspect.Body.With("measurements.0.value", "NaN"), 400);
        b.Node("measurements an object", inspect, inspect.Body.With("measurements", new JsonObject { ["name"] = "x" }), 400);
        b.Node("documentRef 201 characters", inspect, inspect.Body.With("documentRef", new string('d', 201)), 400);

        var pack = t["steps.packing"];
        b.Node("packCount zero", pack, pack.Body.With("packCount", 0), 400);
        b.Node("packCount negative", pack, pack.Body.With("packCount", -1), 400);
        b.Node("packCount fractional", pack, pack.Body.With("packCount", 1.5m), 400);
        b.Text("packCount 1e10 overflows int", pack, pack.Body.WithRaw("packCount", "10000000000"), 400);
        b.Node("packSize unit box", pack, pack.Body.With("packSize.unit", "box"), 400);
        b.Node("packs exceed what is on hand", pack, pack.Body.With("packCount", 400), 422);
        b.Node("bestBefore before packing", pack, pack.Body.With("bestBefore", "2020-01-01"), 400);
        b.Node("packSize 1e25 kg × a million packs", pack, pack.Body.With("packSize.amount", 10_000_000_000_000_000_000_000_000m).With("packCount", 1_000_000), 400);

        var store = t["steps.storage"];
        b.Node("temperatureC 61", store, store.Body.With("temperatureC", 61), 400);
        b.Node("temperatureC -273", store, store.Body.With("temperatureC", -273), 400);
        b.Node("temperatureC a word", store, store.Body.With("temperatureC", "cold"), 400);
        b.Node("conditions with NUL", store, store.Body.With("conditions", "Khô\u0000ráo"), 400);

        var ship = t["steps.shipments"];
        b.Node("unknown toKind", ship, ship.Body.With("toKind", "supplier"), 400);
        b.Node("toKind as integer", ship, ship.Body.With("toKind", 1), 400);
        b.Node("unknown receiving buyer", ship, ship.Body.With("toPartyId", random.ToString()), 422);
        b.Node("unknown receiving cooperative", ship, ship.Body.With("toKind", "cooperative").With("toPartyId", random.ToString()), 422);
        b.Node("buyer kind naming a cooperative", ship, ship.Body.With("toPartyId", f.OtherCooperativeId.ToString()), 422);
        b.Node("toPartyId not a guid", ship, ship.Body.With("toPartyId", "distributor"), 400);
        b.Node("to itself", ship, ship.Body.With("toKind", "cooperative").With("toPartyId", f.CooperativeId.ToString()), 422);
        b.Node("part of the batch", ship, ship.Body.With("quantity.amount", 50), 422);
        b.Node("more than on hand", ship, ship.Body.With("quantity.amount", 200), 422);
        b.Node("transport with BEL", ship, ship.Body.With("transport", "Xe\u0007tải"), 400);

        var receipt = t["steps.receipts"];
        b.Node("unknown shipment", receipt, receipt.Body.With("shipmentId", random.ToString()), 422);
        b.Node("unknown condition", receipt, receipt.Body.With("condition", "lost"), 400);
        b.Node("condition as integer", receipt, receipt.Body.With("condition", 0), 400);
        b.Node("more than shipped", receipt, receipt.Body.With("quantity.amount", 60), 422);
        b.Node("quantity negative", receipt, receipt.Body.With("quantity.amount", -1), 400);
        b.Node("by a party it was not shipped to", receipt with { As = Caller.Retailer }, receipt.Body, 403);
        b.Node("on a batch not in transit", receipt with { Url = $"{a}/receipts" }, receipt.Body, 403);

        var note = t["steps.notes"];
        b.Node("note empty", note, note.Body.With("note", ""), 400);
        b.Node("note null", note, note.Body.With("note", null), 400);
        b.Node("note 2001 characters", note, note.Body.With("note", new string('n', 2001)), 400);
        b.Node("note 10k characters", note, note.Body.With("note", new string('n', 10_000)), 400);
        b.Node("note with NUL", note, note.Body.With("note", "Ghi\u0000chú"), 400);
        b.Node("note with BEL", note, note.Body.With("note", "Ghi\u0007chú"), 400);
        b.Node("note with DEL", note, note.Body.With("note", "Ghi\u007Fchú"), 400);
        b.Node("note with NEL (C1 control)", note, note.Body.With("note", "Ghi\u0085chú"), 400);
        b.Node("note decomposed (NFD)", note, note.Body.With("note", Decomposed), 400);
        b.Node("note a number", note, note.Body.With("note", 42), 400);
        b.Node("note by a party that never held it", note with { As = Caller.Retailer }, note.Body, 403);

        var correct = t["steps.corrections"];
        b.Node("unknown corrected event", correct, correct.Body.With("correctedEventId", random.ToString()), 422);
        b.Node("correctedEventId not a guid", correct, correct.Body.With("correctedEventId", "abc"), 400);
        b.Node("field empty", correct, correct.Body.With("field", ""), 400);
        b.Node("correctValue 501 characters", correct, correct.Body.With("correctValue", new string('v', 501)), 400);
        b.Node("reason null", correct, correct.Body.With("reason", null), 400);

        var recall = t["batches.recall"];
        b.Node("unknown severity", recall, recall.Body.With("severity", "critical"), 400);
        b.Node("severity as integer", recall, recall.Body.With("severity", 2), 400);
        b.Node("reason empty", recall, recall.Body.With("reason", ""), 400);
        b.Node("reason 501 characters", recall, recall.Body.With("reason", new string('r', 501)), 400);
        b.Node("note with NUL", recall, recall.Body.With("note", "x\u0000"), 400);
        b.Node("already recalled", recall with { Url = $"/api/batches/{f.RecalledBatchId}/recall" }, recall.Body, 422);
        b.Node("by another cooperative", recall with { As = Caller.OtherCooperative }, recall.Body, 403);

        // ---------- 8. Merge and split ----------
        var merge = t["batches.merge"];
        b.Node("no inputs", merge, merge.Body.With("inputs", new JsonArray()), 400);
        b.Node("inputs null", merge, merge.Body.With("inputs", null), 400);
        b.Node("null input", merge, merge.Body.With("inputs", new JsonArray((JsonNode?)null)), 400);
        b.Node("101 inputs", merge, merge.Body.With("inputs", new JsonArray(Enumerable.Range(0, 101)
            .Select(_ => (JsonNode?)new JsonObject { ["batchId"] = Guid.NewGuid().ToString(), ["quantityUsed"] = new JsonObject { ["amount"] = 1, ["unit"] = "kg" } })
            .ToArray())), 400);
        b.Node("unknown input", merge, merge.Body.With("inputs.0.batchId", random.ToString()), 422);
        b.Node("same input twice", merge, merge.Body.With("inputs", new JsonArray(merge.Body["inputs"]![0]!.DeepClone(), merge.Body["inputs"]![0]!.DeepClone())), 400);
        b.Node("output beyond the yield", merge, merge.Body.With("output.amount", 60), 422);
        b.Node("input more than on hand", merge, merge.Body.With("inputs.0.quantityUsed.amount", 200), 422);
        b.Node("input quantity zero", merge, merge.Body.With("inputs.0.quantityUsed.amount", 0), 400);
        b.Node("recalled input", merge, merge.Body.With("inputs.0.batchId", f.RecalledBatchId.ToString()), 422);
        b.Node("input in transit", merge, merge.Body.With("inputs.0.batchId", f.ShippedBatchId.ToString()), 422);
        b.Node("newBatchId of an existing batch", merge, merge.Body.With("newBatchId", f.ShippedBatchId.ToString()), 422);
        b.Node("lotNumber empty", merge, merge.Body.With("lotNumber", ""), 400);
        b.Node("GTIN wrong check digit", merge, merge.Body.With("product.gtin", WrongCheckDigit("893123456789")), 400);
        b.Node("producedAt in the future", merge, merge.Body.With("producedAt", Iso(future)), 400);
        b.Node("note with NUL", merge, merge.Body.With("note", "Gộp\u0000lô"), 400);
        b.Node("place decomposed (NFD)", merge, merge.Body.With("place", Decomposed), 400);

        var split = t["batches.split"];
        b.Node("one child", split, split.Body.With("children", new JsonArray(split.Body["children"]![0]!.DeepClone())), 400);
        b.Node("children null", split, split.Body.With("children", null), 400);
        b.Node("null child", split, split.Body.With("children.1", null), 400);
        b.Node("101 children", split, split.Body.With("children", new JsonArray(Enumerable.Range(0, 101)
            .Select(i => (JsonNode?)new JsonObject { ["batchId"] = null, ["lotNumber"] = $"S-{i}", ["quantity"] = new JsonObject { ["amount"] = 0.5m, ["unit"] = "kg" } })
            .ToArray())), 400);
        b.Node("same lot twice", split, split.Body.With("children.1.lotNumber", "BI-A-1"), 400);
        b.Node("child lot empty", split, split.Body.With("children.1.lotNumber", ""), 400);
        b.Node("children exceed the parent", split, split.Body.With("children.0.quantity.amount", 60), 422);
        b.Node("child in pieces", split, split.Body.With("children.0.quantity.unit", "piece"), 400);
        b.Node("child with the parent's id", split, split.Body.With("children.0.batchId", f.BatchId.ToString()), 422);
        b.Node("occurredAt in the future", split, split.Body.With("occurredAt", Iso(future)), 400);
        b.Node("note with NUL", split, split.Body.With("note", "Tách\u0000lô"), 400);
        b.Node("place with BEL", split, split.Body.With("place", "Xưởng\u0007"), 400);
        b.Node("on the recalled batch", split with { Url = $"/api/batches/{f.RecalledBatchId}/split" }, split.Body, 422);

        // ---------- 9. Contacts (personal data) ----------
        var contact = t["contacts.create"];
        b.Node("name empty", contact, contact.Body.With("name", ""), 400);
        b.Node("name 10k characters", contact, contact.Body.With("name", new string('N', 10_000)), 400);
        b.Node("name with NUL", contact, contact.Body.With("name", "Lan\u0000"), 400);
        b.Node("name decomposed (NFD)", contact, contact.Body.With("name", Decomposed), 400);
        b.Node("phone letters", contact, contact.Body.With("phone", "call me"), 400);
        b.Node("phone 21 characters", contact, contact.Body.With("phone", new string('9', 21)), 400);
        b.Node("phone a number", contact, contact.Body.With("phone", 901234567), 400);
        b.Node("role 101 characters", contact, contact.Body.With("role", new string('r', 101)), 400);
        b.Node("another cooperative's contacts", contact with { As = Caller.OtherCooperative }, contact.Body, 403);

        // ---------- 10. Garbage in ids and paths, wrong methods, reads ----------
        var noteBody = note.Body;
        b.Node("path: batch id not a guid", note with { Url = "/api/batches/not-a-guid/drying" }, noteBody, 404);
        b.Node("path: traversal in the batch id", note with { Url = "/api/batches/..%2F..%2Fetc%2Fpasswd/notes" }, noteBody, 404);
        b.Node("path: SQL in the batch id", note with { Url = $"/api/batches/{f.BatchId}'%20OR%201=1--/notes" }, noteBody, 404);
        b.Node("path: 5000-character batch id", note with { Url = $"/api/batches/{new string('a', 5000)}/notes" }, noteBody, 404);
        b.Node("path: unknown step", note with { Url = $"{a}/frying" }, noteBody, 404);
        b.Request("read: unknown batch", Get, $"/api/batches/{random}", Caller.Anonymous, 404);
        b.Request("read: unknown batch, id in N format", Get, $"/api/batches/{random:N}", Caller.Anonymous, 404);
        b.Request("read: verify unknown batch", Get, $"/api/batches/{random}/verify", Caller.Anonymous, 404);
        b.Request("read: history of unknown batch", Get, $"/api/batches/{random}/history", Caller.Admin, 404);
        b.Request("read: batch id not a guid", Get, "/api/batches/not-a-guid", Caller.Anonymous, 404);
        b.Request("read: traversal", Get, "/api/batches/..%2F..%2Fetc", Caller.Anonymous, 404);
        b.Request("read: unknown cooperative", Get, $"/api/cooperatives/{random}", Caller.Anonymous, 404);
        b.Request("read: unknown buyer", Get, $"/api/buyers/{random}", Caller.Anonymous, 404);
        b.Request("read: unknown contact", Get, $"/api/cooperatives/{f.CooperativeId}/contacts/{random}", Caller.Cooperative, 404);
        b.Request("erase: unknown contact", Delete, $"/api/cooperatives/{f.CooperativeId}/contacts/{random}", Caller.Cooperative, 404);
        b.Request("read: history anonymously", Get, $"{a}/history", Caller.Anonymous, 401);
        b.Request("read: history by a party that never held it", Get, $"{a}/history", Caller.Retailer, 403);
        b.Request("method: PUT on the batch collection", Put, "/api/batches", Caller.Cooperative, 405);
        b.Request("method: DELETE a batch", Delete, a, Caller.Cooperative, 405);

        return b.Cases;
    }

    public static string WithCheckDigit(string data) => data + Gtin.CheckDigit(data);

    public static string WrongCheckDigit(string data) => data + (Gtin.CheckDigit(data) + 1) % 10;

    /// <summary>A JSON object padded with whitespace to exactly <paramref name="size"/> bytes (valid JSON, just large).</summary>
    private static byte[] Padded(string json, int size)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var padded = new byte[size];
        Array.Fill(padded, (byte)' ');
        padded[0] = (byte)'{';
        bytes.AsSpan(1).CopyTo(padded.AsSpan(size - bytes.Length + 1));
        return padded;
    }

    private static Quantity Kg(decimal amount) => new(amount, QuantityUnit.Kg);

    private const string RawSentinel = "@@raw-sentinel@@";

    /// <summary>A copy with the node at a dotted path ("quantity.amount", "children.0.lotNumber") set; null sets JSON null.</summary>
    public static JsonObject With(this JsonObject body, string path, JsonNode? value)
    {
        var clone = body.DeepClone().AsObject();
        var (parent, last) = Navigate(clone, path);
        if (parent is JsonArray array) array[int.Parse(last, System.Globalization.CultureInfo.InvariantCulture)] = value?.DeepClone();
        else parent.AsObject()[last] = value?.DeepClone();
        return clone;
    }

    public static JsonObject Without(this JsonObject body, string path)
    {
        var clone = body.DeepClone().AsObject();
        var (parent, last) = Navigate(clone, path);
        if (!parent.AsObject().Remove(last)) throw new InvalidOperationException($"No {path} to remove.");
        return clone;
    }

    /// <summary>The body as text with the value at <paramref name="path"/> replaced by a raw JSON token (which may be invalid JSON).</summary>
    public static string WithRaw(this JsonObject body, string path, string rawToken) =>
        body.With(path, RawSentinel).ToJsonString().Replace($"\"{RawSentinel}\"", rawToken, StringComparison.Ordinal);

    /// <summary>The body as UTF-8 with the value at <paramref name="path"/> replaced by raw bytes (e.g. invalid UTF-8).</summary>
    public static byte[] WithRawBytes(this JsonObject body, string path, byte[] raw)
    {
        var text = body.With(path, RawSentinel).ToJsonString();
        var at = text.IndexOf($"\"{RawSentinel}\"", StringComparison.Ordinal);
        return [.. Encoding.UTF8.GetBytes(text[..at]), .. raw, .. Encoding.UTF8.GetBytes(text[(at + RawSentinel.Length + 2)..])];
    }

    private static (JsonNode Parent, string Last) Navigate(JsonObject root, string path)
    {
        var parts = path.Split('.');
        JsonNode node = root;
        foreach (var part in parts[..^1])
            node = (node is JsonArray array ? array[int.Parse(part, System.Globalization.CultureInfo.InvariantCulture)] : node.AsObject()[part])
                   ?? throw new InvalidOperationException($"No {part} on the way to {path}.");
        return (node, parts[^1]);
    }

    private sealed class Builder
    {
        public List<BadInputCase> Cases { get; } = [];

        public void Node(string variant, RequestTemplate template, JsonNode? body, int expected, params (string Name, string Value)[] headers) =>
            Add(variant, template, body is null ? null : Encoding.UTF8.GetBytes(body.ToJsonString()), JsonType, expected, headers);

        public void Text(string variant, RequestTemplate template, string text, int expected) =>
            Add(variant, template, Encoding.UTF8.GetBytes(text), JsonType, expected, []);

        public void Bytes(string variant, RequestTemplate template, byte[] bytes, int expected, string? contentType = JsonType) =>
            Add(variant, template, bytes, contentType, expected, []);

        public void Request(string name, HttpMethod method, string url, Caller caller, int expected) =>
            Cases.Add(new BadInputCase(name, method, url, caller, null, null, expected, []));

        private void Add(string variant, RequestTemplate template, byte[]? body, string? contentType, int expected, (string Name, string Value)[] headers) =>
            Cases.Add(new BadInputCase($"{template.Name}: {variant}", template.Method, template.Url, template.As, contentType, body, expected,
                headers.Select(h => KeyValuePair.Create(h.Name, h.Value)).ToList()));
    }
}
