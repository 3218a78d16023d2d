using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Traceability.Api.Infrastructure;
using Traceability.Api.Security;
using Traceability.EventStore;
using Traceability.TestServers;

namespace Traceability.IntegrationTests.Api;

public enum Backend
{
    Sqlite,
    Postgres,
}

/// <summary>
/// The real Api (real HTTP pipeline, authentication, rate limiter) over a fresh store: a SQLite file in a temp
/// directory or a fresh database on the throwaway PostgreSQL server. The admin key is fixed by configuration.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly string? _directory;
    private readonly KeyValuePair<string, string?>[] _settings;

    private ApiFactory(string connectionString, string? directory, int writesPerMinute, IDictionary<string, string?>? settings)
    {
        _connectionString = connectionString;
        _directory = directory;
        WritesPerMinute = writesPerMinute;
        _settings = settings?.ToArray() ?? [];
        (_, AdminKey, _) = ApiKeys.Create(Guid.CreateVersion7());
    }

    public string AdminKey { get; }

    public int WritesPerMinute { get; }

    /// <param name="settings">
    /// Configuration applied after the defaults above, so a test can also override them; the browser tests use it for
    /// settings that depend on the live address (<c>Public:BaseUrl</c>, where QR codes point).
    /// </param>
    public static async Task<ApiFactory> StartAsync(Backend backend, int writesPerMinute = 100_000, IDictionary<string, string?>? settings = null)
    {
        if (backend == Backend.Sqlite)
        {
            var directory = Directory.CreateTempSubdirectory("traceability-api-").FullName;
            return new ApiFactory($"Data Source={Path.Combine(directory, "events.db")}", directory, writesPerMinute, settings);
        }

        var server = await ThrowawayPostgres.SharedAsync("api");
        return new ApiFactory(await server.CreateDatabaseAsync("api"), null, writesPerMinute, settings);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("ConnectionStrings:EventStore", _connectionString);
        builder.UseSetting("Auth:AdminKey", AdminKey);
        builder.UseSetting("RateLimits:WritesPerMinute", WritesPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("RateLimits:ReadsPerMinute", "100000");
        // Tests make their own parties and batches; the demo would only add events they do not expect.
        builder.UseSetting("Demo:Enabled", "false");
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public IEventStore Store => Services.GetRequiredService<IEventStore>();

    public HttpClient ClientFor(string? key)
    {
        var client = CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(_directory, recursive: true); }
            catch (IOException) { }
        }
    }
}

/// <summary>JSON helpers that use the Api's own JSON options.</summary>
public static class HttpJson
{
    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body, string? idempotencyKey = null, string? ifMatch = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body, body.GetType(), options: Json.Options) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        if (ifMatch is not null) request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        return client.SendAsync(request);
    }

    public static async Task<T> Read<T>(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, Json.Options)!;
    }

    public static async Task<JsonElement> Problem(this HttpResponseMessage response, int status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }
}
