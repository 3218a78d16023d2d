using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using MassTransit.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using QRCoder;
using Traceability.Api.Features.Labels;
using Traceability.Api.Features.Webhooks;
using Traceability.Api.Infrastructure;
using Traceability.Contracts;
using Traceability.Projections.Hosting;
using Traceability.Projections.Integration;

namespace Traceability.IntegrationTests.Messaging;

/// <summary>Each consumer under MassTransit's test harness (in-memory), over a real read-model database in a temp directory.</summary>
public sealed class ConsumerHarnessTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static async Task<(ServiceProvider Provider, ITestHarness Harness, TempReadModels Temp)> StartAsync(MessagingOptions options)
    {
        var temp = new TempReadModels();
        var database = await temp.OpenAsync();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(database);
        services.AddSingleton(TimeProvider.System);
        services.AddMessagingServices(options);
        services.AddMassTransitTestHarness(bus => bus.AddTraceabilityConsumers(options));
        var provider = services.BuildServiceProvider(true);
        var harness = provider.GetRequiredService<ITestHarness>();
        harness.TestTimeout = Patience;
        await harness.Start();
        return (provider, harness, temp);
    }

    private static async Task StopAsync(ServiceProvider provider, TempReadModels temp)
    {
        await provider.DisposeAsync();
        await temp.DisposeAsync();
    }

    private static PartyInfo Buyer(Guid id) => new("buyer", id, "Công ty Phân phối Sài Gòn (demo)");

    private static BatchRecalledIntegration Recall(Guid batchId, PartyInfo? custodian, PartyInfo? inTransitTo = null) =>
        new(Guid.NewGuid(), batchId, 5, "batch.recalled.v1", DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(-1), "Nghi nhiễm khuẩn", "high",
            null, new PartyInfo("cooperative", Guid.NewGuid(), "HTX Thủy sản Cần Giờ (demo)"), custodian, inTransitTo, "CG-01", "Khô cá dứa một nắng", null);

    private static BatchPublicCodeAssignedIntegration CodeAssigned(Guid batchId, string? gtin = null) =>
        new(Guid.NewGuid(), batchId, "7M3KQ9X2A5", gtin, "CG-01", DateTimeOffset.UtcNow);

    [Fact]
    public async Task A_new_public_code_gets_its_QR_code_rendered_and_cached_once_per_message_id()
    {
        var (provider, harness, temp) = await StartAsync(TempReadModels.Options());
        try
        {
            var batchId = Guid.NewGuid();
            var message = CodeAssigned(batchId);
            // The same message twice (a relay re-publication after a crash): one rendering.
            await harness.Bus.Publish(message, c => c.MessageId = message.EventId);
            await harness.Bus.Publish(message, c => c.MessageId = message.EventId);
            // (The harness lists received messages by message id, so it shows the two copies as one: wait for quiet instead.)
            Assert.True(await harness.GetConsumerHarness<LabelRenderingConsumer>().Consumed.Any<BatchPublicCodeAssignedIntegration>(), "consumed");
            await harness.InactivityTask;

            var labels = provider.GetRequiredService<LabelStore>();
            Assert.Equal(1, labels.Writes);
            var label = await labels.FindAsync(batchId, CancellationToken.None);
            Assert.NotNull(label);
            Assert.Equal("https://truyxuat.example.vn/p/7M3KQ9X2A5", label.Uri);
            Assert.True(await provider.GetRequiredService<IntegrationInbox>().HasProcessedAsync(LabelRenderingConsumer.InboxName, message.EventId, default));

            // Level M, quiet zone of 4 modules: the PNG is (modules + 2·4) × 10 px square, dark modules start 40 px in.
            using var generator = new QRCodeGenerator();
            using var data = generator.CreateQrCode(label.Uri, QRCodeGenerator.ECCLevel.M);
            var modules = 17 + 4 * data.Version;
            var (width, height) = PngSize(label.Png);
            Assert.Equal((modules + 2 * QrRenderer.QuietZoneModules) * QrRenderer.PixelsPerModule, width);
            Assert.Equal(width, height);
            Assert.Equal(label.Png, new PngByteQRCode(data).GetGraphic(10, drawQuietZones: true));
            Assert.StartsWith("<svg", label.Svg.TrimStart(), StringComparison.Ordinal);
            // The SVG scales (viewBox), in modules or pixels, quiet zone included.
            var viewBox = System.Text.RegularExpressions.Regex.Match(label.Svg, "viewBox=\"0 0 ([0-9.]+) ([0-9.]+)\"");
            Assert.True(viewBox.Success, label.Svg[..Math.Min(200, label.Svg.Length)]);
            Assert.Contains(viewBox.Groups[1].Value, new[] { $"{modules + 8}", $"{width}" });

            // A different message (another event id) for the same batch is new work.
            var again = CodeAssigned(batchId, "08930000000016");
            await harness.Bus.Publish(again, c => c.MessageId = again.EventId);
            await Eventually.TrueAsync(() => labels.Writes == 2, Patience, "second message rendered");
        }
        finally
        {
            await StopAsync(provider, temp);
        }
    }

    [Fact]
    public async Task A_provenance_change_evicts_the_batch_from_the_cache_whatever_the_message_type()
    {
        var (provider, harness, temp) = await StartAsync(TempReadModels.Options());
        try
        {
            var cache = provider.GetRequiredService<ProvenanceCache>();
            var (a, b) = (Guid.NewGuid(), Guid.NewGuid());
            await cache.GetOrAddAsync(a, "vi", _ => Task.FromResult(("page a", 2L)), default);
            await cache.GetOrAddAsync(b, "vi", _ => Task.FromResult(("page b", 2L)), default);

            var step = new BatchStepRecordedIntegration(Guid.NewGuid(), a, 3, "batch.washed.v1", DateTimeOffset.UtcNow, "washed", null, null, null);
            await harness.Bus.Publish(step, c => c.MessageId = step.EventId);
            await Eventually.TrueAsync(() => !cache.TryGet<string>(a, "vi", out _), Patience, "batch a evicted");
            Assert.True(cache.TryGet<string>(b, "vi", out var pageB));
            Assert.Equal("page b", pageB);

            var recall = Recall(b, null);
            await harness.Bus.Publish(recall, c => c.MessageId = recall.EventId);
            await Eventually.TrueAsync(() => !cache.TryGet<string>(b, "vi", out _), Patience, "batch b evicted by a recall");
        }
        finally
        {
            await StopAsync(provider, temp);
        }
    }

    [Fact]
    public async Task A_copy_older_than_the_eviction_is_served_but_never_kept()
    {
        var cache = new ProvenanceCache();
        var batchId = Guid.NewGuid();
        Assert.Equal("rev 3", await cache.GetOrAddAsync(batchId, "vi", _ => Task.FromResult(("rev 3", 3L)), default));
        Assert.True(cache.TryGet<string>(batchId, "vi", out _));

        // The change message (revision 4) arrives before this instance's read model has applied it.
        cache.Evict(batchId, 4);
        Assert.False(cache.TryGet<string>(batchId, "vi", out _));
        Assert.Equal("rev 3 again", await cache.GetOrAddAsync(batchId, "vi", _ => Task.FromResult(("rev 3 again", 3L)), default));
        Assert.False(cache.TryGet<string>(batchId, "vi", out _), "a copy from before the change is not kept");

        // A render that started before the eviction and ends after it, with the old revision: not kept either.
        var rendering = new TaskCompletionSource<(string, long)>();
        var pending = cache.GetOrAddAsync(batchId, "en", _ => rendering.Task, default);
        cache.Evict(batchId, 5);
        rendering.SetResult(("rev 4, late", 4L));
        Assert.Equal("rev 4, late", await pending);
        Assert.False(cache.TryGet<string>(batchId, "en", out _));

        // Once the read model has caught up, the copy is kept again.
        Assert.Equal("rev 5", await cache.GetOrAddAsync(batchId, "vi", _ => Task.FromResult(("rev 5", 5L)), default));
        Assert.True(cache.TryGet<string>(batchId, "vi", out var kept));
        Assert.Equal("rev 5", kept);
    }

    [Fact]
    public async Task A_copy_expires_after_the_maximum_age()
    {
        var time = new ManualTime(DateTimeOffset.Parse("2026-06-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        var cache = new ProvenanceCache(time);
        var batchId = Guid.NewGuid();
        await cache.GetOrAddAsync(batchId, "vi", _ => Task.FromResult(("page", 1L)), default);
        time.Advance(ProvenanceCache.MaxAge - TimeSpan.FromSeconds(1));
        Assert.True(cache.TryGet<string>(batchId, "vi", out _));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.False(cache.TryGet<string>(batchId, "vi", out _), "a certification change sends no batch message: the copy ages out");
    }

    private sealed class ManualTime(DateTimeOffset now) : TimeProvider
    {
        private DateTimeOffset _now = now;

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    [Fact]
    public async Task A_recall_is_delivered_signed_to_the_custodians_webhook_after_retries_once_per_message_id()
    {
        var (provider, harness, temp) = await StartAsync(TempReadModels.Options(retryLimit: 4));
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 2);
        try
        {
            var store = provider.GetRequiredService<WebhookStore>();
            var (buyer, bystander) = (Guid.NewGuid(), Guid.NewGuid());
            var webhook = (await store.AddAsync(buyer, receiver.Url, receiver.Secret, DateTimeOffset.UtcNow, default))!;
            await store.AddAsync(bystander, receiver.Url, "another-secret-0123456789", DateTimeOffset.UtcNow, default);

            var batchId = Guid.NewGuid();
            var recall = Recall(batchId, Buyer(buyer));
            await harness.Bus.Publish(recall, c => c.MessageId = recall.EventId);
            var expectedDelivery = RecallNotifier.DeliveryId(recall.EventId, webhook.WebhookId).ToString();
            await Eventually.TrueAsync(() => receiver.Requests.Any(r => r.StatusAnswered == 200), Patience, "delivered");

            // The same recall again (redelivery / re-publication): no second delivery.
            await harness.Bus.Publish(recall, c => c.MessageId = recall.EventId);
            await harness.InactivityTask;

            var requests = receiver.Requests.ToList();
            Assert.All(requests, r => Assert.True(r.SignatureValid, "signature"));
            Assert.All(requests, r => Assert.Equal(expectedDelivery, r.DeliveryId));
            Assert.Equal([500, 500, 200], requests.Select(r => r.StatusAnswered));
            // Back-off: each retry waited.
            Assert.True(requests[2].At - requests[0].At >= TimeSpan.FromMilliseconds(20));
            var body = JsonDocument.Parse(requests[^1].Body).RootElement;
            Assert.Equal("batch.recalled", body.GetProperty("type").GetString());
            Assert.Equal(batchId, body.GetProperty("batchId").GetGuid());
            Assert.Equal(recall.EventId, body.GetProperty("eventId").GetGuid());
            Assert.Equal("Nghi nhiễm khuẩn", body.GetProperty("reason").GetString());
            Assert.Equal("custodian", body.GetProperty("recipient").GetProperty("role").GetString());
            Assert.True(await store.IsDeliveredAsync(Guid.Parse(expectedDelivery), default));
            Assert.Empty(await store.DeadLettersAsync(10, default));
        }
        finally
        {
            await StopAsync(provider, temp);
        }
    }

    [Fact]
    public async Task A_delivery_that_keeps_failing_is_retried_with_back_off_then_dead_lettered()
    {
        const int retries = 3;
        var (provider, harness, temp) = await StartAsync(TempReadModels.Options(retryLimit: retries));
        await using var receiver = await WebhookReceiver.StartAsync(alwaysFail: true);
        try
        {
            var store = provider.GetRequiredService<WebhookStore>();
            var buyer = Guid.NewGuid();
            var webhook = (await store.AddAsync(buyer, receiver.Url, receiver.Secret, DateTimeOffset.UtcNow, default))!;
            var recall = Recall(Guid.NewGuid(), null, inTransitTo: Buyer(buyer));
            await harness.Bus.Publish(recall, c => c.MessageId = recall.EventId);

            Assert.True(await harness.Published.Any<Fault<WebhookDeliveryRequested>>(), "the delivery faulted after its retries");
            await Eventually.TrueAsync(async () => (await store.DeadLettersAsync(10, default)).Count == 1, Patience, "dead-lettered");
            var dead = (await store.DeadLettersAsync(10, default)).Single();
            Assert.Equal(retries + 1, receiver.Requests.Count);
            Assert.All(receiver.Requests, r => Assert.True(r.SignatureValid));
            Assert.Equal(retries + 1, dead.Attempts);
            Assert.Equal(webhook.WebhookId, dead.WebhookId);
            Assert.Equal(recall.BatchId, dead.BatchId);
            Assert.Equal(RecallNotifier.DeliveryId(recall.EventId, webhook.WebhookId), dead.DeliveryId);
            Assert.Contains("500", dead.LastError, StringComparison.Ordinal);
            Assert.Equal("in_transit_receiver", JsonDocument.Parse(dead.Body).RootElement.GetProperty("recipient").GetProperty("role").GetString());
            Assert.False(await store.IsDeliveredAsync(dead.DeliveryId, default));
        }
        finally
        {
            await StopAsync(provider, temp);
        }
    }

    [Fact]
    public async Task A_webhook_that_leads_into_the_servers_own_network_is_never_called()
    {
        var options = TempReadModels.Options(retryLimit: 1, extra: new() { ["Messaging:Webhooks:AllowPrivateNetworks"] = "false" });
        var (provider, harness, temp) = await StartAsync(options);
        await using var receiver = await WebhookReceiver.StartAsync(failFirst: 0);
        try
        {
            var store = provider.GetRequiredService<WebhookStore>();
            var buyer = Guid.NewGuid();
            // 127.0.0.1 literally, and "localhost", which a name lookup turns into it.
            await store.AddAsync(buyer, receiver.Url, receiver.Secret, DateTimeOffset.UtcNow, default);
            await store.AddAsync(buyer, receiver.Url.Replace("127.0.0.1", "localhost", StringComparison.Ordinal), receiver.Secret, DateTimeOffset.UtcNow, default);
            var recall = Recall(Guid.NewGuid(), Buyer(buyer));
            await harness.Bus.Publish(recall, c => c.MessageId = recall.EventId);

            await Eventually.TrueAsync(async () => (await store.DeadLettersAsync(10, default)).Count == 2, Patience, "both dead-lettered");
            Assert.Empty(receiver.Requests);
            Assert.All(await store.DeadLettersAsync(10, default), dead => Assert.Contains("internal addresses", dead.LastError, StringComparison.Ordinal));
        }
        finally
        {
            await StopAsync(provider, temp);
        }
    }

    [Theory]
    [InlineData("127.0.0.1", false)]
    [InlineData("10.1.2.3", false)]
    [InlineData("172.16.0.9", false)]
    [InlineData("192.168.1.1", false)]
    [InlineData("169.254.169.254", false)]
    [InlineData("100.64.0.1", false)]
    [InlineData("0.0.0.0", false)]
    [InlineData("::1", false)]
    [InlineData("fd00::1", false)]
    [InlineData("fe80::1", false)]
    [InlineData("::ffff:10.0.0.1", false)]
    [InlineData("203.113.131.1", true)]
    [InlineData("2402:800::1", true)]
    public void Internal_addresses_are_told_from_public_ones(string address, bool isPublic) =>
        Assert.Equal(isPublic, WebhookNetwork.IsPublic(System.Net.IPAddress.Parse(address)));

    [Fact]
    public void The_signature_is_HMAC_SHA256_over_timestamp_dot_body_in_hex()
    {
        const string secret = "s3cr3t-for-tests-0123456789", timestamp = "1767225600", body = "{\"type\":\"batch.recalled\"}";
        var expected = Convert.ToHexStringLower(new HMACSHA256(Encoding.UTF8.GetBytes(secret)).ComputeHash(Encoding.UTF8.GetBytes("1767225600.{\"type\":\"batch.recalled\"}")));
        Assert.Equal("sha256=" + expected, WebhookSignature.Sign(secret, timestamp, body));
        var at = DateTimeOffset.FromUnixTimeSeconds(1767225600);
        Assert.True(WebhookSignature.Verify(secret, timestamp, body, "sha256=" + expected, at.AddSeconds(30), TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, timestamp, body + " ", "sha256=" + expected, at, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify("another-secret-0123456789", timestamp, body, "sha256=" + expected, at, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, "1767225601", body, "sha256=" + expected, at, TimeSpan.FromMinutes(5)));
        Assert.False(WebhookSignature.Verify(secret, timestamp, body, "sha256=" + expected, at.AddHours(1), TimeSpan.FromMinutes(5)));
    }

    [Theory]
    [InlineData("Messaging:Transport", "Kafka", "Messaging:Transport is 'Kafka'")]
    [InlineData("Messaging:RabbitMq:Port", "70000", "Messaging:RabbitMq:Port is '70000'")]
    [InlineData("Messaging:Webhooks:RetryLimit", "0", "Messaging:Webhooks:RetryLimit is '0'")]
    [InlineData("Public:BaseUrl", "ftp://example.vn", "Public:BaseUrl is 'ftp://example.vn'")]
    public void A_configuration_error_stops_the_start_with_a_message_naming_the_key(string key, string value, string message)
    {
        var settings = new Dictionary<string, string?> { [key] = value };
        if (key.StartsWith("Messaging:RabbitMq", StringComparison.Ordinal))
        {
            settings["Messaging:Transport"] = "RabbitMq";
            settings["Messaging:RabbitMq:Host"] = "127.0.0.1";
        }

        var error = Assert.Throws<InvalidOperationException>(() => MessagingOptions.From(
            new Microsoft.Extensions.Configuration.ConfigurationBuilder().AddInMemoryCollection(settings).Build()));
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        var missingHost = Assert.Throws<InvalidOperationException>(() => MessagingOptions.From(new Microsoft.Extensions.Configuration.ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["Messaging:Transport"] = "rabbitmq" }).Build()));
        Assert.Contains("Messaging:RabbitMq:Host", missingHost.Message, StringComparison.Ordinal);
    }

    private static (int Width, int Height) PngSize(byte[] png) =>
        (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
}
