using System.Runtime.CompilerServices;

namespace Traceability.IntegrationTests;

/// <summary>
/// On a 2-core machine the thread pool starts with two workers. WebApplicationFactory starts hosts synchronously, and
/// with several hosts (and their projector, relay and subscriptions) starting in parallel every worker can end up
/// blocked while the continuations that would release them wait for a thread: a run hung that way with the load at
/// zero. Start with enough workers that a blocked few never stall the rest.
/// </summary>
internal static class ThreadPoolWarmUp
{
    [ModuleInitializer]
    internal static void Initialize()
    {
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), Math.Max(completionPorts, 64));
    }
}
