using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Traceability.Api.Features.Labels;
using Traceability.EventStore;
using Traceability.Projections.Hosting;

namespace Traceability.Api.Features.Demo;

/// <summary>
/// Seeds the demo once the server listens (so a failure is logged, never a failed start), waits until the pages can
/// show it, and prints where to look: a provenance page, the API reference and the cooperative sign-in with its key.
/// </summary>
public sealed class DemoStartup(DemoSeed seed, IHostApplicationLifetime lifetime, IServer server, Projector projector, IEventStore store,
    BatchIdentities identities, LabelOptions links, ILogger<DemoStartup> logger) : BackgroundService
{
    /// <summary>On by default in embedded mode (SQLite); a PostgreSQL installation is a real one.</summary>
    public static bool IsEnabled(IConfiguration configuration, bool embedded) => configuration.GetValue("Demo:Enabled", embedded);

    private readonly TaskCompletionSource<DemoSeed.Seeded?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the demo is seeded and projected (null: it failed, and the log says why).</summary>
    public Task<DemoSeed.Seeded?> Done => _done.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WaitForStartAsync(stoppingToken);
            var seeded = await seed.RunAsync(stoppingToken);
            using var patience = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            patience.CancelAfter(TimeSpan.FromSeconds(30));
            await projector.WaitForAsync(await store.ReadHeadPositionAsync(patience.Token), patience.Token);
            var fish = await identities.ByIdAsync(seeded.FishBatchId, stoppingToken);
            var recalled = await identities.ByIdAsync(seeded.RecalledBatchId, stoppingToken);
            var site = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()?.TrimEnd('/') ?? links.Base;
            // The addresses this server answers on now, built as the labels build them.
            var here = new LabelOptions(new Uri(site + "/"));
            logger.LogInformation("""
                Demo data (HTX Thủy sản Cần Giờ, labelled "(demo)") is ready. Demo:Enabled=false turns it off.
                    Provenance page:   {Fish}
                    Short trace code:  {FishShort}
                    Recalled batch:    {Recalled}
                    API reference:     {Docs}
                    Cooperative pages: {SignIn}  (demo key: {Key})
                """,
                fish is null ? "(not projected yet)" : here.ItemUri(fish),
                fish is null ? "" : here.ShortUri(fish.PublicCode),
                recalled is null ? "" : here.ShortUri(recalled.PublicCode),
                $"{site}/docs", $"{site}/htx", DemoSeed.CooperativeKey);
            _done.TrySetResult(seeded);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _done.TrySetCanceled(stoppingToken);
        }
        catch (Exception error)
        {
            logger.LogError(error, "The demo could not be seeded; the application runs without it.");
            _done.TrySetResult(null);
        }
    }

    private Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(stoppingToken);
    }
}
