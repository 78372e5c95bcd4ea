using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace TicketBooking.Bench;

/// <summary>
/// A run of the repository's <c>deploy/cluster.sh</c>: N instances of a published app (on the script's own private
/// PostgreSQL, or on <c>TICKETS_PG</c>) behind HAProxy, on free loopback ports, in a folder of its own. Disposing stops the
/// script, whose trap stops everything it started; it also stops by itself when this process ends.
/// </summary>
public sealed class ClusterScript : IAsyncDisposable
{
    private readonly Process _script;

    private ClusterScript(Process script, string folder, Uri balancer, IReadOnlyList<Uri> instances, TimeSpan startedIn)
    {
        _script = script;
        Folder = folder;
        Balancer = balancer;
        Instances = instances;
        StartedIn = startedIn;
    }

    /// <summary>The run folder: logs, pid and port files, e-mails, the private database and its connection string.</summary>
    public string Folder { get; }

    public Uri Balancer { get; }

    public IReadOnlyList<Uri> Instances { get; }

    /// <summary>From starting the script to every instance and the balancer answering /health.</summary>
    public TimeSpan StartedIn { get; }

    /// <summary>The private database's connection string (when the script started one).</summary>
    public string? PostgresConnectionString => File.Exists(Path.Combine(Folder, "pg.connection"))
        ? File.ReadAllText(Path.Combine(Folder, "pg.connection")).Trim()
        : null;

    /// <summary>
    /// Starts <paramref name="instances"/> instances of the published app in <paramref name="appDirectory"/> in
    /// <paramref name="folder"/>; <paramref name="environment"/> holds the script's settings and app settings
    /// (<c>Organizer__Password</c>, <c>TICKETS_PG</c>, …).
    /// </summary>
    public static async Task<ClusterScript> StartAsync(int instances, string appDirectory, string folder, IReadOnlyDictionary<string, string> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var start = new ProcessStartInfo("setsid", ["bash", Path.Combine(AppUnderTest.RepositoryRoot(), "deploy", "cluster.sh"), instances.ToString(CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CLUSTER_DIR"] = folder;
        start.Environment["APP_DIR"] = Path.GetFullPath(appDirectory);
        start.Environment["APP_PORT_BASE"] = "auto";
        start.Environment["LB_PORT"] = AppUnderTest.FreePort().ToString(CultureInfo.InvariantCulture);
        start.Environment["WATCH_PID"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var script = Process.Start(start) ?? throw new InvalidOperationException("deploy/cluster.sh did not start.");
        var log = new ConcurrentQueue<string>();
        script.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        script.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();

        // The script renames "ready" (the balancer's port) into place once every instance and the balancer answer /health.
        var ready = Path.Combine(folder, "ready");
        while (!File.Exists(ready))
        {
            if (script.HasExited || clock.Elapsed > TimeSpan.FromMinutes(2))
            {
                if (!script.HasExited)
                {
                    script.Kill(entireProcessTree: true);
                }

                throw new InvalidOperationException($"deploy/cluster.sh did not get ready: {string.Join(Environment.NewLine, log)}");
            }

            await Task.Delay(50);
        }

        var balancer = new Uri($"http://127.0.0.1:{(await File.ReadAllTextAsync(ready)).Trim()}");
        var ports = Enumerable.Range(1, instances).Select(i => File.ReadAllText(Path.Combine(folder, $"app{i}.port")).Trim());
        return new ClusterScript(script, folder, balancer, [.. ports.Select(p => new Uri($"http://127.0.0.1:{p}"))], clock.Elapsed);
    }

    /// <summary>The process id of instance <paramref name="number"/> (1-based): the dotnet process itself (the script execs it).</summary>
    public int ProcessId(int number) =>
        int.Parse(File.ReadAllText(Path.Combine(Folder, $"app{number}.pid")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>Ends instance <paramref name="number"/> (1-based) with SIGKILL, as a crash would.</summary>
    public void Kill(int number)
    {
        using var process = Process.GetProcessById(ProcessId(number));
        process.Kill();
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_script.HasExited)
        {
            // The script's trap stops the instances, the balancer and its PostgreSQL.
            using (var term = Process.Start("kill", ["-TERM", _script.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await term!.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            try
            {
                await _script.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _script.Kill(entireProcessTree: true);
            }
        }

        _script.Dispose();
    }
}
