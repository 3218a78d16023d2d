using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Traceability.Api.Features.Demo;
using Traceability.Api.Security;
using Traceability.TestServers;

namespace Traceability.Benchmarks;

/// <summary>
/// The built Api (<c>Traceability.Api.dll</c>, copied beside this program by the project reference) in its own process,
/// as it is deployed: Production environment, its own runtime settings (server GC), Kestrel on a free 127.0.0.1 port,
/// embedded SQLite and the Cần Giờ demo in a directory of ours. Logging is at Warning, except the one line that says
/// the demo is seeded and projected. Disposing kills it; a small shell between us and it kills it too if this program
/// dies first, even by SIGKILL, so no server is left listening.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    private const int OutputLinesKept = 40;

    /// <summary>
    /// Runs the Api as its child, and a watcher that kills it once this program (<c>$1</c>) is gone. The shell reaps the
    /// Api only in <c>wait</c> and ends the watcher right after, so the watcher does not outlive the Api's process id.
    /// </summary>
    private const string Watchdog = """
        owner=$1; shift
        "$@" &
        api=$!
        (while kill -0 "$owner" 2>/dev/null; do sleep 1; done; kill -KILL "$api" 2>/dev/null) </dev/null >/dev/null 2>&1 &
        watcher=$!
        wait "$api"
        status=$?
        kill "$watcher" 2>/dev/null
        exit "$status"
        """;

    private readonly Process _process;
    private readonly Queue<string> _output = new();
    private readonly TaskCompletionSource _demoReady = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    /// <summary><c>http://127.0.0.1:&lt;port&gt;/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>Starts the Api and waits, at most <paramref name="patience"/>, until the demo is seeded and projected.</summary>
    public static async Task<ApiProcess> StartAsync(string dataDir, string webRoot, TimeSpan patience)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Traceability.Api.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("The Api is not beside the benchmarks (project reference).", dll);
        var port = LoopbackPorts.Free();
        var start = new ProcessStartInfo("/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // The content root: nothing of the source tree is read or written.
            WorkingDirectory = dataDir,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        foreach (var argument in new[]
                 {
                     "-c", Watchdog, "api-watchdog", Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                     DotnetHost(), dll, "--urls", $"http://127.0.0.1:{port}", "--webroot", webRoot,
                     $"--ConnectionStrings:EventStore=Data Source={Path.Combine(dataDir, "traceability.db")}",
                     // A fixed admin key, so the first start does not print a generated one.
                     $"--Auth:AdminKey={ApiKeys.Create(Guid.CreateVersion7()).Key}",
                     "--Demo:Enabled=true",
                     "--RateLimits:ReadsPerMinute=100000000",
                     "--Logging:LogLevel:Default=Warning",
                     "--Logging:LogLevel:Microsoft=Warning",
                     $"--Logging:LogLevel:{typeof(DemoStartup).FullName}=Information",
                 })
            start.ArgumentList.Add(argument);

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Api.");
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}/"));
        process.OutputDataReceived += (_, e) => api.Received(e.Data);
        process.ErrorDataReceived += (_, e) => api.Received(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var exited = process.WaitForExitAsync();
            if (await Task.WhenAny(api._demoReady.Task, exited).WaitAsync(patience) == exited)
                throw new InvalidOperationException($"it exited with {process.ExitCode}");
            await api._demoReady.Task;
            return api;
        }
        catch (Exception e)
        {
            await api.DisposeAsync(); // drains its output
            throw new InvalidOperationException($"The Api did not get ready within {patience.TotalSeconds:F0} s ({e.Message}); its last lines:\n" +
                                                api.OutputTail(), e);
        }
    }

    /// <summary>The last lines the Api printed, for error messages.</summary>
    public string OutputTail()
    {
        lock (_output) return string.Join('\n', _output);
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            Log.Info($"api: process {_process.Id} (the shell around the Api) did not exit within 10 s of SIGKILL");
        }

        _process.Dispose();
    }

    /// <summary>The shell, the Api and the watcher: the tree this class started.</summary>
    private void Kill()
    {
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Exited in between.
        }
    }

    private void Received(string? line)
    {
        if (line is null) return;
        lock (_output)
        {
            _output.Enqueue(line);
            if (_output.Count > OutputLinesKept) _output.Dequeue();
        }

        // The console logger heads each entry "info: <category>[<event id>]"; only DemoStartup logs at Information,
        // and only once: when the demo is seeded and every projection has caught up with it.
        if (line.StartsWith($"info: {typeof(DemoStartup).FullName}[", StringComparison.Ordinal)) _demoReady.TrySetResult();
        if (line.StartsWith($"fail: {typeof(DemoStartup).FullName}[", StringComparison.Ordinal))
            _demoReady.TrySetException(new InvalidOperationException("the demo could not be seeded"));
    }

    /// <summary>The dotnet host that runs this process (falls back to 'dotnet' on PATH).</summary>
    private static string DotnetHost()
    {
        var current = Environment.ProcessPath;
        if (current is not null && Path.GetFileNameWithoutExtension(current).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            return current;
        var fromSdk = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        return !string.IsNullOrEmpty(fromSdk) && File.Exists(fromSdk) ? fromSdk : "dotnet";
    }
}
