using System.Globalization;
using MassTransit;
using Traceability.Api.Features.Labels;
using Traceability.Api.Features.Webhooks;
using Traceability.Projections.Integration;

namespace Traceability.Api.Infrastructure;

public enum MessagingTransport
{
    InMemory,
    RabbitMq,
}

public sealed record RabbitMqSettings(string Host, int Port, string VirtualHost, string User, string Password);

/// <summary>Messaging settings, read and checked at start: a wrong one stops the start with a message that names the key.</summary>
public sealed record MessagingOptions(MessagingTransport Transport, RabbitMqSettings? RabbitMq, bool RunRelay, WebhookDeliveryOptions Webhooks,
    LabelOptions Labels, string InstanceId)
{
    public static MessagingOptions From(IConfiguration configuration)
    {
        var transportText = configuration["Messaging:Transport"];
        MessagingTransport transport;
        if (string.IsNullOrWhiteSpace(transportText)) transport = MessagingTransport.InMemory;
        else if (!Enum.TryParse(transportText, ignoreCase: true, out transport) || !Enum.IsDefined(transport))
            throw Invalid("Messaging:Transport", transportText, "InMemory (the default) or RabbitMq");

        RabbitMqSettings? rabbit = null;
        if (transport == MessagingTransport.RabbitMq)
        {
            var host = configuration["Messaging:RabbitMq:Host"];
            if (string.IsNullOrWhiteSpace(host))
                throw new InvalidOperationException("Messaging:Transport is RabbitMq but Messaging:RabbitMq:Host is empty: set it to the broker's host name.");
            rabbit = new RabbitMqSettings(host.Trim(), Int(configuration, "Messaging:RabbitMq:Port", 5672, 1, 65535),
                configuration["Messaging:RabbitMq:VirtualHost"] is { Length: > 0 } vhost ? vhost : "/",
                configuration["Messaging:RabbitMq:User"] is { Length: > 0 } user ? user : "guest",
                configuration["Messaging:RabbitMq:Password"] ?? "guest");
        }

        var webhooks = new WebhookDeliveryOptions(
            Int(configuration, "Messaging:Webhooks:RetryLimit", WebhookDeliveryOptions.Default.RetryLimit, 1, 20),
            Milliseconds(configuration, "Messaging:Webhooks:RetryMinIntervalMs", WebhookDeliveryOptions.Default.RetryMinInterval),
            Milliseconds(configuration, "Messaging:Webhooks:RetryMaxIntervalMs", WebhookDeliveryOptions.Default.RetryMaxInterval),
            Milliseconds(configuration, "Messaging:Webhooks:RetryDeltaMs", WebhookDeliveryOptions.Default.RetryDelta),
            Milliseconds(configuration, "Messaging:Webhooks:TimeoutMs", WebhookDeliveryOptions.Default.Timeout),
            Bool(configuration, "Messaging:Webhooks:AllowPrivateNetworks", false));
        if (webhooks.RetryMaxInterval < webhooks.RetryMinInterval)
            throw new InvalidOperationException("Messaging:Webhooks:RetryMaxIntervalMs must not be smaller than Messaging:Webhooks:RetryMinIntervalMs.");

        var baseUrlText = configuration["Public:BaseUrl"];
        // The run command's address (launchSettings.json); a real installation sets its public host name.
        var baseUrl = new Uri("http://localhost:5080/");
        if (!string.IsNullOrWhiteSpace(baseUrlText) &&
            (!Uri.TryCreate(baseUrlText, UriKind.Absolute, out baseUrl!) || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps)))
            throw Invalid("Public:BaseUrl", baseUrlText, "the absolute http(s) address of the public site, e.g. https://truyxuat.example.vn");

        var runRelay = Bool(configuration, "Messaging:Relay:RunInProcess", true);

        var instance = configuration["Messaging:InstanceId"];
        if (string.IsNullOrWhiteSpace(instance)) instance = Guid.NewGuid().ToString("N")[..12];
        else if (instance.Length > 40 || !instance.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw Invalid("Messaging:InstanceId", instance, "1 to 40 letters, digits, '-' or '_'");

        return new MessagingOptions(transport, rabbit, runRelay, webhooks, new LabelOptions(baseUrl), instance);
    }

    private static int Int(IConfiguration configuration, string key, int fallback, int min, int max)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
            throw Invalid(key, text, $"a whole number from {min} to {max}");
        return value;
    }

    private static bool Bool(IConfiguration configuration, string key, bool fallback)
    {
        var text = configuration[key];
        if (string.IsNullOrWhiteSpace(text)) return fallback;
        return bool.TryParse(text, out var value) ? value : throw Invalid(key, text, "true or false");
    }

    private static TimeSpan Milliseconds(IConfiguration configuration, string key, TimeSpan fallback) =>
        TimeSpan.FromMilliseconds(Int(configuration, key, (int)fallback.TotalMilliseconds, 1, 24 * 3600 * 1000));

    private static InvalidOperationException Invalid(string key, string value, string expected) =>
        new($"{key} is '{value}': expected {expected}.");
}

/// <summary>
/// The MassTransit bus (in memory by default, or RabbitMQ), the integration relay and its consumers: labels (QR codes),
/// the recall notifier and its webhook deliveries, and this instance's provenance-cache invalidation.
/// </summary>
public static class Messaging
{
    public static IServiceCollection AddTraceabilityMessaging(this IServiceCollection services, IConfiguration configuration)
    {
        var options = MessagingOptions.From(configuration);
        services.AddMessagingServices(options);
        services.AddMassTransit(bus =>
        {
            bus.AddTraceabilityConsumers(options);
            if (options.Transport == MessagingTransport.RabbitMq)
            {
                var rabbit = options.RabbitMq!;
                bus.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(rabbit.Host, (ushort)rabbit.Port, rabbit.VirtualHost, h =>
                    {
                        h.Username(rabbit.User);
                        h.Password(rabbit.Password);
                    });
                    cfg.ConfigureEndpoints(context);
                });
            }
            else
            {
                bus.UsingInMemory((context, cfg) => cfg.ConfigureEndpoints(context));
            }
        });
        services.AddOptions<MassTransitHostOptions>().Configure(o =>
        {
            // The relay publishes as soon as it starts: the bus must be up first. A broker that is down keeps the
            // start waiting this long, then fails it (and says so).
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(15);
        });

        services.AddSingleton(sp => new IntegrationRelay(sp.GetRequiredService<Traceability.EventStore.IEventStore>(),
            sp.GetRequiredService<Traceability.Projections.Hosting.ReadModelDatabase>(), sp.GetRequiredService<IBus>(),
            sp.GetRequiredService<ILogger<IntegrationRelay>>()));
        // Registered after the bus's hosted service, so it starts after the bus. One relay per deployment.
        if (options.RunRelay) services.AddHostedService(sp => sp.GetRequiredService<IntegrationRelay>());
        return services;
    }

    /// <summary>What the consumers need, apart from the bus (tests reuse it with MassTransit's test harness).</summary>
    public static IServiceCollection AddMessagingServices(this IServiceCollection services, MessagingOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(options.Webhooks);
        services.AddSingleton(options.Labels);
        services.AddSingleton<IntegrationInbox>();
        services.AddSingleton<ProvenanceCache>();
        services.AddSingleton<LabelStore>();
        services.AddSingleton<WebhookStore>();
        services.AddHttpClient(WebhookDeliveryConsumer.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => WebhookNetwork.Handler(options.Webhooks));
        return services;
    }

    /// <summary>
    /// The consumers and their endpoints. Labels, recall notifier and deliveries are competing consumers (one queue each,
    /// shared by every instance); the cache invalidator has a temporary queue per instance, so every instance evicts.
    /// </summary>
    public static void AddTraceabilityConsumers(this IBusRegistrationConfigurator bus, MessagingOptions options)
    {
        bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter("traceability", false));
        bus.AddConsumer<LabelRenderingConsumer>();
        bus.AddConsumer<RecallNotifier>();
        bus.AddConsumer<WebhookDeliveryConsumer, WebhookDeliveryConsumerDefinition>();
        bus.AddConsumer<ProvenanceCacheInvalidator>().Endpoint(e =>
        {
            e.InstanceId = options.InstanceId;
            e.Temporary = true;
        });
    }
}
