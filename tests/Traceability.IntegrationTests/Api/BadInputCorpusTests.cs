using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.PersonalData;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Cooperatives;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.Api;

/// <summary>
/// The bad-input corpus (<see cref="BadInputCorpus"/>) against the real HTTP pipeline on both backends: every
/// request is refused with a 4xx problem document, never a 5xx, and the store does not move.
/// </summary>
public sealed class BadInputCorpusTests
{
    public const int MinimumCases = 150;

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Every_bad_request_is_refused_with_a_problem_and_leaves_the_store_unchanged(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var (parties, fixture) = await BadInputFixture.ArrangeAsync(api);
        var cases = BadInputCorpus.Build(fixture);
        Assert.True(cases.Count >= MinimumCases, $"The corpus has {cases.Count} cases, fewer than {MinimumCases}.");
        var duplicates = cases.GroupBy(c => c.Name).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        Assert.True(duplicates.Count == 0, "Case names are not distinct: " + string.Join(", ", duplicates));

        // On PostgreSQL $all shows only what lies below the cluster's oldest open transaction: settle on a marker
        // event before comparing, so a lagging head is never mistaken for a change (nor hides one).
        var head = await FlowSteps.SettleAsync(api);
        var failures = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var badCase = cases[i];
            var problems = await SendAndJudgeAsync(parties, badCase);
            var mark = await FlowSteps.SettleAsync(api);
            var written = await FlowSteps.EventsBetweenAsync(api, head, mark);
            head = mark;
            if (written.Count > 0)
            {
                problems.Add($"the store changed: {string.Join(", ", written.Select(e => $"{e.Type} in {e.Stream}"))}");
                // A wrongly accepted request may have changed the fixture (custody, quantity, stage): the rest of the
                // corpus runs on a fresh one, so that one failure never shows up as others.
                (parties, fixture) = await BadInputFixture.ArrangeAsync(api);
                var rebuilt = BadInputCorpus.Build(fixture);
                Assert.Equal(cases.Select(c => c.Name), rebuilt.Select(c => c.Name));
                cases = rebuilt;
                head = await FlowSteps.SettleAsync(api);
            }

            if (problems.Count > 0) failures.Add($"- {badCase.Name} [{badCase.Method} {Shorten(badCase.Url, 100)}]: {string.Join("; ", problems)}");
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {cases.Count} bad requests were not refused as expected on {backend}:\n{string.Join("\n", failures)}");
    }

    /// <summary>Each template is a valid request (so each bad case breaks exactly what it names): accepted on a fresh fixture.</summary>
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Every_template_of_the_corpus_is_accepted_as_it_is(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var failures = new List<string>();
        var count = BadInputCorpus.Templates((await BadInputFixture.ArrangeAsync(api)).Fixture).Count;
        for (var i = 0; i < count; i++)
        {
            var (parties, fixture) = await BadInputFixture.ArrangeAsync(api);
            var template = BadInputCorpus.Templates(fixture)[i];
            var request = new HttpRequestMessage(template.Method, template.Url) { Content = new ByteArrayContent(template.Utf8) };
            request.Content.Headers.TryAddWithoutValidation("Content-Type", BadInputCorpus.JsonType);
            var response = await parties.Client(template.As).SendAsync(request);
            if (!response.IsSuccessStatusCode)
                failures.Add($"- {template.Name}: {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync(), 400)}");
        }

        Assert.True(failures.Count == 0, $"Templates refused on {backend}:\n{string.Join("\n", failures)}");
    }

    public static TheoryData<Backend, string> HostileTexts()
    {
        var data = new TheoryData<Backend, string>();
        foreach (var backend in new[] { Backend.Sqlite, Backend.Postgres })
        foreach (var text in new[]
                 {
                     "<script>alert('xss')</script>",
                     "'; DROP TABLE events; --",
                     "Robert'); DROP TABLE personal_data;-- <img src=x onerror=alert(1)>",
                     "\" OR 1=1; -- {\"$type\":\"admin\"} ${jndi:ldap://x} {{7*7}}",
                 })
            data.Add(backend, text);
        return data;
    }

    /// <summary>
    /// Markup and SQL are legal text: accepted, stored inertly, read back exactly, and nothing else changes — one event
    /// per command (none for a contact, which lives outside the event log) and every hash chain intact.
    /// </summary>
    [Theory]
    [MemberData(nameof(HostileTexts))]
    public async Task Hostile_but_legal_text_is_stored_inertly_and_round_trips(Backend backend, string text)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var (parties, fixture) = await BadInputFixture.ArrangeAsync(api);

        // A buyer's name.
        var before = await FlowSteps.SettleAsync(api);
        var buyerResponse = await parties.Admin.PostJson("/api/buyers", new RegisterBuyerRequest(text, CanGioParties.CanGio));
        var buyer = await buyerResponse.Read<BuyerResponse>();
        Assert.Equal(201, (int)buyerResponse.StatusCode);
        await AssertAppendedAsync(api, before, ("buyer.registered.v1", StreamNames.Buyer(buyer.BuyerId)));
        var readBuyer = await parties.Anonymous.GetAsync($"/api/buyers/{buyer.BuyerId}");
        Assert.Equal("application/json", readBuyer.Content.Headers.ContentType?.MediaType);
        Assert.Equal(text, (await readBuyer.Read<BuyerResponse>()).Name);

        // A note on batch A.
        before = await FlowSteps.SettleAsync(api);
        var noteResponse = await parties.Cooperative.PostJson($"/api/batches/{fixture.BatchId}/notes", new NoteRequest(fixture.Now.AddMinutes(-30), text));
        Assert.Equal(200, (int)noteResponse.StatusCode);
        await AssertAppendedAsync(api, before, ("batch.note_added.v1", StreamNames.Batch(fixture.BatchId)));
        var history = await (await parties.Cooperative.GetAsync($"/api/batches/{fixture.BatchId}/history")).Read<List<HistoryEntry>>();
        Assert.Equal(text, history[^1].Data.GetProperty("step").GetProperty("note").GetString());

        // The cooperative's English name.
        before = await FlowSteps.SettleAsync(api);
        var profile = CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)") with { NameEn = text };
        var profileResponse = await parties.Cooperative.PutAsync($"/api/cooperatives/{fixture.CooperativeId}",
            JsonContent.Create(profile, options: Json.Options));
        Assert.Equal(200, (int)profileResponse.StatusCode);
        await AssertAppendedAsync(api, before, ("cooperative.profile_updated.v1", StreamNames.Cooperative(fixture.CooperativeId)));
        var cooperative = await (await parties.Anonymous.GetAsync($"/api/cooperatives/{fixture.CooperativeId}")).Read<CooperativeResponse>();
        Assert.Equal(text, cooperative.Profile.NameEn);

        // A contact person: personal data, outside the event log.
        before = await FlowSteps.SettleAsync(api);
        var contactResponse = await parties.Cooperative.PostJson($"/api/cooperatives/{fixture.CooperativeId}/contacts",
            new ContactRequest(text, null, text));
        var contact = await contactResponse.Read<Contact>();
        Assert.Equal(201, (int)contactResponse.StatusCode);
        Assert.Empty(await FlowSteps.EventsBetweenAsync(api, before, await FlowSteps.SettleAsync(api)));
        var readContact = await (await parties.Cooperative.GetAsync($"/api/cooperatives/{fixture.CooperativeId}/contacts/{contact.ContactId}")).Read<Contact>();
        Assert.Equal(text, readContact.Name);
        Assert.Equal(text, readContact.Role);

        // Nothing else changed: the tables are still there and every chain verifies.
        var verification = await api.Store.VerifyAllAsync();
        Assert.True(verification.IsIntact, $"The store does not verify after storing {text}.");
        Assert.Equal(200, (int)(await parties.Anonymous.GetAsync($"/api/batches/{fixture.BatchId}")).StatusCode);
    }

    private static async Task AssertAppendedAsync(ApiFactory api, GlobalPosition before, params (string Type, string Stream)[] expected)
    {
        var appended = (await FlowSteps.EventsBetweenAsync(api, before, await FlowSteps.SettleAsync(api))).Select(e => (e.Type, e.Stream));
        Assert.Equal(expected, appended);
    }

    /// <summary>Sends one case; returns what is wrong with the answer (empty when it is refused as expected).</summary>
    private static async Task<List<string>> SendAndJudgeAsync(BadInputParties parties, BadInputCase badCase)
    {
        var problems = new List<string>();
        HttpResponseMessage response;
        try
        {
            using var request = badCase.ToRequest();
            response = await parties.Client(badCase.As).SendAsync(request);
        }
        catch (Exception error)
        {
            problems.Add($"expected {badCase.Expected}, the request threw {error.GetType().Name}: {Shorten(error.Message, 300)}");
            return problems;
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync();
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            if (status != badCase.Expected) problems.Add($"expected {badCase.Expected}, got {status}");
            if (status is < 400 or >= 500) problems.Add(status >= 500 ? "a server error" : "not refused");
            if (mediaType != "application/problem+json") problems.Add($"content type {mediaType ?? "(none)"}, not application/problem+json");
            else problems.AddRange(JudgeProblem(body, status));
            if (problems.Count > 0) problems.Add($"body: {Shorten(body, 300)}");
        }

        return problems;
    }

    private static IEnumerable<string> JudgeProblem(string body, int status)
    {
        JsonElement problem;
        try
        {
            problem = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return ["the problem is not JSON"];
        }

        var problems = new List<string>();
        if (problem.ValueKind != JsonValueKind.Object) return ["the problem is not a JSON object"];
        if (!problem.TryGetProperty("status", out var statusProperty) || statusProperty.ValueKind != JsonValueKind.Number ||
            statusProperty.GetInt32() != status)
            problems.Add($"problem.status is not {status}");
        var hasDetail = problem.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String &&
                        !string.IsNullOrWhiteSpace(detail.GetString());
        var hasErrors = problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object &&
                        errors.EnumerateObject().Any();
        if (!hasDetail && !hasErrors) problems.Add("the problem has neither a detail nor errors");
        return problems;
    }

    private static string Shorten(string text, int length) =>
        (text.Length <= length ? text : text[..length] + "…").ReplaceLineEndings(" ");
}

/// <summary>The corpus' callers: the Cần Giờ parties plus an anonymous client.</summary>
public sealed record BadInputParties(CanGioParties Parties)
{
    public HttpClient Admin => Parties.Admin;
    public HttpClient Anonymous => Parties.Anonymous;
    public HttpClient Cooperative => Parties.Cooperative;

    public HttpClient Client(Caller caller) => caller switch
    {
        Caller.Anonymous => Parties.Anonymous,
        Caller.Admin => Parties.Admin,
        Caller.Cooperative => Parties.Cooperative,
        Caller.OtherCooperative => Parties.OtherCooperative,
        Caller.Distributor => Parties.Distributor,
        Caller.Retailer => Parties.Retailer,
        _ => throw new ArgumentOutOfRangeException(nameof(caller)),
    };
}

/// <summary>Sets up what the corpus refers to, through the Api (see <see cref="CorpusFixture"/>).</summary>
public static class BadInputFixture
{
    public static async Task<(BadInputParties Parties, CorpusFixture Fixture)> ArrangeAsync(ApiFactory api)
    {
        var parties = await CanGioParties.RegisterAsync(api);
        var coop = parties.Cooperative;
        var now = DateTimeOffset.UtcNow;
        var yesterday = DateOnly.FromDateTime(now.UtcDateTime).AddDays(-1);
        var product = new Product("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", null);
        var origin = new Origin("Vùng biển Cần Giờ", null, yesterday, yesterday, null);

        async Task<Guid> RegisterAsync(string lot, decimal kg) =>
            (await (await coop.PostJson("/api/batches", new RegisterBatchRequest(null, product, lot, new Quantity(kg, QuantityUnit.Kg), origin,
                now.AddHours(-2), null, null))).Read<BatchChanged>()).BatchId;

        var batch = await RegisterAsync("BI-A", 100m);
        var shipped = await RegisterAsync("BI-B", 50m);
        await (await coop.PostJson($"/api/batches/{shipped}/shipments", new ShippingRequest(now.AddMinutes(-90), null, null, PartyKind.Buyer,
            parties.DistributorId, new Quantity(50m, QuantityUnit.Kg), null))).Read<BatchChanged>();
        var summary = await (await parties.Anonymous.GetAsync($"/api/batches/{shipped}")).Read<BatchSummary>();
        var recalled = await RegisterAsync("BI-C", 30m);
        await (await coop.PostJson($"/api/batches/{recalled}/recall", new RecallRequest(now.AddMinutes(-90), "Kiểm tra định kỳ", RecallSeverity.Low, null)))
            .Read<RecallResponse>();
        var certification = await (await coop.PostJson($"/api/cooperatives/{parties.CooperativeId}/certifications",
            new GrantCertificationRequest(CertificationScheme.VietGap, null, "VG-2025-001", "Trung tâm Chứng nhận (demo)",
                new DateOnly(2025, 1, 1), new DateOnly(2028, 1, 1)))).Read<CooperativeChanged>();
        var history = await (await parties.Admin.GetAsync($"/api/batches/{batch}/history")).Read<List<HistoryEntry>>();

        return (new BadInputParties(parties), new CorpusFixture(now, product, parties.CooperativeId, parties.OtherCooperativeId, parties.DistributorId,
            parties.RetailerId, batch, shipped, summary.Shipment!.ShipmentId, recalled, certification.CertificationId!.Value, history[0].EventId));
    }
}
