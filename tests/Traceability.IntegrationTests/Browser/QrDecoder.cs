using System.Diagnostics;
using System.Text;

namespace Traceability.IntegrationTests.Browser;

/// <summary>
/// Reads a QR code back with Debian's <c>zbarimg</c>, an independent decoder: a code that only the library that drew it
/// can read proves nothing about what a consumer's phone will open.
/// </summary>
public static class QrDecoder
{
    public const string Zbarimg = "/usr/bin/zbarimg";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>The text of the QR code in <paramref name="png"/> (of several codes: their texts, one per line).</summary>
    /// <exception cref="InvalidOperationException">zbarimg is missing, found no code, or failed.</exception>
    /// <exception cref="TimeoutException">zbarimg took longer than 10 s.</exception>
    public static async Task<string> DecodeAsync(byte[] png)
    {
        if (!File.Exists(Zbarimg))
            throw new InvalidOperationException(
                $"{Zbarimg} is missing: install Debian's package 'zbar-tools' (bash .ci/test.sh does, when run as root).");

        var file = Path.Combine(Path.GetTempPath(), $"traceability-qr-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(file, png);
        try
        {
            var start = new ProcessStartInfo(Zbarimg)
            {
                ArgumentList = { "--raw", "-q", file },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
            };
            using var zbarimg = Process.Start(start) ?? throw new InvalidOperationException($"{Zbarimg} did not start.");
            var output = zbarimg.StandardOutput.ReadToEndAsync();
            var errors = zbarimg.StandardError.ReadToEndAsync();
            using (var deadline = new CancellationTokenSource(Timeout))
            {
                try { await zbarimg.WaitForExitAsync(deadline.Token); }
                catch (OperationCanceledException)
                {
                    zbarimg.Kill(entireProcessTree: true);
                    throw new TimeoutException($"{Zbarimg} did not finish within {Timeout.TotalSeconds} s.");
                }
            }

            // zbarimg exits with 4 when the image holds no code it can read.
            if (zbarimg.ExitCode != 0)
                throw new InvalidOperationException($"{Zbarimg} exited with {zbarimg.ExitCode}: {(await errors).Trim()}");
            // --raw prints each code's text followed by a newline.
            var text = await output;
            return text.EndsWith('\n') ? text[..^1] : text;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
