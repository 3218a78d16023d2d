using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Traceability.Benchmarks;

/// <summary>
/// The HTTP load generator (<c>wrk</c>, Debian's package): a fixed number of keep-alive connections sending one request
/// after another for a fixed time. It runs as its own process, so the clients cost the server's two cores what a
/// separate machine's would not; page and static file pay that alike.
/// </summary>
internal static partial class Wrk
{
    /// <summary>One run's totals. Latencies are over completed requests (wrk leaves out those that timed out).</summary>
    public sealed record Result(double RequestsPerSecond, double P50Ms, double P99Ms, long Requests, double BytesRead, long Errors, string SocketErrors)
    {
        public double BytesPerResponse => Requests == 0 ? 0 : BytesRead / Requests;

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{RequestsPerSecond:F0} req/s, p50 {P50Ms:F2} ms, p99 {P99Ms:F2} ms, {Requests:N0} requests of ~{BytesPerResponse:F0} bytes" +
            $"{(Errors > 0 ? $", {Errors} non-2xx/3xx" : "")}{(SocketErrors.Length > 0 ? $", socket errors: {SocketErrors}" : "")}");
    }

    /// <summary>wrk on PATH, or an error that says how to get it.</summary>
    public static string Find() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
        .Select(dir => Path.Combine(dir, "wrk")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("wrk is not installed (apt-get install -y wrk).");

    /// <summary><c>wrk -t2 -c{connections} -d{duration} --latency -H 'Accept-Language: vi' {url}</c>, bounded in time.</summary>
    public static async Task<Result> RunAsync(string wrk, Uri url, int connections, TimeSpan duration)
    {
        var start = new ProcessStartInfo(wrk)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "-t2", $"-c{connections}", $"-d{duration.TotalSeconds.ToString("F0", CultureInfo.InvariantCulture)}s", "--latency",
                     "-H", "Accept-Language: vi", url.ToString(),
                 })
            start.ArgumentList.Add(argument);

        using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start wrk.");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(duration + TimeSpan.FromSeconds(20));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"wrk did not finish within {duration.TotalSeconds + 20:F0} s.");
        }

        var output = await stdout;
        if (process.ExitCode != 0) throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await stderr}{output}");
        return Parse(output);
    }

    /// <summary>Reads wrk 4.1's report: the "--latency" distribution, the totals line and Requests/sec.</summary>
    public static Result Parse(string output)
    {
        double Required(Regex pattern, Func<Match, double> value, string what) =>
            pattern.Match(output) is { Success: true } match ? value(match) : throw new FormatException($"no {what} in wrk's output:\n{output}");

        var rps = Required(RequestsPerSecondLine(), m => Number(m.Groups[1].Value), "Requests/sec");
        var p50 = Required(PercentileLine("50"), m => Milliseconds(m.Groups[1].Value, m.Groups[2].Value), "50% latency");
        var p99 = Required(PercentileLine("99"), m => Milliseconds(m.Groups[1].Value, m.Groups[2].Value), "99% latency");
        var totals = TotalsLine().Match(output);
        if (!totals.Success) throw new FormatException($"no totals in wrk's output:\n{output}");
        var errors = NonSuccessLine().Match(output) is { Success: true } e ? long.Parse(e.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socket = SocketErrorsLine().Match(output) is { Success: true } s ? s.Groups[1].Value.Trim() : "";
        return new Result(rps, p50, p99, long.Parse(totals.Groups[1].Value, CultureInfo.InvariantCulture),
            Bytes(totals.Groups[2].Value, totals.Groups[3].Value), errors, socket);
    }

    private static Regex PercentileLine(string percent) => new($@"^\s*{percent}%\s+([\d.]+)(us|ms|s|m|h)\s*$", RegexOptions.Multiline);

    [GeneratedRegex(@"^Requests/sec:\s+([\d.]+)", RegexOptions.Multiline)]
    private static partial Regex RequestsPerSecondLine();

    [GeneratedRegex(@"^\s*(\d+) requests in [\d.]+\w+, ([\d.]+)(B|KB|MB|GB|TB) read", RegexOptions.Multiline)]
    private static partial Regex TotalsLine();

    [GeneratedRegex(@"^\s*Non-2xx or 3xx responses:\s+(\d+)", RegexOptions.Multiline)]
    private static partial Regex NonSuccessLine();

    [GeneratedRegex(@"^\s*Socket errors:\s+(.+)$", RegexOptions.Multiline)]
    private static partial Regex SocketErrorsLine();

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    private static double Milliseconds(string value, string unit) => Number(value) * unit switch
    {
        "us" => 0.001,
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        _ => 3_600_000,
    };

    // wrk prints sizes in binary units.
    private static double Bytes(string value, string unit) => Number(value) * unit switch
    {
        "B" => 1,
        "KB" => 1024,
        "MB" => 1024 * 1024,
        "GB" => 1024d * 1024 * 1024,
        _ => 1024d * 1024 * 1024 * 1024,
    };
}
