using System.Diagnostics;

namespace TicketBooking.Bench;

/// <summary>
/// <c>--trace DIR</c>: <c>dotnet-trace</c> and <c>dotnet-counters</c> (tools of the bench's manifest,
/// <c>bench/dotnet-tools.json</c>; never packages of the app) watch the app while a scenario's load runs: thread samples into
/// <c>DIR/SCENARIO.nettrace</c> and a speedscope file beside it, the runtime's counters into <c>DIR/SCENARIO.counters.csv</c>.
/// <c>bench -- profile DIR/SCENARIO.speedscope.json</c> turns them into the tables of docs/performance.md.
/// </summary>
internal sealed class Profiler : IAsyncDisposable
{
    private readonly Process _trace;
    private readonly Process _counters;

    private Profiler(Process trace, Process counters)
    {
        _trace = trace;
        _counters = counters;
    }

    public static async Task<Profiler> StartAsync(int pid, string output, TimeSpan duration)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var length = duration.ToString(@"dd\:hh\:mm\:ss", System.Globalization.CultureInfo.InvariantCulture);
        var id = pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var counters = Tool("dotnet-counters", "collect", "-p", id, "--counters", "System.Runtime", "--format", "csv",
            "-o", Path.GetFullPath(output) + ".counters.csv", "--duration", length);
        var trace = Tool("dotnet-trace", "collect", "-p", id, "--profile", "dotnet-sampled-thread-time", "--format", "Speedscope",
            "-o", Path.GetFullPath(output) + ".nettrace", "--duration", length);
        // The session is open once the tool says where it writes; the scenario starts after that.
        while (await trace.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains("Output File", StringComparison.OrdinalIgnoreCase) || line.Contains("Process", StringComparison.Ordinal))
            {
                break;
            }
        }

        _ = trace.StandardOutput.ReadToEndAsync();
        return new Profiler(trace, counters);
    }

    /// <summary>
    /// A heap snapshot of the app by <c>dotnet-gcdump</c> into <paramref name="output"/> (<c>.gcdump</c>, open it in
    /// PerfView or Visual Studio) and its report by type beside it (<c>.txt</c>). The snapshot forces a full collection
    /// first, so it shows what is alive.
    /// </summary>
    public static async Task GcDumpAsync(int pid, string output)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        var dump = Path.GetFullPath(output) + ".gcdump";
        using (var collect = Tool("dotnet-gcdump", "collect", "-p", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", dump))
        {
            await collect.StandardOutput.ReadToEndAsync();
            await collect.WaitForExitAsync();
        }

        using var report = Tool("dotnet-gcdump", "report", dump);
        var text = await report.StandardOutput.ReadToEndAsync();
        await report.WaitForExitAsync();
        await File.WriteAllTextAsync(Path.GetFullPath(output) + ".txt", text);
    }

    /// <summary>Waits for both tools to end (their duration) and write their files.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var tool in new[] { _trace, _counters })
        {
            await tool.WaitForExitAsync();
            tool.Dispose();
        }
    }

    private static Process Tool(string name, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(AppUnderTest.RepositoryRoot(), "bench"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[] { "tool", "run", name, "--" }.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{name} did not start (dotnet tool restore in bench/).");
        _ = process.StandardError.ReadToEndAsync();
        if (name is not ("dotnet-trace" or "dotnet-gcdump"))
        {
            _ = process.StandardOutput.ReadToEndAsync();
        }

        return process;
    }
}
