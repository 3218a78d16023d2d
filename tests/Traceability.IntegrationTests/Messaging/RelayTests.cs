using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Labels;
using Traceability.Api.Features.Webhooks;
using Traceability.Contracts;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;
using Xunit.Abstractions;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Messaging;

/// <summary>The relay inside the real Api on the default in-memory transport.</summary>
public sealed class RelayTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private sealed record Seen(Guid? MessageId, Type Type, BatchProvenanceChanged Message);

    private static async Task<ConcurrentQueue<Seen>> ProbeAsync(ApiFactory api)
    {
        var seen = new ConcurrentQueue<Seen>();
        var bus = api.Services.GetRequiredService<IBus>();
        var handle = bus.ConnectReceiveEndpoint($"relay-probe-{Guid.NewGuid():N}", e =>
        {
            e.Handler<BatchProvenanceChanged>(context =>
            {
                // The handler sees the interface; the concrete message is there too, as published.
                BatchProvenanceChanged concrete =
                    context.TryGetMessage<BatchRegisteredIntegration>(out var registered) ? registered.Message
                    : context.TryGetMessage<BatchShippedIntegration>(out var shipped) ? shipped.Message
                    : context.TryGetMessage<BatchReceiptConfirmedIntegration>(out var receipt) ? receipt.Message
                    : context.TryGetMessage<BatchRecalledIntegration>(out var recalled) ? recalled.Message
                    : context.TryGetMessage<BatchStepRecordedIntegration>(out var step) ? step.Message
                    : context.Message;
                seen.Enqueue(new Seen(context.MessageId, concrete.GetType(), concrete));
                return Task.CompletedTask;
            });
        });
        await handle.Ready;
        return seen;
    }

    [Fact]
    public async Task Each_batch_event_is_published_once_in_event_order_with_the_event_id_as_message_id()
    {
        await using var api = await ApiFactory.StartAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var seen = await ProbeAsync(api);
        var clock = new StepClock();
        var raw = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-RELAY-01");
        (await p.Cooperative.PostJson($"/api/batches/{raw}/washing", new WashingRequest(clock.Next(), "Bến cá", null, "Rửa sạch"))).EnsureSuccessStatusCode();
        await ShipAndConfirmAsync(p.Cooperative, p.Distributor, PartyKind.Buyer, p.DistributorId, raw, clock);
        (await p.Cooperative.PostJson($"/api/batches/{raw}/recall", new RecallRequest(clock.Next(), "Nghi nhiễm khuẩn", RecallSeverity.High, null)))
            .EnsureSuccessStatusCode();

        var events = await BatchEventsAsync(api, raw);
        await api.Services.GetRequiredService<IntegrationRelay>().WaitForAsync(events[^1].Position, CancellationToken.None);
        await Eventually.TrueAsync(() => seen.Count(s => s.Message.BatchId == raw) >= events.Count, Patience, "all relayed");
        var relayed = seen.Where(s => s.Message.BatchId == raw).ToList();

        Assert.Equal(events.Select(e => e.EventId), relayed.Select(s => s.MessageId!.Value));
        Assert.Equal(events.Select(e => e.EventId), relayed.Select(s => s.Message.EventId));
        Assert.Equal(events.Select(e => e.Revision), relayed.Select(s => s.Message.Revision));
        Assert.Equal([typeof(BatchRegisteredIntegration), typeof(BatchStepRecordedIntegration), typeof(BatchShippedIntegration), typeof(BatchReceiptConfirmedIntegration), typeof(BatchRecalledIntegration)],
            relayed.Select(s => s.Type));
        var recall = Assert.IsType<BatchRecalledIntegration>(relayed[^1].Message);
        Assert.Equal(p.DistributorId, recall.Custodian?.Id);
        Assert.Equal("buyer", recall.Custodian?.Kind);
        Assert.Null(recall.InTransitTo);
        Assert.Equal("CG-RELAY-01", recall.LotNumber);
        Assert.Equal("high", recall.Severity);
        Assert.Equal("washed", Assert.IsType<BatchStepRecordedIntegration>(relayed[1].Message).Step);

        // The checkpoint is in the read-model database, where the projections keep theirs.
        var database = api.Services.GetRequiredService<ReadModelDatabase>();
        var checkpoint = await database.QueryAsync("SELECT commit_position, prepare_position FROM projection_checkpoints WHERE name = @name",
            r => new Traceability.EventStore.GlobalPosition(r.GetInt64(0), r.GetInt64(1)), CancellationToken.None, ("@name", IntegrationRelay.CheckpointName));
        Assert.True(Assert.Single(checkpoint) >= events[^1].Position);
    }

    [Fact]
    public async Task A_registered_batch_has_its_QR_code_cached_and_served_with_an_ETag()
    {
        await using var api = await ApiFactory.StartAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        var clock = new StepClock();
        var batchId = await RegisterRawBatchAsync(p.Cooperative, clock, "CG-QR-01");
        var labels = api.Services.GetRequiredService<LabelStore>();
        await Eventually.TrueAsync(async () => await labels.FindAsync(batchId, CancellationToken.None) is not null, Patience, "label rendered by the consumer");
        // The endpoint finds the batch's public identity in the provenance read model.
        await api.Services.GetRequiredService<Projector>().WaitForAsync(await SettleAsync(api), CancellationToken.None);

        var svg = await p.Anonymous.GetAsync($"/api/batches/{batchId}/qr.svg");
        Assert.Equal(HttpStatusCode.OK, svg.StatusCode);
        Assert.Equal("image/svg+xml", svg.Content.Headers.ContentType?.MediaType);
        Assert.Contains("<svg", await svg.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var png = await p.Anonymous.GetAsync($"/api/batches/{batchId}/qr.png");
        Assert.Equal("image/png", png.Content.Headers.ContentType?.MediaType);
        var bytes = await png.Content.ReadAsByteArrayAsync();
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, bytes[..4]);
        Assert.NotEqual(svg.Headers.ETag, png.Headers.ETag);

        var conditional = new HttpRequestMessage(HttpMethod.Get, $"/api/batches/{batchId}/qr.png");
        conditional.Headers.IfNoneMatch.Add(png.Headers.ETag!);
        Assert.Equal(HttpStatusCode.NotModified, (await p.Anonymous.SendAsync(conditional)).StatusCode);

        // A cache miss renders (here: a cleared cache), an unknown batch is 404.
        var database = api.Services.GetRequiredService<ReadModelDatabase>();
        await database.WriteAsync((c, t) => database.ExecuteAsync(c, t, "DELETE FROM label_qr_codes", CancellationToken.None), CancellationToken.None);
        var again = await p.Anonymous.GetAsync($"/api/batches/{batchId}/qr.png");
        Assert.Equal(png.Headers.ETag, again.Headers.ETag);
        Assert.Equal(bytes, await again.Content.ReadAsByteArrayAsync());
        await (await p.Anonymous.GetAsync($"/api/batches/{Guid.NewGuid()}/qr.svg")).Problem(404);
    }

    [Fact]
    public async Task Webhook_registration_checks_its_input_and_lists_only_your_own()
    {
        await using var api = await ApiFactory.StartAsync(Backend.Sqlite);
        var p = await CanGioParties.RegisterAsync(api);
        await (await p.Distributor.PostJson("/api/webhooks", new RegisterWebhookRequest("ftp://127.0.0.1/x", "0123456789abcdef")))
            .Problem(400);
        await (await p.Distributor.PostJson("/api/webhooks", new RegisterWebhookRequest("http://127.0.0.1:9/x", "short"))).Problem(400);
        await (await p.Distributor.PostJson("/api/webhooks", new RegisterWebhookRequest("http://user:pw@127.0.0.1:9/x",
            "0123456789abcdef"))).Problem(400);
        var created = await p.Distributor.PostJson("/api/webhooks", new RegisterWebhookRequest("http://127.0.0.1:9/hook", "0123456789abcdef"));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var text = await created.Content.ReadAsStringAsync();
        Assert.DoesNotContain("0123456789abcdef", text, StringComparison.Ordinal);
        Assert.Single(await (await p.Distributor.GetAsync("/api/webhooks")).Read<List<WebhookResponse>>());
        Assert.Empty(await (await p.Retailer.GetAsync("/api/webhooks")).Read<List<WebhookResponse>>());
        await (await p.Cooperative.GetAsync("/api/webhooks")).Problem(403);
        await (await p.Distributor.GetAsync("/api/webhooks/dead-letters")).Problem(403);
        Assert.Equal(HttpStatusCode.OK, (await p.Admin.GetAsync("/api/webhooks/dead-letters")).StatusCode);
    }

    /// <summary>Throughput of the relay alone on the in-memory transport: events appended directly, then relayed.</summary>
    [Fact]
    public async Task The_relay_catches_up_on_a_backlog_and_reports_its_rate()
    {
        await using var api = await ApiFactory.StartAsync(Backend.Sqlite);
        var relay = api.Services.GetRequiredService<IntegrationRelay>();
        var store = api.Store;
        const int batches = 500;
        var last = Traceability.EventStore.GlobalPosition.Start;
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < batches; i++)
        {
            var id = Guid.NewGuid();
            var data = System.Text.Encoding.UTF8.GetBytes($$$"""{"batchId":"{{{id}}}","step":{"occurredAt":"2026-01-01T00:00:00+07:00","place":null,"recordedBy":{"kind":"cooperative","id":"{{{Guid.NewGuid()}}}","name":"HTX"},"note":"n"}}""");
            last = (await store.AppendAsync($"batch-{id:N}", Traceability.EventStore.ExpectedRevision.NoStream,
                [new Traceability.EventStore.EventData(Guid.NewGuid(), "batch.note_added.v1", data)])).Position;
        }

        var appended = watch.Elapsed;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await relay.WaitForAsync(last, timeout.Token);
        output.WriteLine($"relay: {batches} events appended in {appended.TotalMilliseconds:F0} ms, all published {watch.Elapsed.TotalMilliseconds:F0} ms " +
                         $"after the first append (≥ {batches / watch.Elapsed.TotalSeconds:F0} msg/s end to end); status {relay.Status}");
        Assert.True(relay.Status.Published >= batches);
    }
}
