using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Traceability.Api.Features.Webhooks;
using Traceability.Api.Infrastructure;
using Traceability.Projections.Hosting;

namespace Traceability.IntegrationTests.Messaging;

/// <summary>
/// A webhook receiver on 127.0.0.1 (Kestrel, free port): answers 500 to the first <see cref="FailFirst"/> requests of
/// each delivery id (or to all when <see cref="AlwaysFail"/>), checks every request's signature with the secret, and
/// records what it got.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public sealed record Received(string DeliveryId, string Body, bool SignatureValid, int StatusAnswered, DateTimeOffset At);

    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _attempts = new();

    private WebhookReceiver(WebApplication app, string secret, int failFirst)
    {
        _app = app;
        Secret = secret;
        FailFirst = failFirst;
    }

    public string Secret { get; }

    public int FailFirst { get; }

    public bool AlwaysFail { get; init; }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string Url { get; private set; } = "";

    public static async Task<WebhookReceiver> StartAsync(int failFirst = 0, bool alwaysFail = false, string secret = "s3cr3t-for-tests-0123456789")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret, failFirst) { AlwaysFail = alwaysFail };
        app.MapPost("/hooks/recall", async (HttpContext http) =>
        {
            using var reader = new StreamReader(http.Request.Body);
            var body = await reader.ReadToEndAsync();
            var timestamp = http.Request.Headers[WebhookSignature.TimestampHeader].ToString();
            var signature = http.Request.Headers[WebhookSignature.SignatureHeader].ToString();
            var delivery = http.Request.Headers[WebhookSignature.DeliveryHeader].ToString();
            var valid = WebhookSignature.Verify(receiver.Secret, timestamp, body, signature, DateTimeOffset.UtcNow, TimeSpan.FromMinutes(5));
            var attempt = receiver._attempts.AddOrUpdate(delivery, 1, (_, n) => n + 1);
            var status = !valid ? 401 : receiver.AlwaysFail || attempt <= receiver.FailFirst ? 500 : 200;
            receiver.Requests.Enqueue(new Received(delivery, body, valid, status, DateTimeOffset.UtcNow));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        var address = app.Urls.Single();
        receiver.Url = $"{address.Replace("localhost", "127.0.0.1", StringComparison.Ordinal)}/hooks/recall";
        return receiver;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>A read-model database in a temp directory, and messaging options with fast retries.</summary>
public sealed class TempReadModels : IAsyncDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("traceability-msg-").FullName;

    public string ConnectionString => $"Data Source={Path.Combine(_directory, "events.db")}";

    public async Task<ReadModelDatabase> OpenAsync() => await ReadModelDatabase.OpenAsync(ConnectionString);

    public static MessagingOptions Options(int retryLimit = 3, Dictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Webhooks:RetryLimit"] = retryLimit.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Messaging:Webhooks:RetryMinIntervalMs"] = "20",
            ["Messaging:Webhooks:RetryMaxIntervalMs"] = "200",
            ["Messaging:Webhooks:RetryDeltaMs"] = "20",
            ["Messaging:Webhooks:TimeoutMs"] = "5000",
            // The receiver listens on 127.0.0.1, which production refuses (see the SSRF test).
            ["Messaging:Webhooks:AllowPrivateNetworks"] = "true",
            ["Public:BaseUrl"] = "https://truyxuat.example.vn",
        };
        foreach (var (key, value) in extra ?? []) settings[key] = value;
        return MessagingOptions.From(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
    }

    public ValueTask DisposeAsync()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try { Directory.Delete(_directory, recursive: true); }
        catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

public static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds, failing with <paramref name="what"/> after <paramref name="patience"/>.</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan patience, string what)
    {
        var deadline = DateTime.UtcNow + patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"Not within {patience}: {what}");
            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, TimeSpan patience, string what) => TrueAsync(() => Task.FromResult(condition()), patience, what);
}
