using System.Diagnostics;
using System.Globalization;

namespace TicketBooking.Bench;

/// <summary>
/// The cross-check with Debian's <c>wrk</c> (C, one thread, keep-alive connections, <c>bench/wrk/bench.lua</c>): bare
/// Kestrel (<c>/health/live</c>) and then hold decisions from a pool of buyer cookies, each replacing a GA hold of 1–4
/// tickets, in the same run on the same app. So the holds/bare ratio can be trusted without trusting the bench's own
/// client; the invariant is checked on the database afterwards.
/// </summary>
internal static class WrkScenario
{
    public const string Name = "wrk";

    /// <summary>Buyers in the cookie pool: one per connection, as in the outside measurement the issue quotes.</summary>
    private const int Buyers = 200;

    public static bool Available => File.Exists("/usr/bin/wrk");

    public static async Task<RunResult> RunAsync(AppUnderTest app, TicketApi api, BenchOptions options, int? clientCore)
    {
        if (!Available)
        {
            throw new InvalidOperationException("wrk is not installed: apt-get install -y wrk");
        }

        var script = Path.Combine(AppUnderTest.RepositoryRoot(), "bench", "wrk", "bench.lua");
        var bare = await RunWrkAsync(new Uri(app.BaseAddress, "/health/live"), script, options, clientCore, null);

        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, Buyers * 4 * 10));
        var cookies = Path.GetTempFileName();
        try
        {
            await File.WriteAllLinesAsync(cookies, await Task.WhenAll(Enumerable.Range(0, Buyers).Select(_ => api.NewBuyerAsync())));
            await LoadStart.FireAsync();
            var holds = await RunWrkAsync(new Uri(app.BaseAddress, "/api/holds"), script, options, clientCore,
                new Dictionary<string, string> { ["TB_COOKIES"] = cookies, ["TB_CONCERT"] = concertId.ToString() });
            var invariant = Scenarios.InvariantHolds(app, concertId);
            return new RunResult()
                .Figure("bare req/s", bare.PerSecond, "req/s")
                .Figure("bare p50", bare.P50, "ms")
                .Figure("bare p99", bare.P99, "ms")
                .Figure("holds/s", holds.PerSecond, "/s")
                .Figure("holds p50", holds.P50, "ms")
                .Figure("holds p99", holds.P99, "ms")
                .Figure("holds max", holds.Max, "ms")
                .Figure("holds / bare", holds.PerSecond / bare.PerSecond, "×")
                .Figure("holds p99 / bare p99", holds.P99 / bare.P99, "×")
                .Check("every hold answered 201", holds.Non2xx == 0 && holds.SocketErrors == 0, $"{holds.Requests:N0} requests, {holds.Non2xx} not 2xx, {holds.SocketErrors} socket errors")
                .Check("bare without errors", bare.Non2xx == 0 && bare.SocketErrors == 0, $"{bare.Non2xx} not 2xx, {bare.SocketErrors} socket errors")
                .Check("invariant exact", invariant.Passed, invariant.Detail);
        }
        finally
        {
            File.Delete(cookies);
        }
    }

    private sealed record WrkRun(long Requests, double PerSecond, long Non2xx, long SocketErrors, double P50, double P99, double Max);

    private static async Task<WrkRun> RunWrkAsync(Uri url, string script, BenchOptions options, int? core, Dictionary<string, string>? environment)
    {
        var (fileName, prefix) = CpuPinning.Command("wrk", core);
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in prefix.Concat([
            "-t1", $"-c{options.Clients}", $"-d{options.Duration.TotalSeconds:0}s", "--timeout", "10s", "-s", script, url.ToString(),
        ]))
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var line = (await output).Split('\n').FirstOrDefault(l => l.StartsWith("WRK ", StringComparison.Ordinal))
            ?? throw new InvalidOperationException($"wrk gave no result (exit {process.ExitCode}): {await output} {await errors}");
        var values = line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('='))
            .ToDictionary(pair => pair[0], pair => long.Parse(pair[1], CultureInfo.InvariantCulture));
        double Milliseconds(string name) => values[name] / 1000.0;
        return new WrkRun(
            values["requests"],
            values["requests"] / (values["duration_us"] / 1_000_000.0),
            values["non2xx"],
            values["socket_errors"],
            Milliseconds("p50_us"),
            Milliseconds("p99_us"),
            Milliseconds("max_us"));
    }
}
