using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Traceability.TestServers;

/// <summary>
/// A RabbitMQ broker for tests, started from Debian's <c>rabbitmq-server</c> package in a temp directory (its own
/// node name, mnesia and log directories, AMQP, distribution and epmd ports, all on 127.0.0.1), so it never meets
/// another broker. It can be stopped and started again on the same ports and data (durable queues and persistent
/// messages survive), and is stopped by its own pid file; its epmd by its own port.
/// </summary>
public sealed class ThrowawayRabbitMq : IAsyncDisposable
{
    private const string ServerScript = "/usr/sbin/rabbitmq-server";
    private const string CtlScript = "/usr/sbin/rabbitmqctl";
    private const string DirectoryPrefix = "traceability-rmq-";

    private readonly string _directory;
    private readonly Dictionary<string, string> _environment;
    private int _disposed;

    private ThrowawayRabbitMq(string directory, string nodeName, int amqpPort, int distPort, int epmdPort)
    {
        _directory = directory;
        NodeName = nodeName;
        Port = amqpPort;
        EpmdPort = epmdPort;
        _environment = new Dictionary<string, string>
        {
            ["RABBITMQ_NODENAME"] = nodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = amqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ERL_EPMD_ADDRESS"] = "127.0.0.1",
            ["ERL_EPMD_PORT"] = epmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_CTL_ERL_ARGS"] = "-kernel inet_dist_use_interface {127,0,0,1}",
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(directory, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(directory, "log"),
            ["RABBITMQ_PID_FILE"] = PidFile,
            // No management or other plugins: nothing else listens.
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(directory, "enabled_plugins"),
        };
    }

    public string NodeName { get; }

    public int Port { get; }

    public int EpmdPort { get; }

    public string Host => "127.0.0.1";

    /// <summary>The broker's OS process id (beam.smp), from its pid file; null when stopped.</summary>
    public int? ProcessId => File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) ? pid : null;

    private string PidFile => Path.Combine(_directory, "rabbit.pid");

    public static bool IsInstalled => File.Exists(ServerScript) && File.Exists(CtlScript);

    public static async Task<ThrowawayRabbitMq> StartAsync(CancellationToken ct = default)
    {
        if (!IsInstalled)
            throw new InvalidOperationException(
                $"RabbitMQ not found ({ServerScript}): install Debian's rabbitmq-server package (apt-get install rabbitmq-server; .ci/test.sh does it as root).");
        var directory = Directory.CreateTempSubdirectory(DirectoryPrefix).FullName;
        var broker = new ThrowawayRabbitMq(directory, $"trc-{Guid.NewGuid():N}"[..16] + "@localhost", LoopbackPorts.Free(), LoopbackPorts.Free(), LoopbackPorts.Free());
        try
        {
            Directory.CreateDirectory(Path.Combine(directory, "mnesia"));
            Directory.CreateDirectory(Path.Combine(directory, "log"));
            await File.WriteAllTextAsync(Path.Combine(directory, "enabled_plugins"), "[].\n", ct);
            if (Environment.IsPrivilegedProcess)
            {
                // Debian's scripts switch to the rabbitmq user when run as root: it must own the broker's files.
                await RunAsync("chmod", ["755", directory], null, TimeSpan.FromSeconds(10), ct);
                await RunAsync("chown", ["-R", "rabbitmq:rabbitmq", directory], null, TimeSpan.FromSeconds(10), ct);
            }

            await broker.StartBrokerAsync(ct);
            return broker;
        }
        catch
        {
            await broker.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the (stopped) broker again on the same ports and data.</summary>
    public Task StartBrokerAsync(CancellationToken ct = default) => StartBrokerAsync(TimeSpan.FromSeconds(60), ct);

    private async Task StartBrokerAsync(TimeSpan patience, CancellationToken ct)
    {
        await RunAsync(ServerScript, ["-detached"], _environment, TimeSpan.FromSeconds(30), ct);
        var deadline = DateTime.UtcNow + patience;
        while (true)
        {
            if (await PortOpenAsync(Port, ct)) return;
            if (DateTime.UtcNow > deadline)
                throw new InvalidOperationException($"RabbitMQ did not open 127.0.0.1:{Port} within {patience}. Log:\n{ReadLogs()}");
            await Task.Delay(100, ct);
        }
    }

    /// <summary>Stops the broker (waits for its process to exit); its data stays for a restart.</summary>
    public async Task StopBrokerAsync(CancellationToken ct = default)
    {
        var pid = ProcessId;
        if (pid is null) return;
        try
        {
            // An absolute pid file path: rabbitmqctl then also waits for the OS process to exit.
            await RunAsync(CtlScript, ["-q", "stop", PidFile], _environment, TimeSpan.FromSeconds(60), ct);
        }
        catch (InvalidOperationException)
        {
            // Our own process, by its pid, as a last resort.
            try { Process.GetProcessById(pid.Value).Kill(entireProcessTree: true); }
            catch (ArgumentException) { }
        }

        try { File.Delete(PidFile); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        try
        {
            await StopBrokerAsync();
        }
        finally
        {
            // Our epmd only: it listens on our own port.
            try { await RunAsync("epmd", ["-port", EpmdPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "-kill"], null, TimeSpan.FromSeconds(10), default); }
            catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception) { }
            try { Directory.Delete(_directory, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private string ReadLogs()
    {
        var log = Path.Combine(_directory, "log");
        return !Directory.Exists(log)
            ? "(no log)"
            : string.Join("\n", Directory.EnumerateFiles(log).Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)[^Math.Min(4000, (int)new FileInfo(f).Length)..]}"));
    }

    private static async Task<bool> PortOpenAsync(int port, CancellationToken ct)
    {
        using var client = new TcpClient();
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(1));
            await client.ConnectAsync(IPAddress.Loopback, port, timeout.Token);
            return true;
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }

    private static async Task RunAsync(string file, string[] args, IReadOnlyDictionary<string, string>? environment, TimeSpan patience,
        CancellationToken ct)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = "/" };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (environment is not null)
            foreach (var (key, value) in environment) psi.Environment[key] = value;
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"Could not start {file}.");
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(patience);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} did not finish within {patience}.");
        }

        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {await stdout}{await stderr}");
        await Task.WhenAll(stdout, stderr);
    }
}
