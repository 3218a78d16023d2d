using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.Keys;
using Traceability.Api.Features.PersonalData;
using Traceability.Api.Security;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>
/// Every write endpoint × every kind of caller. "Own cooperative" is the cooperative that owns the resource (its profile,
/// its batch); "buyer" is the distributor, which holds nothing unless a batch was shipped to it (receipts). Each case
/// gets fresh parties and a fresh batch on an Api shared by the class.
/// </summary>
public sealed class AuthorizationMatrixTests(SharedApis apis) : IClassFixture<SharedApis>
{
    public enum Caller
    {
        Anonymous,
        OtherCooperative,
        Buyer,
        OwnCooperative,
        Admin,
    }

    private const string NotCustodian = "batch.not_custodian";

    private readonly record struct Expect(int Status, string? Code = null);

    private sealed record Setup(ApiFactory Api, CanGioParties Parties, StepClock Clock);

    private sealed record Call(HttpMethod Method, string Url, object? Body = null);

    /// <param name="WritesEvents">Whether an allowed call appends to the event log (contacts never do: they are personal data).</param>
    private sealed record Row(string Method, string Route, Func<Setup, Task<Call>> Prepare, Expect Anonymous, Expect OtherCooperative, Expect Buyer,
        Expect OwnCooperative, Expect Admin, bool WritesEvents = true)
    {
        public string Name => $"{Method} {Route}";

        public Expect For(Caller caller) => caller switch
        {
            Caller.Anonymous => Anonymous,
            Caller.OtherCooperative => OtherCooperative,
            Caller.Buyer => Buyer,
            Caller.OwnCooperative => OwnCooperative,
            _ => Admin,
        };
    }

    private static readonly Expect Unauthorized = new(401);
    private static readonly Expect Forbidden = new(403);
    private static readonly Expect NotTheCustodian = new(403, NotCustodian);

    private static Row AdminOnly(string method, string route, int allowed, Func<Setup, Task<Call>> prepare) =>
        new(method, route, prepare, Unauthorized, Forbidden, Forbidden, Forbidden, new Expect(allowed));

    private static Row OwnCooperativeOrAdmin(string method, string route, int allowed, Func<Setup, Task<Call>> prepare, bool writesEvents = true) =>
        new(method, route, prepare, Unauthorized, Forbidden, Forbidden, new Expect(allowed), new Expect(allowed), writesEvents);

    /// <summary>A batch step: custody decides (the other cooperative and the buyer hold nothing), admins hold no custody.</summary>
    private static Row BatchStep(string route, int allowed, Func<Setup, Guid, Call> body) =>
        new("POST", $"/api/batches/{{batchId:guid}}/{route}", async s => body(s, await RegisterRawBatchAsync(s.Parties.Cooperative, s.Clock, "CG-AUTH-01")),
            Unauthorized, NotTheCustodian, NotTheCustodian, new Expect(allowed), Forbidden);

    private static string Batch(Guid id, string route) => $"/api/batches/{id}/{route}";

    private static readonly Row[] Rows =
    [
        AdminOnly("POST", "/api/cooperatives/", 201, _ => Task.FromResult(new Call(HttpMethod.Post, "/api/cooperatives",
            CanGioParties.Profile("HTX Dịch vụ Nông nghiệp Thạnh An (demo)")))),
        OwnCooperativeOrAdmin("PUT", "/api/cooperatives/{cooperativeId:guid}", 200, s => Task.FromResult(new Call(HttpMethod.Put,
            $"/api/cooperatives/{s.Parties.CooperativeId}", CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)") with { MemberCount = 26 }))),
        OwnCooperativeOrAdmin("POST", "/api/cooperatives/{cooperativeId:guid}/certifications", 201, s => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/cooperatives/{s.Parties.CooperativeId}/certifications", Certification(s.Clock)))),
        OwnCooperativeOrAdmin("POST", "/api/cooperatives/{cooperativeId:guid}/certifications/{certificationId:guid}/revoke", 200, async s =>
        {
            var granted = await (await s.Parties.Admin.PostJson($"/api/cooperatives/{s.Parties.CooperativeId}/certifications", Certification(s.Clock)))
                .Read<CooperativeChanged>();
            return new Call(HttpMethod.Post, $"/api/cooperatives/{s.Parties.CooperativeId}/certifications/{granted.CertificationId}/revoke",
                new RevokeCertificationRequest("Hết hiệu lực do thay đổi quy trình"));
        }),
        AdminOnly("POST", "/api/buyers/", 201, _ => Task.FromResult(new Call(HttpMethod.Post, "/api/buyers",
            new RegisterBuyerRequest("Đại lý Hải sản Vũng Tàu (demo)", null)))),
        AdminOnly("POST", "/api/keys/", 201, s => Task.FromResult(new Call(HttpMethod.Post, "/api/keys",
            new IssueKeyRequest(ApiRole.Cooperative, s.Parties.CooperativeId)))),
        AdminOnly("POST", "/api/keys/{keyId:guid}/revoke", 200, async s =>
        {
            var issued = await (await s.Parties.Admin.PostJson("/api/keys", new IssueKeyRequest(ApiRole.Buyer, s.Parties.RetailerId))).Read<IssuedKeyResponse>();
            return new Call(HttpMethod.Post, $"/api/keys/{issued.KeyId}/revoke");
        }),
        new("POST", "/api/batches/", s => Task.FromResult(new Call(HttpMethod.Post, "/api/batches", RawBatch(s.Clock, "CG-AUTH-01"))),
            Unauthorized, new Expect(201), Forbidden, new Expect(201), Forbidden),
        new("POST", "/api/batches/merge", async s =>
            {
                var input = await RegisterRawBatchAsync(s.Parties.Cooperative, s.Clock, "CG-AUTH-01", 50m, FreshFish);
                return new Call(HttpMethod.Post, "/api/batches/merge", new MergeRequest(null, FreshFish, "CG-AUTH-M1", Kg(40m),
                    [new BatchInput(input, Kg(40m))], null, s.Clock.Next(), null, "Nhà sơ chế HTX", null));
            },
            Unauthorized, NotTheCustodian, Forbidden, new Expect(201), Forbidden),
        BatchStep("receiving", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "receiving"),
            new ReceivingRequest(s.Clock.Next(), "Bến cá", null, Kg(97.5m), null))),
        BatchStep("washing", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "washing"), new WashingRequest(s.Clock.Next(), null, null, "Rửa sạch"))),
        BatchStep("salting", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "salting"), new SaltingRequest(s.Clock.Next(), null, null, 8m, 3m))),
        BatchStep("drying", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "drying"),
            new DryingRequest(s.Clock.Current.AddMinutes(30), "Sân phơi", null, DryingMethod.Sun, s.Clock.Next(), s.Clock.Next(), 35m, Kg(45m)))),
        BatchStep("inspections", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "inspections"),
            new InspectionRequest(s.Clock.Next(), null, null, "Tổ kiểm soát chất lượng HTX", InspectionResult.Pass, [new Measurement("Độ ẩm", 35m, "%")], null))),
        BatchStep("packing", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "packing"),
            new PackingRequest(s.Clock.Next(), null, null, 100, Kg(0.5m), null))),
        BatchStep("storage", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "storage"), new StorageRequest(s.Clock.Next(), "Kho mát", null, null, 4m))),
        BatchStep("shipments", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "shipments"),
            new ShippingRequest(s.Clock.Next(), null, null, PartyKind.Buyer, s.Parties.DistributorId, Kg(100m), null))),
        new("POST", "/api/batches/{batchId:guid}/receipts", async s =>
            {
                // Shipped to the distributor (the buyer): only it may confirm, not the cooperative that shipped.
                var id = await RegisterRawBatchAsync(s.Parties.Cooperative, s.Clock, "CG-AUTH-01");
                (await s.Parties.Cooperative.PostJson(Batch(id, "shipments"),
                    new ShippingRequest(s.Clock.Next(), null, null, PartyKind.Buyer, s.Parties.DistributorId, Kg(100m), null))).EnsureSuccessStatusCode();
                var shipment = (await SummaryAsync(s.Parties.Anonymous, id)).Shipment!;
                return new Call(HttpMethod.Post, Batch(id, "receipts"),
                    new ReceiptRequest(s.Clock.Next(), null, null, shipment.ShipmentId, Kg(100m), ReceiptCondition.Good));
            },
            Unauthorized, NotTheCustodian, new Expect(200), NotTheCustodian, Forbidden),
        BatchStep("notes", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "notes"), new NoteRequest(s.Clock.Next(), "Ghi chú kiểm tra"))),
        new("POST", "/api/batches/{batchId:guid}/corrections", async s =>
            {
                var id = await RegisterRawBatchAsync(s.Parties.Cooperative, s.Clock, "CG-AUTH-01");
                var registered = (await BatchEventsAsync(s.Api, id))[0].EventId;
                return new Call(HttpMethod.Post, Batch(id, "corrections"),
                    new CorrectionRequest(s.Clock.Next(), registered, "quantity", "101 kg", "Cân lại tại bến"));
            },
            Unauthorized, NotTheCustodian, NotTheCustodian, new Expect(200), Forbidden),
        BatchStep("recall", 200, (s, id) => new Call(HttpMethod.Post, Batch(id, "recall"),
            new RecallRequest(s.Clock.Next(), "Nghi nhiễm khuẩn", RecallSeverity.High, null))),
        BatchStep("split", 201, (s, id) => new Call(HttpMethod.Post, Batch(id, "split"),
            new SplitRequest(s.Clock.Next(), null, null, [new SplitChildRequest(null, "CG-AUTH-S1", Kg(40m)), new SplitChildRequest(null, "CG-AUTH-S2", Kg(60m))]))),
        OwnCooperativeOrAdmin("POST", "/api/cooperatives/{cooperativeId:guid}/contacts/", 201, s => Task.FromResult(new Call(HttpMethod.Post,
            $"/api/cooperatives/{s.Parties.CooperativeId}/contacts", new ContactRequest("Trần Văn Bảy", "0909 123 456", "Kế toán"))), writesEvents: false),
        OwnCooperativeOrAdmin("GET", "/api/cooperatives/{cooperativeId:guid}/contacts/{contactId:guid}", 200, async s =>
            new Call(HttpMethod.Get, await ContactAsync(s)), writesEvents: false),
        OwnCooperativeOrAdmin("DELETE", "/api/cooperatives/{cooperativeId:guid}/contacts/{contactId:guid}", 204, async s =>
            new Call(HttpMethod.Delete, await ContactAsync(s)), writesEvents: false),
        // Webhooks are kept outside the event log (their secrets must be replaceable): buyers only.
        new("POST", "/api/webhooks/", _ => Task.FromResult(new Call(HttpMethod.Post, "/api/webhooks",
                new Traceability.Api.Features.Webhooks.RegisterWebhookRequest("http://127.0.0.1:9/hooks/recall", "s3cr3t-for-tests-0123456789"))),
            Unauthorized, Forbidden, new Expect(201), Forbidden, Forbidden, WritesEvents: false),
        // Rebuilding a read model replays events; it appends none.
        new("POST", "/api/projections/{name}/rebuild", s => Task.FromResult(new Call(HttpMethod.Post, "/api/projections/value_chain/rebuild")),
            Unauthorized, Forbidden, Forbidden, Forbidden, new Expect(202), WritesEvents: false),
    ];

    private static GrantCertificationRequest Certification(StepClock clock) =>
        new(CertificationScheme.VietGap, null, "VG-2025-0042", "Trung tâm Chứng nhận Phù hợp (demo)", clock.Today.AddDays(-30), clock.Today.AddYears(3));

    private static async Task<string> ContactAsync(Setup s)
    {
        var contact = await (await s.Parties.Cooperative.PostJson($"/api/cooperatives/{s.Parties.CooperativeId}/contacts",
            new ContactRequest("Trần Văn Bảy", "0909 123 456", "Kế toán"))).Read<Contact>();
        return $"/api/cooperatives/{s.Parties.CooperativeId}/contacts/{contact.ContactId}";
    }

    public static TheoryData<Backend, string, Caller> Cases()
    {
        var cases = new TheoryData<Backend, string, Caller>();
        foreach (var backend in new[] { Backend.Sqlite, Backend.Postgres })
        foreach (var row in Rows)
        foreach (var caller in Enum.GetValues<Caller>())
            cases.Add(backend, row.Name, caller);
        return cases;
    }

    private static HttpClient ClientOf(CanGioParties p, Caller caller) => caller switch
    {
        Caller.Anonymous => p.Anonymous,
        Caller.OtherCooperative => p.OtherCooperative,
        Caller.Buyer => p.Distributor,
        Caller.OwnCooperative => p.Cooperative,
        _ => p.Admin,
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_caller_gets_the_expected_answer(Backend backend, string endpoint, Caller caller)
    {
        var api = await apis.GetAsync(backend);
        var setup = new Setup(api, await CanGioParties.RegisterAsync(api), new StepClock());
        var row = Rows.Single(r => r.Name == endpoint);
        var call = await row.Prepare(setup);
        var expected = row.For(caller);

        HttpResponseMessage response = null!;
        var written = await RecordedDuringAsync(api, async () => response = await ClientOf(setup.Parties, caller).SendJson(call.Method, call.Url, call.Body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected.Status == (int)response.StatusCode,
            $"{caller} → {call.Method} {call.Url}: expected {expected.Status}, got {(int)response.StatusCode}: {text}");

        if (expected.Status >= 400)
        {
            var problem = await response.Problem(expected.Status);
            if (expected.Code is not null) Assert.Equal(expected.Code, CodeOf(problem));
            Assert.Empty(written);
            return;
        }

        var documented = RouteEndpointOf(api, row).Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>()
            .Select(m => m.StatusCode).Where(s => s is >= 200 and < 300).Distinct().ToList();
        Assert.True(documented.Contains(expected.Status),
            $"{row.Name} answered {expected.Status}, but documents {string.Join(", ", documented)} as its success status");
        if (!row.WritesEvents)
        {
            Assert.Empty(written);
            return;
        }

        Assert.True(written.Count > 0, $"{row.Name} by {caller} answered {expected.Status} but recorded nothing");
        var actor = caller == Caller.Admin
            ? $"admin:{ApiKeysOf(setup.Parties.Admin)}"
            : caller == Caller.Buyer ? $"buyer:{setup.Parties.DistributorId}" : $"cooperative:{PartyOf(setup.Parties, caller)}";
        Assert.All(written, e => Assert.Equal(actor, System.Text.Json.JsonDocument.Parse(e.Metadata).RootElement.GetProperty("actor").GetString()));
    }

    private static Guid PartyOf(CanGioParties p, Caller caller) => caller == Caller.OwnCooperative ? p.CooperativeId : p.OtherCooperativeId;

    /// <summary>The key id of a client's key (the first 32 hex digits after <c>trc_</c>).</summary>
    private static Guid ApiKeysOf(HttpClient client) => Guid.ParseExact(client.DefaultRequestHeaders.Authorization!.Parameter!.Substring(4, 32), "N");

    private static RouteEndpoint RouteEndpointOf(ApiFactory api, Row row) =>
        api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().Single(e =>
            e.RoutePattern.RawText == row.Route && (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(row.Method) ?? false));

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_matrix_covers_every_write_endpoint_of_the_Api(Backend backend)
    {
        var api = await apis.GetAsync(backend);
        var mapped = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? []).Select(m => $"{m} {e.RoutePattern.RawText}"))
            .ToHashSet();
        // The cooperative pages' forms (/htx) are not API-key endpoints: a cookie session and anti-forgery tokens guard
        // them, and CooperativePortalTests checks both (and that nothing is written when either is missing).
        var writes = mapped.Where(m => !m.StartsWith("GET ", StringComparison.Ordinal) && !m.StartsWith("HEAD ", StringComparison.Ordinal) &&
                                       !m.Contains(" /htx/", StringComparison.Ordinal)).ToHashSet();
        var inMatrix = Rows.Select(r => r.Name).ToHashSet();

        Assert.Empty(writes.Except(inMatrix));
        Assert.Empty(inMatrix.Except(mapped));
        Assert.Equal(Rows.Length, inMatrix.Count);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task A_garbled_unknown_wrong_or_revoked_key_is_401(Backend backend)
    {
        var api = await apis.GetAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var batchId = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-KEY-01");
        var validKey = p.Cooperative.DefaultRequestHeaders.Authorization!.Parameter!;
        var (_, unknownKey, _) = ApiKeys.Create(Guid.CreateVersion7());
        var (_, otherSecret, _) = ApiKeys.Create(Guid.CreateVersion7());
        var wrongSecret = validKey[..37] + otherSecret[37..];
        Assert.NotEqual(validKey, wrongSecret);

        // A key issued, used, then revoked.
        var issued = await (await p.Admin.PostJson("/api/keys", new IssueKeyRequest(ApiRole.Cooperative, p.CooperativeId))).Read<IssuedKeyResponse>();
        var revokable = api.ClientFor(issued.Key);
        Assert.Equal(HttpStatusCode.Created, (await revokable.PostJson("/api/batches", RawBatch(clock, "CG-KEY-02"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await p.Admin.SendJson(HttpMethod.Post, $"/api/keys/{issued.KeyId}/revoke")).StatusCode);

        var presented = new List<(string What, Action<HttpRequestHeaders> Apply)>
        {
            ("garbled bearer", h => h.TryAddWithoutValidation("Authorization", "Bearer not-a-key")),
            ("garbled trc key", h => h.TryAddWithoutValidation("Authorization", "Bearer trc_zz_" + new string('a', 43))),
            ("truncated key", h => h.TryAddWithoutValidation("Authorization", "Bearer " + validKey[..^1])),
            ("unknown key", h => h.TryAddWithoutValidation("Authorization", "Bearer " + unknownKey)),
            ("wrong secret", h => h.TryAddWithoutValidation("Authorization", "Bearer " + wrongSecret)),
            ("revoked key", h => h.TryAddWithoutValidation("Authorization", "Bearer " + issued.Key)),
            ("garbled X-Api-Key", h => h.TryAddWithoutValidation("X-Api-Key", "trc_garbage")),
            ("revoked X-Api-Key", h => h.TryAddWithoutValidation("X-Api-Key", issued.Key)),
        };
        var client = api.ClientFor(null);
        var written = await RecordedDuringAsync(api, async () =>
        {
            foreach (var (what, apply) in presented)
            {
                foreach (var request in new[]
                         {
                             Json(HttpMethod.Post, "/api/batches", RawBatch(clock, "CG-KEY-03")),
                             Json(HttpMethod.Post, $"/api/batches/{batchId}/notes", new NoteRequest(clock.Next(), "Ghi chú")),
                             new HttpRequestMessage(HttpMethod.Get, $"/api/batches/{batchId}/history"),
                             Json(HttpMethod.Post, "/api/keys", new IssueKeyRequest(ApiRole.Admin, null)),
                         })
                {
                    apply(request.Headers);
                    var response = await client.SendAsync(request);
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized,
                        $"{what}: {request.Method} {request.RequestUri} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
                    await response.Problem(401);
                }
            }
        });
        Assert.Empty(written);
        // The valid key still works.
        Assert.Equal(HttpStatusCode.Created, (await p.Cooperative.PostJson("/api/batches", RawBatch(clock, "CG-KEY-04"))).StatusCode);
    }

    private static HttpRequestMessage Json(HttpMethod method, string url, object body) =>
        new(method, url) { Content = System.Net.Http.Json.JsonContent.Create(body, body.GetType(), options: Traceability.Api.Infrastructure.Json.Options) };
}
