using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text.Json;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Features.Batches;
using Traceability.Api.Features.Buyers;
using Traceability.Api.Features.Cooperatives;
using Traceability.Api.Features.Keys;
using Traceability.Api.Features.Webhooks;
using Traceability.Api.Security;
using Traceability.Contracts;
using Traceability.Domain.Batches;
using Traceability.Domain.Shared;
using Traceability.IntegrationTests.Api;
using Traceability.Projections.Integration;
using Traceability.TestServers;
using Xunit.Abstractions;
using static Traceability.IntegrationTests.Api.FlowSteps;

namespace Traceability.IntegrationTests.Messaging;

/// <summary>One broker for the class: a real RabbitMQ started from Debian's binaries on 127.0.0.1.</summary>
public sealed class RabbitMqFixture : IAsyncLifetime
{
    public ThrowawayRabbitMq Broker { get; private set; } = null!;

    public async Task InitializeAsync() => Broker = await ThrowawayRabbitMq.StartAsync();

    public async Task DisposeAsync() => await Broker.DisposeAsync();
}

public sealed class RabbitMqEndToEndTests(RabbitMqFixture rabbit, ITestOutputHelper output) : IClassFixture<RabbitMqFixture>
{
    private const int Recalls = 30;

    /// <summary>
    /// The whole path over a real broker: Api → event store → relay → RabbitMQ → recall notifier → webhook delivery
    /// (first attempt of each refused, so every delivery is also retried) → a receiver on 127.0.0.1 that checks each
    /// signature. The broker is stopped and started again while the recalls are being made and relayed: every one
    /// of them still arrives.
    /// </summary>
    [Fact]
    public async Task Every_recall_reaches_the_buyers_webhook_across_a_broker_restart()
    {
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 1);
        await using var baseApi = await ApiFactory.StartAsync(Backend.Sqlite);
        await using var api = baseApi.WithWebHostBuilder(builder =>
        {
            builder.UseSetting("Messaging:Transport", "RabbitMq");
            builder.UseSetting("Messaging:RabbitMq:Host", rabbit.Broker.Host);
            builder.UseSetting("Messaging:RabbitMq:Port", rabbit.Broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
            builder.UseSetting("Messaging:Webhooks:RetryLimit", "10");
            builder.UseSetting("Messaging:Webhooks:AllowPrivateNetworks", "true");
            builder.UseSetting("Messaging:Webhooks:RetryMinIntervalMs", "100");
            builder.UseSetting("Messaging:Webhooks:RetryMaxIntervalMs", "2000");
            builder.UseSetting("Messaging:Webhooks:RetryDeltaMs", "200");
        });

        var admin = Client(api, baseApi.AdminKey);
        var cooperativeId = (await (await admin.PostJson("/api/cooperatives", CanGioParties.Profile("HTX Thủy sản Cần Giờ (demo)")))
            .Read<CooperativeChanged>()).CooperativeId;
        var buyerId = (await (await admin.PostJson("/api/buyers", new RegisterBuyerRequest("Công ty Phân phối Sài Gòn (demo)", null)))
            .Read<BuyerResponse>()).BuyerId;
        var cooperative = Client(api, await CanGioParties.IssueKeyAsync(admin, ApiRole.Cooperative, cooperativeId));
        var buyer = Client(api, await CanGioParties.IssueKeyAsync(admin, ApiRole.Buyer, buyerId));
        var webhook = await (await buyer.PostJson("/api/webhooks", new RegisterWebhookRequest(receiver.Url, receiver.Secret))).Read<WebhookResponse>();
        var listed = await (await buyer.GetAsync("/api/webhooks")).Read<List<WebhookResponse>>();
        Assert.Equal(webhook.WebhookId, Assert.Single(listed).WebhookId);

        // Batches made by the cooperative, now held by the buyer.
        var clock = new StepClock();
        var batches = new List<Guid>();
        for (var i = 0; i < Recalls; i++)
        {
            var id = await RegisterRawBatchAsync(cooperative, clock, $"CG-MQ-{i:D3}");
            await ShipAndConfirmAsync(cooperative, buyer, PartyKind.Buyer, buyerId, id, clock);
            batches.Add(id);
        }

        // The producer recalls them one by one; a third of the way in the broker goes down, two thirds in it comes back.
        var watch = Stopwatch.StartNew();
        TimeSpan? downAt = null, upAt = null;
        for (var i = 0; i < Recalls; i++)
        {
            if (i == Recalls / 3)
            {
                downAt = watch.Elapsed;
                await rabbit.Broker.StopBrokerAsync();
            }

            if (i == 2 * Recalls / 3)
            {
                await rabbit.Broker.StartBrokerAsync();
                upAt = watch.Elapsed;
            }

            (await cooperative.PostJson($"/api/batches/{batches[i]}/recall", new RecallRequest(clock.Next(), "Nghi nhiễm khuẩn", RecallSeverity.High, null)))
                .EnsureSuccessStatusCode();
        }

        var recalled = batches.Select(b => b.ToString()).ToHashSet();
        HashSet<string> Delivered() => receiver.Requests.Where(r => r.StatusAnswered == 200)
            .Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("batchId").GetString()!).ToHashSet();
        await Eventually.TrueAsync(() => Delivered().SetEquals(recalled), TimeSpan.FromMinutes(2),
            $"all {Recalls} recalls delivered (got {Delivered().Count})");
        var elapsed = watch.Elapsed;

        Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid, "every request is signed with the webhook's secret"));
        Assert.Empty(await (await admin.GetAsync("/api/webhooks/dead-letters")).Read<List<DeadLetteredDelivery>>());
        var relay = api.Services.GetRequiredService<IntegrationRelay>();
        output.WriteLine($"{Recalls} recalls delivered in {elapsed.TotalSeconds:F1} s (broker down {downAt?.TotalSeconds:F1}–{upAt?.TotalSeconds:F1} s); " +
                         $"{receiver.Requests.Count} webhook requests ({receiver.Requests.Count(r => r.StatusAnswered == 200)} accepted); relay: {relay.Status}");
    }

    /// <summary>Fan-out: every instance has its own temporary queue for cache invalidation, so every instance evicts.</summary>
    [Fact]
    public async Task Every_instance_evicts_its_cached_provenance()
    {
        var instances = new List<ServiceProvider>();
        try
        {
            for (var i = 0; i < 2; i++) instances.Add(await StartBusAsync($"test{i}-{Guid.NewGuid():N}"[..16]));
            var batchId = Guid.NewGuid();
            foreach (var instance in instances)
                await instance.GetRequiredService<ProvenanceCache>().GetOrAddAsync(batchId, "vi", _ => Task.FromResult(("page", 0L)), default);

            var step = new BatchStepRecordedIntegration(Guid.NewGuid(), batchId, 1, "batch.washed.v1", DateTimeOffset.UtcNow, "washed", null, null, null);
            await instances[0].GetRequiredService<IBus>().Publish(step, c => c.MessageId = step.EventId);
            foreach (var instance in instances)
                await Eventually.TrueAsync(() => !instance.GetRequiredService<ProvenanceCache>().TryGet<string>(batchId, "vi", out _),
                    TimeSpan.FromSeconds(30), "evicted on every instance");
        }
        finally
        {
            foreach (var instance in instances)
            {
                await instance.GetRequiredService<IBusControl>().StopAsync();
                await instance.DisposeAsync();
            }
        }
    }

    private async Task<ServiceProvider> StartBusAsync(string instanceId)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<ProvenanceCache>();
        services.AddMassTransit(bus =>
        {
            bus.AddConsumer<ProvenanceCacheInvalidator>().Endpoint(e =>
            {
                e.InstanceId = instanceId;
                e.Temporary = true;
            });
            bus.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(rabbit.Broker.Host, (ushort)rabbit.Broker.Port, "/", h =>
                {
                    h.Username("guest");
                    h.Password("guest");
                });
                cfg.ConfigureEndpoints(context);
            });
        });
        var provider = services.BuildServiceProvider();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await provider.GetRequiredService<IBusControl>().StartAsync(timeout.Token);
        return provider;
    }

    private static HttpClient Client(WebApplicationFactory<Program> api, string key)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}
