using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Traceability.Api.Features.Batches;
using Traceability.Api.Infrastructure;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.EventStore;

namespace Traceability.IntegrationTests.Api;

/// <summary>
/// Hands out step times in order: a batch refuses a step dated before its previous one, and nothing may be more than
/// ten minutes ahead of the server. Starts three days ago in Vietnam's time zone (UTC+7).
/// </summary>
public sealed class StepClock
{
    public static readonly TimeSpan Vietnam = TimeSpan.FromHours(7);
    private DateTimeOffset _current;

    public StepClock()
    {
        var start = DateTimeOffset.UtcNow.ToOffset(Vietnam).AddDays(-3);
        _current = new DateTimeOffset(start.Year, start.Month, start.Day, start.Hour, start.Minute, 0, Vietnam);
    }

    public DateTimeOffset Current => _current;

    /// <summary>The local calendar day of <see cref="Current"/>.</summary>
    public DateOnly Today => DateOnly.FromDateTime(_current.DateTime);

    public DateTimeOffset Next() => _current = _current.AddMinutes(15);
}

/// <summary>Small steps of the Cần Giờ flow shared by the Api tests: requests as a phone would send them, and store reads.</summary>
public static class FlowSteps
{
    public static Product OneSunFish => new("Khô cá dứa một nắng", "One-sun dried catfish", "fish.one_sun", null);

    public static Product FreshFish => new("Cá dứa tươi", "Fresh catfish", "fish.fresh", null);

    public static Origin FishingArea(StepClock clock) =>
        new("Vùng biển Cần Giờ – cửa sông Lòng Tàu", new GeoPoint(10.4114m, 106.9538m), clock.Today.AddDays(-1), clock.Today, "Tàu CG-90123-TS");

    public static Quantity Kg(decimal amount) => new(amount, QuantityUnit.Kg);

    public static RegisterBatchRequest RawBatch(StepClock clock, string lot, decimal kg = 100m, Product? product = null, Guid? batchId = null) =>
        new(batchId, product ?? OneSunFish, lot, Kg(kg), FishingArea(clock), clock.Next(), null, null);

    public static async Task<Guid> RegisterRawBatchAsync(HttpClient cooperative, StepClock clock, string lot, decimal kg = 100m, Product? product = null)
    {
        var response = await cooperative.PostJson("/api/batches", RawBatch(clock, lot, kg, product));
        var changed = await response.Read<BatchChanged>();
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return changed.BatchId;
    }

    /// <summary>Posts a step and checks it was recorded at <paramref name="expectedRevision"/> (body and ETag agree).</summary>
    public static async Task<BatchChanged> StepAsync(HttpClient client, Guid batchId, string route, object body, long expectedRevision,
        string expectedEventType)
    {
        var response = await client.PostJson($"/api/batches/{batchId}/{route}", body);
        var changed = await response.Read<BatchChanged>();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(batchId, changed.BatchId);
        Assert.Equal(expectedRevision, changed.Revision);
        Assert.Equal(expectedEventType, changed.EventType);
        Assert.Equal($"\"{expectedRevision}\"", response.Headers.ETag?.Tag);
        return changed;
    }

    public static async Task<BatchSummary> SummaryAsync(HttpClient client, Guid batchId)
    {
        var response = await client.GetAsync($"/api/batches/{batchId}");
        var summary = await response.Read<BatchSummary>();
        Assert.Equal($"\"{summary.Revision}\"", response.Headers.ETag?.Tag);
        return summary;
    }

    /// <summary>Ships the whole batch to a party and has that party confirm it; returns the shipment id.</summary>
    public static async Task<Guid> ShipAndConfirmAsync(HttpClient from, HttpClient to, PartyKind toKind, Guid toId, Guid batchId, StepClock clock)
    {
        var onHand = (await SummaryAsync(from, batchId)).OnHand;
        (await from.PostJson($"/api/batches/{batchId}/shipments",
            new ShippingRequest(clock.Next(), "Kho HTX", null, toKind, toId, onHand, "Xe tải lạnh 51C-123.45"))).EnsureSuccessStatusCode();
        var shipment = (await SummaryAsync(from, batchId)).Shipment ?? throw new InvalidOperationException("No pending shipment.");
        (await to.PostJson($"/api/batches/{batchId}/receipts",
            new ReceiptRequest(clock.Next(), "Kho bên nhận", null, shipment.ShipmentId, onHand, ReceiptCondition.Good))).EnsureSuccessStatusCode();
        return shipment.ShipmentId;
    }

    public static async Task<List<RecordedEvent>> BatchEventsAsync(ApiFactory api, Guid batchId)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in api.Store.ReadStreamAsync(StreamNames.Batch(batchId), ReadDirection.Forward, 0, long.MaxValue)) events.Add(e);
        return events;
    }

    private const string MarkerCategory = "testmarker";

    /// <summary>
    /// A point in <c>$all</c> behind which everything committed so far is readable. PostgreSQL shows <c>$all</c> only below
    /// the oldest write transaction still open anywhere in the cluster (other tests' databases too), so a write that has
    /// answered may not be readable there yet: append a marker to a test-only stream and wait until <c>$all</c> reaches it.
    /// </summary>
    public static async Task<GlobalPosition> SettleAsync(ApiFactory api)
    {
        var marker = await api.Store.AppendAsync($"{MarkerCategory}-{Guid.NewGuid():N}", ExpectedRevision.NoStream,
            [new EventData(Guid.NewGuid(), "test.marker.v1", "{}"u8.ToArray())]);
        using var patience = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (await api.Store.ReadHeadPositionAsync(patience.Token) < marker.Position) await Task.Delay(10, patience.Token);
        return marker.Position;
    }

    /// <summary>The Api's events in <c>$all</c> strictly between two settled points (markers left out).</summary>
    public static async Task<List<RecordedEvent>> EventsBetweenAsync(ApiFactory api, GlobalPosition after, GlobalPosition before)
    {
        var events = new List<RecordedEvent>();
        await foreach (var e in api.Store.ReadAllAsync(after))
        {
            if (e.Position >= before) break;
            if (e.Category != MarkerCategory) events.Add(e);
        }

        return events;
    }

    /// <summary>Every event the Api has written so far, in <c>$all</c> order.</summary>
    public static async Task<List<RecordedEvent>> AllEventsAsync(ApiFactory api) =>
        await EventsBetweenAsync(api, GlobalPosition.Start, await SettleAsync(api));

    /// <summary>Runs <paramref name="action"/> and returns the events the Api appended meanwhile.</summary>
    public static async Task<List<RecordedEvent>> RecordedDuringAsync(ApiFactory api, Func<Task> action)
    {
        var before = await SettleAsync(api);
        await action();
        return await EventsBetweenAsync(api, before, await SettleAsync(api));
    }

    public static JsonElement DataOf(RecordedEvent e) => JsonDocument.Parse(e.Data).RootElement;

    public static string CodeOf(JsonElement problem) => problem.GetProperty("code").GetString()!;

    public static Task<HttpResponseMessage> SendJson(this HttpClient client, HttpMethod method, string url, object? body = null,
        string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json.Options);
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }
}

/// <summary>One Api per backend for a whole test class, started on first use; each test still makes its own parties and batches.</summary>
public sealed class SharedApis : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Dictionary<Backend, ApiFactory> _apis = [];

    public async Task<ApiFactory> GetAsync(Backend backend)
    {
        await _gate.WaitAsync();
        try
        {
            if (!_apis.TryGetValue(backend, out var api)) _apis[backend] = api = await ApiFactory.StartAsync(backend);
            return api;
        }
        finally
        {
            _gate.Release();
        }
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var api in _apis.Values) await api.DisposeAsync();
    }
}
