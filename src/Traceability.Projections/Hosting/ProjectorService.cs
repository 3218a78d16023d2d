using Microsoft.Extensions.Hosting;

namespace Traceability.Projections.Hosting;

/// <summary>Hosts the projector in-process (embedded mode); production runs it in its own process with the same code.</summary>
public sealed class ProjectorService(Projector projector) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => projector.StartAsync(cancellationToken);

    public async Task StopAsync(CancellationToken cancellationToken) => await projector.DisposeAsync();
}
