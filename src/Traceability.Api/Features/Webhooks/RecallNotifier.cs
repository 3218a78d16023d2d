using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using MassTransit;
using Traceability.Contracts;
using Traceability.Projections.Integration;

namespace Traceability.Api.Features.Webhooks;

/// <summary>How webhook deliveries are attempted: MassTransit's message retry with exponential back-off, then dead-lettered.</summary>
/// <param name="RetryLimit">Retries after the first attempt (1–20).</param>
/// <param name="AllowPrivateNetworks">
/// Whether a webhook may lead to a loopback, private, link-local or otherwise internal address. Off by default: a buyer's
/// URL must not turn the server into a client of its own network (SSRF). Tests on 127.0.0.1 turn it on.
/// </param>
public sealed record WebhookDeliveryOptions(int RetryLimit, TimeSpan RetryMinInterval, TimeSpan RetryMaxInterval, TimeSpan RetryDelta, TimeSpan Timeout,
    bool AllowPrivateNetworks = false)
{
    public static WebhookDeliveryOptions Default { get; } =
        new(5, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(10));
}

/// <summary>
/// Connects webhook deliveries only to public addresses (unless allowed): the host name is resolved here and the check
/// made on the address actually dialled, so a DNS name that points inside (or is re-pointed later) is refused too.
/// </summary>
public static class WebhookNetwork
{
    public static SocketsHttpHandler Handler(WebhookDeliveryOptions options) => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await System.Net.Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var allowed = addresses.Where(a => options.AllowPrivateNetworks || IsPublic(a)).ToArray();
            if (allowed.Length == 0)
                throw new WebhookDeliveryFailedException(
                    $"{context.DnsEndPoint.Host} resolves only to internal addresses ({string.Join(", ", addresses.Select(a => a.ToString()))}): refused.");
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };

    /// <summary>Not loopback, private (RFC 1918, fc00::/7), link-local, carrier-grade NAT, multicast or unspecified.</summary>
    public static bool IsPublic(System.Net.IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (System.Net.IPAddress.IsLoopback(address) || address.Equals(System.Net.IPAddress.Any) || address.Equals(System.Net.IPAddress.IPv6Any)) return false;
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6)
            return !(address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal);
        var b = address.GetAddressBytes();
        return !(b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) ||
                 (b[0] == 100 && b[1] is >= 64 and <= 127) || b[0] >= 224);
    }
}

/// <summary>One POST to one webhook (an Api-internal command on the bus, not a public contract). It carries no secret.</summary>
public sealed record WebhookDeliveryRequested(Guid DeliveryId, Guid WebhookId, Guid PartyId, Guid BatchId, Guid EventId, string Body);

/// <summary>
/// Signs a delivery: <c>X-Traceability-Signature: sha256=&lt;hex HMAC-SHA256(secret, timestamp + "." + body)&gt;</c> with
/// <c>X-Traceability-Timestamp</c> in Unix seconds. A receiver recomputes it over the raw body, compares in constant time
/// and refuses old timestamps (replays).
/// </summary>
public static class WebhookSignature
{
    public const string TimestampHeader = "X-Traceability-Timestamp";
    public const string SignatureHeader = "X-Traceability-Signature";
    public const string DeliveryHeader = "X-Traceability-Delivery";
    public const string EventHeader = "X-Traceability-Event";

    public static string Sign(string secret, string timestamp, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(timestamp + "." + body)));

    public static bool Verify(string secret, string timestamp, string body, string? signature, DateTimeOffset now, TimeSpan tolerance)
    {
        if (signature is null || !long.TryParse(timestamp, out var seconds)) return false;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(seconds)).Duration() > tolerance) return false;
        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
    }
}

/// <summary>
/// On a recall, asks for one webhook delivery per webhook of each party that must act: the batch's custodian and the
/// receiver of a shipment still in transit (a recall reaches every downstream batch, each with its own message). The
/// delivery's id derives from the recall message's id and the webhook's, so a redelivered recall asks for the same
/// deliveries, which are delivered once.
/// </summary>
public sealed class RecallNotifier(WebhookStore webhooks, IntegrationInbox inbox) : IConsumer<BatchRecalledIntegration>
{
    public const string InboxName = "recall-notifier";

    private static readonly JsonSerializerOptions BodyJson = new(JsonSerializerDefaults.Web);

    public async Task Consume(ConsumeContext<BatchRecalledIntegration> context)
    {
        var m = context.Message;
        var messageId = context.MessageId ?? m.EventId;
        var cancellationToken = context.CancellationToken;
        if (await inbox.HasProcessedAsync(InboxName, messageId, cancellationToken)) return;

        var recipients = new List<(PartyInfo Party, string Role)>();
        if (m.Custodian is { } custodian) recipients.Add((custodian, "custodian"));
        if (m.InTransitTo is { } receiver && receiver.Id != m.Custodian?.Id) recipients.Add((receiver, "in_transit_receiver"));
        foreach (var (party, role) in recipients)
        foreach (var webhook in await webhooks.ForPartyAsync(party.Id, cancellationToken))
        {
            var deliveryId = DeliveryId(messageId, webhook.WebhookId);
            var body = JsonSerializer.Serialize(new
            {
                type = "batch.recalled",
                deliveryId,
                eventId = m.EventId,
                batchId = m.BatchId,
                causeBatchId = m.CauseBatchId,
                lotNumber = m.LotNumber,
                productNameVi = m.ProductNameVi,
                gtin = m.Gtin,
                reason = m.Reason,
                severity = m.Severity,
                occurredAt = m.OccurredAt,
                recordedAt = m.RecordedAt,
                recipient = new { kind = party.Kind, id = party.Id, name = party.Name, role },
            }, BodyJson);
            await context.Publish(new WebhookDeliveryRequested(deliveryId, webhook.WebhookId, party.Id, m.BatchId, m.EventId, body),
                publish => publish.MessageId = deliveryId, cancellationToken);
        }

        await inbox.ProcessOnceAsync(InboxName, messageId, (_, _) => Task.CompletedTask, cancellationToken);
    }

    /// <summary>A name-based id (RFC 9562 version 8): the same recall and webhook always give the same delivery id.</summary>
    public static Guid DeliveryId(Guid messageId, Guid webhookId)
    {
        var hash = SHA256.HashData(Encoding.ASCII.GetBytes($"webhook-delivery\n{messageId:N}\n{webhookId:N}"));
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash.AsSpan(0, 16), bigEndian: true);
    }
}

public sealed class WebhookDeliveryFailedException(string message) : Exception(message);

/// <summary>
/// POSTs a delivery, signed. A non-2xx answer, a timeout or a connection error throws: MassTransit retries with back-off
/// (<see cref="WebhookDeliveryConsumerDefinition"/>); the last attempt's failure is recorded as a dead letter (listed to
/// admins) and the message goes on to the endpoint's error queue. A delivery already made (same id) is not made again.
/// </summary>
public sealed class WebhookDeliveryConsumer(WebhookStore webhooks, IHttpClientFactory clients, WebhookDeliveryOptions options, TimeProvider time,
    ILogger<WebhookDeliveryConsumer> logger) : IConsumer<WebhookDeliveryRequested>
{
    public const string HttpClientName = "webhooks";

    public async Task Consume(ConsumeContext<WebhookDeliveryRequested> context)
    {
        var m = context.Message;
        var deliveryId = context.MessageId ?? m.DeliveryId;
        var cancellationToken = context.CancellationToken;
        if (await webhooks.IsDeliveredAsync(deliveryId, cancellationToken)) return;
        if (await webhooks.FindAsync(m.WebhookId, cancellationToken) is not { } webhook)
        {
            logger.LogInformation("Webhook {Webhook} is gone; delivery {Delivery} dropped", m.WebhookId, deliveryId);
            return;
        }

        var attempt = context.GetRetryAttempt() + 1;
        try
        {
            var timestamp = time.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
            using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url)
            {
                Content = new StringContent(m.Body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
            };
            request.Headers.Add(WebhookSignature.TimestampHeader, timestamp);
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(webhook.Secret, timestamp, m.Body));
            request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId.ToString());
            request.Headers.Add(WebhookSignature.EventHeader, "batch.recalled");
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (!response.IsSuccessStatusCode)
                throw new WebhookDeliveryFailedException($"{webhook.Url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            await webhooks.MarkDeliveredAsync(deliveryId, webhook.WebhookId, m.BatchId, (int)response.StatusCode, attempt, time.GetUtcNow(),
                cancellationToken);
        }
        catch (Exception error) when (!cancellationToken.IsCancellationRequested)
        {
            var message = error is OperationCanceledException ? $"{webhook.Url} did not answer within {options.Timeout}"
                : error.InnerException is WebhookDeliveryFailedException refused ? refused.Message
                : error.Message;
            if (context.GetRetryAttempt() >= options.RetryLimit)
            {
                logger.LogWarning("Webhook delivery {Delivery} to {Url} failed {Attempts} times; dead-lettered: {Error}", deliveryId, webhook.Url, attempt, message);
                await webhooks.DeadLetterAsync(new DeadLetteredDelivery(deliveryId, webhook.WebhookId, m.PartyId, webhook.Url, m.BatchId, m.EventId, attempt,
                    message, time.GetUtcNow(), m.Body), CancellationToken.None);
            }

            if (error is WebhookDeliveryFailedException) throw;
            throw new WebhookDeliveryFailedException(message);
        }
    }
}

/// <summary>The delivery endpoint's retry: exponential back-off, <see cref="WebhookDeliveryOptions.RetryLimit"/> retries.</summary>
public sealed class WebhookDeliveryConsumerDefinition : ConsumerDefinition<WebhookDeliveryConsumer>
{
    private readonly WebhookDeliveryOptions _options;

    public WebhookDeliveryConsumerDefinition(WebhookDeliveryOptions options)
    {
        _options = options;
        ConcurrentMessageLimit = 16;
    }

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator, IConsumerConfigurator<WebhookDeliveryConsumer> consumerConfigurator,
        IRegistrationContext context) =>
        endpointConfigurator.UseMessageRetry(r => r.Exponential(_options.RetryLimit, _options.RetryMinInterval, _options.RetryMaxInterval, _options.RetryDelta));
}
