using System.Net;
using System.Net.Sockets;

namespace Traceability.TestServers;

/// <summary>Free ports on 127.0.0.1 for the servers tests and benchmarks start.</summary>
public static class LoopbackPorts
{
    /// <summary>A port free right now; a server given it can still lose it to another process before binding (callers retry or fail loudly).</summary>
    public static int Free()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
