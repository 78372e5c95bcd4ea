using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

// dotnet run -c Release --project bench/TicketBooking.Bench -- compare [--app PUBLISHED_WEB_DIR] [--against bench/results/latest.md]   (the regression guard: quick scenarios, drops over 15 % flagged)
// dotnet run -c Release --project bench/TicketBooking.Bench -- profile TRACE.speedscope.json…   (the tables of docs/performance.md from --trace files)
// dotnet run -c Release --project bench/TicketBooking.Bench -- abuse [--app PUBLISHED_WEB_DIR] [--label NAME] [--streams 15000] [--only slow,card] [--out FILE]
// dotnet run -c Release --project bench/TicketBooking.Bench -- crowd --app PUBLISHED_WEB_DIR [--watchers 15000] [--circuits 2000] [--tickets 4000] [--admit-per-minute 3000] [--dwell 40] [--cluster 3] [--runs 1] [--out bench/results/crowd.md]
//     (an on-sale's crowd: watchers in the room on its stream from their own addresses, split over child processes; the admitted on circuits, through the busy page at the cap)
// dotnet run -c Release --project bench/TicketBooking.Bench -- checkin --runs 1 [--app PUBLISHED_WEB_DIR]   (the door: 1,000 scans, then 1,000 repeats)
// dotnet run -c Release --project bench/TicketBooking.Bench -- onsale-room --runs 1 [--room-buyers 20000] [--admit-per-minute 6000] [--room-streams 500] [--app PUBLISHED_WEB_DIR] [--out FILE]
//     (the waiting room of a scheduled on-sale: every buyer in line before it, admitted at the paced rate, then hold and pay, until sold out for good; not part of 'all')
// dotnet run -c Release --project bench/TicketBooking.Bench -- [scenario[,scenario…]|all] [--runs 3] [--clients 200] [--subscribers 2000]
//     [--duration 10] [--mixed-duration 60] [--attempts 100000] [--changes 10] [--circuits 2000] [--app PUBLISHED_WEB_DIR | --url http://… --organizer-password …] [--out file]
//     [--pin off|on|both]   (the app on core 0 and the load generator on core 1, taskset; both: unpinned, then pinned)
//     [--trace DIR]   (dotnet-trace, from bench/dotnet-tools.json, samples the app while each scenario's load runs in the first run)
//     [--gcdump DIR]   (circuits: dotnet-gcdump heap snapshots before the circuits open and with them open, and their reports, per run)
//     scenarios: baseline onsale holds confirm fanout mixed (all), circuits checkin seats wrk onsale-room; NAME-limited runs one with every per-client limit on
//     [--cluster N --app PUBLISHED_WEB_DIR]   (N instances on a private PostgreSQL behind HAProxy, by deploy/cluster.sh; the invariant checks read PostgreSQL)
namespace TicketBooking.Bench;

/// <summary>Entry point. A named class rather than top-level statements, so the tests can reference this project.</summary>
internal static class BenchMain
{
    public static async Task<int> Main(string[] args)
    {
        var arguments = Arguments.Parse(args);
        if (arguments.Scenario == "abuse")
        {
            var label = arguments.Text("label") ?? "this build";
            var table = await Abuse.RunAsync(arguments.Text("configuration") ?? "Release", arguments.Text("app"), label, arguments.Int("streams", 15_000), arguments.Text("only"));
            Console.WriteLine(table);
            if (arguments.Text("out") is { } file)
            {
                await File.AppendAllTextAsync(file, table + Environment.NewLine);
            }

            return 0;
        }

        if (arguments.Scenario == CrowdScenario.WatchersCommand)
        {
            return await CrowdScenario.WatchAsync(new Uri(arguments.Text("url")!), Guid.Parse(arguments.Text("concert")!), arguments.Int("from", 0), arguments.Int("count", 0));
        }

        if (arguments.Scenario == CrowdScenario.Name)
        {
            return await RunCrowdAsync(arguments);
        }

        if (arguments.Scenario == "profile")
        {
            Console.WriteLine(ProfileSummary.Render(arguments.Rest));
            return 0;
        }

        var compare = arguments.Scenario == "compare";
        var scenarios = compare ? Comparison.Scenarios
            : arguments.Scenario is null or "all" ? Scenarios.All
            : arguments.Scenario.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var options = new BenchOptions(
            arguments.Int("clients", 200),
            arguments.Int("subscribers", 2_000),
            TimeSpan.FromSeconds(arguments.Int("duration", 10)),
            TimeSpan.FromSeconds(arguments.Int("mixed-duration", 60)),
            arguments.Int("attempts", 100_000),
            arguments.Int("changes", 10),
            arguments.Int("circuits", 2_000),
            arguments.Int("room-buyers", 20_000),
            arguments.Int("admit-per-minute", 6_000),
            arguments.Int("room-streams", 500),
            arguments.Text("gcdump"));
        var runs = arguments.Int("runs", 3);
        var configuration = arguments.Text("configuration") ?? "Release";
        var pinModes = PinModes(arguments.Text("pin"));
        var results = pinModes.SelectMany(pinned => scenarios.Select(s => Scenarios.Label(s, pinned))).ToDictionary(s => s, _ => new List<RunResult>());
        var coldStarts = new List<double>();
        var deployment = "";

        foreach (var pinned in pinModes)
        {
            CpuPinning.PinThisProcess(pinned ? [CpuPinning.ClientCore] : null);
            for (var run = 1; run <= runs; run++)
            {
                // A fresh app and database per run (and per set of settings: holds-limited needs its limits on), so runs
                // do not inherit each other's data.
                foreach (var group in scenarios.GroupBy(s => Scenarios.SettingsKey(s, options)))
                {
                    await using var app = arguments.Text("url") is { } url
                        ? AppUnderTest.Existing(new Uri(url), arguments.Text("organizer-password") ?? throw new ArgumentException("--url needs --organizer-password"))
                        : arguments.Int("cluster", 0) is > 0 and var instances
                        ? await AppUnderTest.StartClusterAsync(instances, arguments.Text("app") ?? throw new ArgumentException("--cluster needs --app PUBLISHED_WEB_DIR"))
                        : await AppUnderTest.StartAsync(configuration, settings: Scenarios.SettingsFor(group.First(), options), appDirectory: arguments.Text("app"),
                            core: pinned ? CpuPinning.AppCore : null);
                    deployment = app.Deployment;
                    if (app.ColdStart is { } coldStart && !pinned)
                    {
                        coldStarts.Add(coldStart.TotalSeconds);
                    }

                    using var api = new TicketApi(app.BaseAddress, Math.Max(options.Clients, options.Subscribers) + 16);
                    var mode = pinned ? " (pinned)" : "";
                    Console.Error.WriteLine($"run {run}/{runs}{mode}: warming up…");
                    await Scenarios.WarmUpAsync(app, api, options);
                    foreach (var scenario in group)
                    {
                        Console.Error.WriteLine($"run {run}/{runs}{mode}: {scenario}…");
                        // --trace DIR: a profile of the app while the load of each scenario of the first run lasts.
                        Profiler? trace = null;
                        if (arguments.Text("trace") is { } traces && run == 1 && app.ProcessId is { } pid)
                        {
                            var file = Path.Combine(traces, Scenarios.Label(scenario, pinned).Replace(" (pinned)", "-pinned", StringComparison.Ordinal));
                            LoadStart.Arm(async () => trace = await Profiler.StartAsync(pid, file, options.Duration));
                        }

                        results[Scenarios.Label(scenario, pinned)].Add(await Scenarios.RunAsync(scenario, app, api, options, pinned ? CpuPinning.ClientCore : null));
                        LoadStart.Arm(null);
                        if (trace is not null)
                        {
                            await trace.DisposeAsync();
                        }
                    }
                }
            }
        }

        CpuPinning.PinThisProcess(null);
        var report = Report.Render(results, coldStarts, options, runs, deployment, pinModes);
        var passed = results.Values.SelectMany(r => r).SelectMany(r => r.Checks).All(c => c.Passed);
        var latest = Path.Combine(AppUnderTest.RepositoryRoot(), "bench", "results", "latest.md");
        if (compare)
        {
            // The guard compares with the recorded figures and leaves them as they are.
            var (table, regressed) = Comparison.Render(results, Report.Median, await File.ReadAllTextAsync(arguments.Text("against") ?? latest));
            Console.WriteLine(report);
            Console.WriteLine(table);
            if (arguments.Text("out") is { } file)
            {
                await File.WriteAllTextAsync(file, report + Environment.NewLine + table);
            }

            return passed && !regressed ? 0 : 1;
        }

        Console.WriteLine(report);
        var output = arguments.Text("out") ?? latest;
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        await File.WriteAllTextAsync(output, report);
        Console.Error.WriteLine($"written to {output}");
        return passed ? 0 : 1;
    }

    /// <summary>
    /// <c>crowd</c>: the on-sale crowd (<see cref="CrowdScenario"/>) on a published app, one instance on SQLite or
    /// <c>--cluster N</c> on PostgreSQL behind HAProxy; the report goes to <c>--out</c> (bench/results/crowd.md).
    /// </summary>
    private static async Task<int> RunCrowdAsync(Arguments arguments)
    {
        var instances = arguments.Int("cluster", 0);
        var options = new CrowdOptions(
            arguments.Int("watchers", instances > 0 ? 15_000 * instances : 15_000),
            arguments.Int("circuits", 2_000),
            arguments.Int("tickets", 4_000),
            arguments.Int("admit-per-minute", 3_000),
            TimeSpan.FromSeconds(arguments.Int("dwell", 40)));
        var appDirectory = arguments.Text("app") ?? throw new ArgumentException("crowd needs --app PUBLISHED_WEB_DIR");
        var runs = arguments.Int("runs", 1);
        var results = new List<RunResult>();
        var deployment = "";
        for (var run = 1; run <= runs; run++)
        {
            await using var app = instances > 0
                ? await AppUnderTest.StartClusterAsync(instances, appDirectory, CrowdScenario.Settings(options))
                : await AppUnderTest.StartAsync("Release", settings: CrowdScenario.Settings(options), appDirectory: appDirectory);
            deployment = app.Deployment;
            Console.Error.WriteLine($"run {run}/{runs}: crowd of {options.Watchers:N0} watchers, circuits capped at {options.Circuits:N0}…");
            results.Add(await CrowdScenario.RunAsync(app, options));
        }

        var label = instances > 0 ? $"{CrowdScenario.Name} ({instances} instances)" : CrowdScenario.Name;
        var report = Report.Render(new Dictionary<string, List<RunResult>> { [label] = results }, [], new BenchOptions(0, 0, TimeSpan.Zero, TimeSpan.Zero, 0, 0), runs, deployment, [false]);
        Console.WriteLine(report);
        if (arguments.Text("out") is { } file)
        {
            await File.AppendAllTextAsync(file, report + Environment.NewLine);
        }

        return results.All(r => r.Checks.All(c => c.Passed)) ? 0 : 1;
    }

    /// <summary><c>--pin off</c> (the default), <c>on</c> or <c>both</c>: unpinned, pinned, or the one after the other.</summary>
    private static bool[] PinModes(string? pin)
    {
        bool[] modes = pin?.ToLowerInvariant() switch
        {
            null or "off" => [false],
            "on" => [true],
            "both" => [false, true],
            _ => throw new ArgumentException($"--pin is off, on or both, not '{pin}'."),
        };
        return modes.Contains(true) && !CpuPinning.Available
            ? throw new ArgumentException("--pin needs Linux, taskset and two cores.")
            : modes;
    }
}

internal sealed class Arguments
{
    private readonly Dictionary<string, string> _options = new(StringComparer.OrdinalIgnoreCase);

    public string? Scenario { get; private set; }

    /// <summary>Words after the scenario (<c>profile</c>'s files).</summary>
    public List<string> Rest { get; } = [];

    public static Arguments Parse(string[] args)
    {
        var parsed = new Arguments();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                parsed._options[args[i][2..]] = args[++i];
            }
            else if (parsed.Scenario is null)
            {
                parsed.Scenario = args[i].ToLowerInvariant();
            }
            else
            {
                parsed.Rest.Add(args[i]);
            }
        }

        return parsed;
    }

    public int Int(string name, int fallback) => _options.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string? Text(string name) => _options.GetValueOrDefault(name);
}

internal static class Report
{
    public static string Render(Dictionary<string, List<RunResult>> results, List<double> coldStarts, BenchOptions options, int runs, string deployment, bool[] pinModes)
    {
        var text = new StringBuilder();
        text.AppendLine("# TicketBooking benchmark").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"- When: {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC");
        text.AppendLine(CultureInfo.InvariantCulture, $"- Machine: {Cpu()}, {Environment.ProcessorCount} cores, {Memory()}, {RuntimeInformation.OSDescription}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- .NET {Environment.Version}; app and load generator on the same machine: {string.Join("; then ", pinModes.Select(p => p
            ? $"pinned (sections marked so): the app on core {CpuPinning.AppCore}, the load generator on core {CpuPinning.ClientCore} (taskset)"
            : "unpinned: they share the cores"))}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- App: {deployment}");
        text.AppendLine(CultureInfo.InvariantCulture, $"- {runs} runs, each on a freshly started app and database warmed up for 3 s; figures are the median of the runs");
        if (options.Clients > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"- {options.Clients} keep-alive clients; holds: up to {options.HoldAttempts:N0} attempts or {options.Duration.TotalSeconds:0} s; confirm and baseline: {options.Duration.TotalSeconds:0} s; mixed: {options.MixedDuration.TotalSeconds:0} s; fanout: {options.Subscribers:N0} subscribers × {options.Changes} changes");
        }

        text.AppendLine();
        if (coldStarts.Count > 0)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"Cold start to a served `/health`: **{Median(coldStarts):0.00} s** (runs: {string.Join(", ", coldStarts.Select(c => c.ToString("0.00", CultureInfo.InvariantCulture)))})").AppendLine();
        }

        foreach (var (scenario, runResults) in results)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"## {scenario}").AppendLine();
            text.AppendLine("| figure | median | runs |").AppendLine("|---|---:|---|");
            foreach (var name in runResults[0].Figures.Select(f => f.Name))
            {
                var values = runResults.Select(r => r.Figures.First(f => f.Name == name)).ToList();
                var unit = values[0].Unit;
                text.AppendLine(CultureInfo.InvariantCulture, $"| {name} | {Format(Median(values.Select(v => v.Value)), unit)} | {string.Join(" · ", values.Select(v => Format(v.Value, unit)))} |");
            }

            foreach (var check in runResults[0].Checks.Select(c => c.Check))
            {
                var outcomes = runResults.Select(r => r.Checks.First(c => c.Check == check)).ToList();
                text.AppendLine(CultureInfo.InvariantCulture, $"| check: {check} | {(outcomes.All(o => o.Passed) ? "✅ passed" : "❌ FAILED")} | {string.Join(" · ", outcomes.Select(o => o.Detail))} |");
            }

            text.AppendLine();
        }

        foreach (var pinned in pinModes)
        {
            text.AppendLine(Targets(results, pinned ? [] : coldStarts, pinned));
        }

        return text.ToString();
    }

    private static string Targets(Dictionary<string, List<RunResult>> results, List<double> coldStarts, bool pinned)
    {
        double? Figure(string scenario, string name) =>
            results.TryGetValue(Scenarios.Label(scenario, pinned), out var runs) ? Median(runs.Select(r => r.Figures.First(f => f.Name == name).Value)) : null;
        bool? Checks(string scenario) => results.TryGetValue(Scenarios.Label(scenario, pinned), out var runs) ? runs.All(r => r.Checks.All(c => c.Passed)) : null;

        var rows = new List<(string Target, string Measured, bool? Met)>();
        var decisions = Figure("holds", "decisions/s");
        var holdP99 = Figure("holds", "hold p99");
        var baseline = Figure("baseline", "live req/s");
        if (decisions is { } d && holdP99 is { } p99)
        {
            rows.Add(("holds ≥ 10,000 decisions/s", $"{d:N0}/s", d >= 10_000));
            rows.Add(("holds p99 ≤ 25 ms at 200 connections", $"{p99:0.0} ms", p99 <= 25));
            rows.Add(("holds invariant exact, 0 errors", Checks("holds") == true ? "yes" : "NO", Checks("holds")));
            if (baseline is { } b)
            {
                rows.Add(("holds ≥ 0.40 × baseline req/s (the bench's client)", $"{d / b:0.00} × ({b:N0} req/s)", d / b >= 0.40));
            }

            if (Figure("holds-limited", "decisions/s") is { } limited)
            {
                rows.Add(("holds-limited within 10 % of holds", $"{limited:N0}/s = {(limited / d) - 1:+0.0 %;-0.0 %}", limited >= 0.9 * d));
            }
        }

        if (Figure(WrkScenario.Name, "holds/s") is { } wrkHolds)
        {
            var bare = Figure(WrkScenario.Name, "bare req/s")!.Value;
            var (holdsP99, bareP99) = (Figure(WrkScenario.Name, "holds p99")!.Value, Figure(WrkScenario.Name, "bare p99")!.Value);
            rows.Add(("wrk: holds ≥ 0.40 × bare req/s", $"{wrkHolds / bare:0.00} × ({wrkHolds:N0} of {bare:N0} req/s)", wrkHolds / bare >= 0.40));
            rows.Add(("wrk: holds p99 ≤ 2 × bare p99", $"{holdsP99 / bareP99:0.0} × ({holdsP99:0.0} ms of {bareP99:0.0} ms)", holdsP99 <= 2 * bareP99));
            rows.Add(("wrk: every hold 201, invariant exact", Checks(WrkScenario.Name) == true ? "yes" : "NO", Checks(WrkScenario.Name)));
        }

        if (Figure("onsale", "hold p95") is { } onsaleP95)
        {
            rows.Add(("onsale: 100 sold, 900 sell-outs, 0 errors", Checks("onsale") == true ? "yes" : "NO", Checks("onsale")));
            rows.Add(("onsale p95 ≤ 25 ms", $"{onsaleP95:0.0} ms", onsaleP95 <= 25));
        }

        if (Figure("confirm", "bookings/s") is { } bookings)
        {
            rows.Add(("confirm ≥ 3,000 bookings/s", $"{bookings:N0}/s", bookings >= 3_000));
        }

        if (Figure("fanout", "delivery p95") is { } fanoutP95)
        {
            var subscribers = Figure("fanout", "subscribers")!.Value;
            var rss = Figure("fanout", "server RSS after");
            rows.Add(($"fanout p95 ≤ 250 ms ({subscribers:N0} subscribers; target is stated at 10,000)", $"{fanoutP95:0} ms", subscribers >= 10_000 ? fanoutP95 <= 250 : null));
            rows.Add(("fanout server RSS ≤ 1 GB", $"{rss:N0} MB", rss <= 1024));
        }

        if (Figure("circuits", "change → drawn in all p95") is { } drawnP95)
        {
            var circuits = Figure("circuits", "circuits opened")!.Value;
            var rss = Figure("circuits", "RSS with circuits open")!.Value;
            rows.Add(($"circuits: RSS ≤ 1.5 GB ({circuits:N0} circuits; target is stated at 5,000)", $"{rss:N0} MB", circuits >= 5_000 ? rss <= 1536 : null));
            rows.Add(($"circuits: one change drawn in all p95 ≤ 500 ms ({circuits:N0} circuits)", $"{drawnP95:0} ms", circuits >= 5_000 ? drawnP95 <= 500 : null));
        }

        if (Figure(CrowdScenario.Name, "RSS peak") is { } crowdRss)
        {
            var watchers = Figure(CrowdScenario.Name, "watching before the sale (first event on the stream)")!.Value;
            var circuits = Figure(CrowdScenario.Name, "circuits open at most")!.Value;
            var full = watchers >= 15_000 && circuits >= 2_000;
            var toAll = Figure(CrowdScenario.Name, "room change → all watchers p95")!.Value;
            var toHold = Figure(CrowdScenario.Name, "admission seen → hold answered p95 (all)")!.Value;
            rows.Add(($"crowd: RSS < 2.5 GB ({watchers:N0} watchers, at most {circuits:N0} circuits; stated at 15,000 + 2,000)", $"{crowdRss:N0} MB peak", full ? crowdRss < 2_560 : null));
            rows.Add(("crowd: a room change reaches all watchers p95 ≤ 1 s", $"{toAll:N0} ms", full ? toAll <= 1_000 : null));
            rows.Add(("crowd: admission → hold answered p95 ≤ 500 ms", $"{toHold:N0} ms", full ? toHold <= 500 : null));
            rows.Add(("crowd: 0 errors, the busy page never an error, invariant exact", Checks(CrowdScenario.Name) == true ? "yes" : "NO", Checks(CrowdScenario.Name)));
        }

        if (coldStarts.Count > 0)
        {
            rows.Add(("cold start ≤ 3 s", $"{Median(coldStarts):0.00} s", Median(coldStarts) <= 3));
        }

        var text = new StringBuilder($"## Targets{(pinned ? " (pinned)" : "")}\n\n| target | measured | |\n|---|---|---|\n");
        foreach (var (target, measured, met) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {target} | {measured} | {(met is null ? "n/a at this size" : met.Value ? "met" : "**missed**")} |");
        }

        return text.ToString();
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static string Format(double value, string unit) => unit switch
    {
        "ms" => value.ToString("0.0", CultureInfo.InvariantCulture) + " ms",
        "s" => value.ToString("0.00", CultureInfo.InvariantCulture) + " s",
        "MB" => value.ToString("N0", CultureInfo.InvariantCulture) + " MB",
        "×" => value.ToString("0.00", CultureInfo.InvariantCulture) + " ×",
        "" => value.ToString("N0", CultureInfo.InvariantCulture),
        _ => value.ToString("N0", CultureInfo.InvariantCulture) + " " + unit,
    };

    private static string Cpu() =>
        File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU"
            : RuntimeInformation.ProcessArchitecture.ToString();

    private static string Memory() =>
        File.Exists("/proc/meminfo") && File.ReadLines("/proc/meminfo").FirstOrDefault()?.Split(' ', StringSplitOptions.RemoveEmptyEntries) is [_, var kb, ..]
            ? $"{long.Parse(kb, CultureInfo.InvariantCulture) / 1024 / 1024} GiB RAM"
            : "unknown RAM";
}
