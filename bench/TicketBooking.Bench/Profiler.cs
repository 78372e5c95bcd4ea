using System.Diagnostics;

namespace TicketBooking.Bench;

/// <summary>
/// <c>--trace DIR</c>: <c>dotnet-trace</c> (a tool of the bench's manifest, <c>bench/dotnet-tools.json</c>; never a package of
/// the app) samples the app's threads while a scenario runs, into <c>DIR/SCENARIO.nettrace</c> and a speedscope file
/// beside it. <c>bench -- profile FILE.speedscope.json</c> turns one into the tables of docs/performance.md.
/// </summary>
internal sealed class Profiler : IAsyncDisposable
{
    private readonly Process _process;

    private Profiler(Process process) => _process = process;

    public static async Task<Profiler> StartAsync(int pid, string output, TimeSpan duration)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(AppUnderTest.RepositoryRoot(), "bench"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "tool", "run", "dotnet-trace", "--", "collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--profile", "dotnet-sampled-thread-time", "--format", "Speedscope", "-o", Path.GetFullPath(output) + ".nettrace",
            "--duration", duration.ToString(@"dd\:hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet-trace did not start (dotnet tool restore in bench/).");
        // The session is open once the tool says where it writes; the scenario starts after that.
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains("Output File", StringComparison.OrdinalIgnoreCase) || line.Contains("Process", StringComparison.Ordinal))
            {
                break;
            }
        }

        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        return new Profiler(process);
    }

    /// <summary>Waits for the trace to end (its duration) and to be written out.</summary>
    public async ValueTask DisposeAsync()
    {
        await _process.WaitForExitAsync();
        _process.Dispose();
    }
}
