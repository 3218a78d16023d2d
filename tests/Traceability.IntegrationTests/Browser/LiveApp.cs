using System.Net;
using System.Net.Sockets;
using Traceability.IntegrationTests.Api;
using Traceability.TestServers;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// The real Api listening on a real Kestrel socket on 127.0.0.1, in this process: a browser cannot reach the in-memory
/// TestServer that <see cref="ApiFactory"/> normally uses. Everything else — the fresh SQLite file (deleted on dispose),
/// the fixed admin key, the "Testing" environment, high rate limits — is ApiFactory's, so it lives in one place.
/// </summary>
public sealed class LiveApp : IAsyncDisposable
{
    private readonly ApiFactory _api;

    private LiveApp(ApiFactory api, Uri baseAddress)
    {
        _api = api;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>, with the trailing slash so relative URLs resolve under it.</summary>
    public Uri BaseAddress { get; }

    public string AdminKey => _api.AdminKey;

    public IServiceProvider Services => _api.Services;

    /// <summary>The factory underneath, for the Api tests' helpers (<c>CanGioParties</c>, <c>FlowSteps.SettleAsync</c>).</summary>
    public ApiFactory Api => _api;

    /// <summary>
    /// Starts the Api. <paramref name="settings"/> receives the address before the host is built, because page tests
    /// configure settings that contain it (<c>Public:BaseUrl</c>, the address printed in QR codes).
    /// </summary>
    public static async Task<LiveApp> StartAsync(Func<Uri, IDictionary<string, string?>>? settings = null)
    {
        // The port is picked before the host is built so the settings can contain it; Kestrel's own port 0 is only
        // known after start. Another process taking the port in between fails the start loudly (address in use).
        var port = LoopbackPorts.Free();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        var api = await ApiFactory.StartAsync(Backend.Sqlite, settings: settings?.Invoke(baseAddress));
        try
        {
            api.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
            api.StartServer();
            return new LiveApp(api, baseAddress);
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }
    }

    /// <summary>A client that goes through the real socket, as a phone's requests would.</summary>
    public HttpClient ClientFor(string? key) => _api.ClientFor(key);

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}
