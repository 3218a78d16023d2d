using System.Net;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Api;

/// <summary>If-Match (optimistic concurrency for people), Idempotency-Key (retries from flaky phones), and races.</summary>
public sealed class ConcurrencyAndIdempotencyTests
{
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task A_step_with_the_current_revision_succeeds_and_a_stale_one_is_412_with_the_actual_revision(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-IFM-01");

        var current = await p.Cooperative.PostJson($"/api/batches/{id}/receiving",
            new ReceivingRequest(clock.Next(), "Bến cá", null, Kg(98m), null), ifMatch: "\"0\"");
        Assert.Equal(1, (await current.Read<BatchChanged>()).Revision);
        Assert.Equal("\"1\"", current.Headers.ETag?.Tag);

        var stale = await p.Cooperative.PostJson($"/api/batches/{id}/washing", new WashingRequest(clock.Next(), null, null, "Rửa sạch"), ifMatch: "\"0\"");
        var problem = await stale.Problem(412);
        Assert.Equal("request.precondition_failed", CodeOf(problem));
        Assert.Equal(1, problem.GetProperty("actualRevision").GetInt64());

        var ahead = await p.Cooperative.PostJson($"/api/batches/{id}/washing", new WashingRequest(clock.Current, null, null, "Rửa sạch"), ifMatch: "\"7\"");
        Assert.Equal(1, (await ahead.Problem(412)).GetProperty("actualRevision").GetInt64());
        Assert.Equal(2, (await BatchEventsAsync(api, id)).Count);

        // The ETag of a read is what the next write names.
        var etag = (await p.Anonymous.GetAsync($"/api/batches/{id}")).Headers.ETag!.Tag;
        var retried = await p.Cooperative.PostJson($"/api/batches/{id}/washing", new WashingRequest(clock.Current, null, null, "Rửa sạch"), ifMatch: etag);
        Assert.Equal(2, (await retried.Read<BatchChanged>()).Revision);

        // A cooperative's profile follows the same rule.
        var profile = CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)") with { MemberCount = 31 };
        var update = await p.Cooperative.SendJson(HttpMethod.Put, $"/api/cooperatives/{p.CooperativeId}", profile, ifMatch: "\"0\"");
        Assert.Equal(1, (await update.Read<CooperativeChanged>()).Revision);
        var staleUpdate = await p.Cooperative.SendJson(HttpMethod.Put, $"/api/cooperatives/{p.CooperativeId}", profile with { MemberCount = 32 },
            ifMatch: "\"0\"");
        Assert.Equal(1, (await staleUpdate.Problem(412)).GetProperty("actualRevision").GetInt64());
    }

    [Theory]
    [InlineData(Backend.Sqlite, "1")]
    [InlineData(Backend.Postgres, "1")]
    [InlineData(Backend.Sqlite, "W/\"1\"")]
    [InlineData(Backend.Postgres, "W/\"1\"")]
    [InlineData(Backend.Sqlite, "\"abc\"")]
    [InlineData(Backend.Postgres, "\"abc\"")]
    [InlineData(Backend.Sqlite, "\"-1\"")]
    [InlineData(Backend.Postgres, "\"-1\"")]
    [InlineData(Backend.Sqlite, "\"\"")]
    [InlineData(Backend.Postgres, "\"\"")]
    [InlineData(Backend.Sqlite, "\"1")]
    [InlineData(Backend.Postgres, "\"1")]
    public async Task A_malformed_If_Match_is_400_and_records_nothing(Backend backend, string ifMatch)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-IFM-02");
        await StepAsync(p.Cooperative, id, "washing", new WashingRequest(clock.Next(), null, null, null), 1, "batch.washed.v1");

        var response = await p.Cooperative.PostJson($"/api/batches/{id}/notes", new NoteRequest(clock.Next(), "Ghi chú"), ifMatch: ifMatch);
        var problem = await response.Problem(400);
        Assert.Equal("request.invalid_field", CodeOf(problem));
        Assert.True(problem.GetProperty("errors").TryGetProperty("If-Match", out _));
        Assert.Equal(2, (await BatchEventsAsync(api, id)).Count);
    }

    /// <summary>RFC 9110 §13.1.1 allows <c>If-Match: *</c>. The Api may honour it (the batch exists) or refuse it as not a revision, but not fail.</summary>
    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task If_Match_star_is_answered_not_crashed_on(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-IFM-03");

        var response = await p.Cooperative.PostJson($"/api/batches/{id}/notes", new NoteRequest(clock.Next(), "Ghi chú"), ifMatch: "*");
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.BadRequest, $"If-Match: * answered {(int)response.StatusCode}: {text}");
        Assert.Equal(response.StatusCode == HttpStatusCode.OK ? 2 : 1, (await BatchEventsAsync(api, id)).Count);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Twenty_parallel_retries_with_one_Idempotency_Key_record_the_step_once_and_answer_alike(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-IDEM-01");
        var body = new InspectionRequest(clock.Next(), "Phòng kiểm nghiệm HTX", null, "Tổ kiểm soát chất lượng HTX", InspectionResult.Pass,
            [new Measurement("Độ ẩm", 36.5m, "%")], null);
        const string key = "phone-7f3a-inspection-0001";

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var retries = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await start.Task;
            var response = await p.Cooperative.PostJson($"/api/batches/{id}/inspections", body, idempotencyKey: key);
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync(), ETag: response.Headers.ETag?.Tag);
        })).ToList();
        start.SetResult();
        var responses = await Task.WhenAll(retries);

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Single(responses.Select(r => r.Body).Distinct());
        Assert.Single(responses.Select(r => r.ETag).Distinct());
        var changed = JsonSerializer.Deserialize<BatchChanged>(responses[0].Body, Json.Options)!;
        Assert.Equal(1, changed.Revision);
        Assert.Equal("\"1\"", responses[0].ETag);

        var events = await BatchEventsAsync(api, id);
        Assert.Equal(new[] { "batch.registered.v1", "batch.inspected.v1" }, events.Select(e => e.Type));
        var all = await AllEventsAsync(api);
        var records = all.Where(e => e.Category == "idempotency").ToList();
        var record = Assert.Single(records);
        Assert.Equal(StreamNames.Idempotency($"cooperative:{p.CooperativeId}", key), record.Stream);
        Assert.Equal("command.completed.v1", record.Type);
        // The record and the step were written by one command.
        Assert.Equal(JsonDocument.Parse(record.Metadata).RootElement.GetProperty("commandId").GetGuid(),
            JsonDocument.Parse(events[1].Metadata).RootElement.GetProperty("commandId").GetGuid());

        // A later retry still gets the original answer and writes nothing.
        var written = await RecordedDuringAsync(api, async () =>
        {
            var late = await p.Cooperative.PostJson($"/api/batches/{id}/inspections", body, idempotencyKey: key);
            Assert.Equal(responses[0].Body, await late.Content.ReadAsStringAsync());

            // The same key with another body, or for another route, is refused.
            var otherBody = await p.Cooperative.PostJson($"/api/batches/{id}/inspections", body with { Result = InspectionResult.Fail },
                idempotencyKey: key);
            Assert.Equal("request.idempotency_key_reused", CodeOf(await otherBody.Problem(422)));
            var otherRoute = await p.Cooperative.PostJson($"/api/batches/{id}/notes", new NoteRequest(clock.Next(), "Ghi chú"), idempotencyKey: key);
            Assert.Equal("request.idempotency_key_reused", CodeOf(await otherRoute.Problem(422)));
        });
        Assert.Empty(written);
        Assert.Equal(2, (await BatchEventsAsync(api, id)).Count);
        Assert.True((await api.Store.VerifyAllAsync()).IsIntact);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task The_same_key_from_another_party_is_another_command(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-IDEM-02");
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, id, clock);
        var before = (await BatchEventsAsync(api, id)).Count;

        // The producer and the custodian may both add notes: the very same request, with the very same key.
        var note = new NoteRequest(clock.Next(), "Đã kiểm tra nhiệt độ kho: 5 °C");
        const string key = "note-2025-08-15-001";
        var byProducer = await p.Cooperative.PostJson($"/api/batches/{id}/notes", note, idempotencyKey: key);
        var byCustodian = await p.Distributor.PostJson($"/api/batches/{id}/notes", note, idempotencyKey: key);
        var first = await byProducer.Read<BatchChanged>();
        var second = await byCustodian.Read<BatchChanged>();
        Assert.Equal(before, first.Revision);
        Assert.Equal(before + 1, second.Revision);

        var events = await BatchEventsAsync(api, id);
        Assert.Equal(before + 2, events.Count);
        Assert.Equal($"cooperative:{p.CooperativeId}", JsonDocument.Parse(events[^2].Metadata).RootElement.GetProperty("actor").GetString());
        Assert.Equal($"buyer:{p.DistributorId}", JsonDocument.Parse(events[^1].Metadata).RootElement.GetProperty("actor").GetString());
        var records = (await AllEventsAsync(api)).Where(e => e.Category == "idempotency").Select(e => e.Stream).ToList();
        Assert.Equal(2, records.Distinct().Count());

        // Each party's retry replays its own answer.
        var producerRetry = await p.Cooperative.PostJson($"/api/batches/{id}/notes", note, idempotencyKey: key);
        Assert.Equal(first.Revision, (await producerRetry.Read<BatchChanged>()).Revision);
        var custodianRetry = await p.Distributor.PostJson($"/api/batches/{id}/notes", note, idempotencyKey: key);
        Assert.Equal(second.Revision, (await custodianRetry.Read<BatchChanged>()).Revision);
        Assert.Equal(before + 2, (await BatchEventsAsync(api, id)).Count);
    }

    [Theory]
    [InlineData(Backend.Sqlite)]
    [InlineData(Backend.Postgres)]
    public async Task Concurrent_different_steps_conflict_or_follow_each_other_and_the_record_stays_consistent(Backend backend)
    {
        await using var api = await ApiFactory.StartAsync(backend);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var id = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-RACE-01");
        var at = clock.Next();
        // Steps that may happen in any order at the same moment.
        Func<int, (string Route, object Body)> stepFor = i => (i % 4) switch
        {
            0 => ("washing", new WashingRequest(at, "Nhà sơ chế", null, $"Lần rửa {i}")),
            1 => ("inspections", new InspectionRequest(at, null, null, "Tổ kiểm soát chất lượng HTX", InspectionResult.Pass, [], $"PKN-{i}")),
            2 => ("storage", new StorageRequest(at, "Kho mát", null, $"Ngăn {i}", 4m)),
            _ => ("notes", new NoteRequest(at, $"Ghi chú số {i}")),
        };
        const int writers = 12;

        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, writers).Select(i => Task.Run(async () =>
        {
            await start.Task;
            var (route, body) = stepFor(i);
            var attempts = new List<(HttpStatusCode Status, string Body)>();
            for (var attempt = 0; attempt < 200; attempt++)
            {
                var response = await p.Cooperative.PostJson($"/api/batches/{id}/{route}", body);
                attempts.Add((response.StatusCode, await response.Content.ReadAsStringAsync()));
                if (response.StatusCode != HttpStatusCode.Conflict) break;
            }

            return attempts;
        })).ToList();
        start.SetResult();
        var results = await Task.WhenAll(tasks);

        foreach (var attempts in results)
        {
            // Every refusal is a 409 naming the revision the batch had reached; the last attempt succeeded.
            foreach (var (status, body) in attempts.SkipLast(1))
            {
                Assert.Equal(HttpStatusCode.Conflict, status);
                var problem = JsonDocument.Parse(body).RootElement;
                Assert.Equal("request.concurrency_conflict", problem.GetProperty("code").GetString());
                Assert.InRange(problem.GetProperty("actualRevision").GetInt64(), 1, writers);
            }

            Assert.True(attempts[^1].Status == HttpStatusCode.OK, $"{(int)attempts[^1].Status}: {attempts[^1].Body}");
        }

        var revisions = results.Select(a => JsonSerializer.Deserialize<BatchChanged>(a[^1].Body, Json.Options)!.Revision).Order().ToList();
        Assert.Equal(Enumerable.Range(1, writers).Select(i => (long)i), revisions);

        var events = await BatchEventsAsync(api, id);
        Assert.Equal(writers + 1, events.Count);
        Assert.Equal(Enumerable.Range(0, writers + 1).Select(i => (long)i), events.Select(e => e.Revision));
        Assert.Equal(events.Count, events.Select(e => e.EventId).Distinct().Count());
        var positions = events.Select(e => e.Position).ToList();
        Assert.Equal(positions.Order(), positions);
        var verification = await (await p.Anonymous.GetAsync($"/api/batches/{id}/verify")).Read<VerificationResponse>();
        Assert.True(verification.Intact);
        Assert.Equal(writers + 1, verification.EventCount);
        var summary = await SummaryAsync(p.Anonymous, id);
        Assert.Equal(writers, summary.Revision);
        Assert.Equal(ProcessingStage.Washed, summary.Stage);
        Assert.True((await api.Store.VerifyAllAsync()).IsIntact);
    }
}
