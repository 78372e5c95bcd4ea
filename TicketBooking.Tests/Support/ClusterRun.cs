using System.Diagnostics;
using TicketBooking.Bench;

namespace TicketBooking.Tests.Support;

/// <summary>
/// The repository's own <c>deploy/cluster.sh</c>: N app instances (the published app, as its own processes) on a test's
/// PostgreSQL database behind Debian's HAProxy with the repository's <c>deploy/haproxy.cfg</c>, on free loopback ports.
/// Disposing stops the script and so everything it started.
/// </summary>
public sealed class ClusterRun : IAsyncDisposable
{
    private readonly Process _script;

    private ClusterRun(Process script, string folder, Uri balancer, IReadOnlyList<Uri> instances)
    {
        _script = script;
        Folder = folder;
        Balancer = balancer;
        Instances = instances;
    }

    public const string OrganizerPassword = "cluster-organizer-password";

    public static bool HaproxyInstalled => File.Exists("/usr/sbin/haproxy");

    public string Folder { get; }

    public Uri Balancer { get; }

    public IReadOnlyList<Uri> Instances { get; }

    public static async Task<ClusterRun> StartAsync(TempDatabase database, int instances, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var folder = Path.Combine(database.Directory, "cluster");
        var app = await PublishedApp.FolderAsync(); // browsers load pages through the cluster, so its assets must be served
        var start = new ProcessStartInfo("setsid", ["bash", Path.Combine(AppUnderTest.RepositoryRoot(), "deploy", "cluster.sh"), instances.ToString(System.Globalization.CultureInfo.InvariantCulture)])
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["CLUSTER_DIR"] = folder;
        start.Environment["APP_DIR"] = app;
        start.Environment["TICKETS_PG"] = database.ConnectionString;
        start.Environment["APP_PORT_BASE"] = "auto";
        start.Environment["LB_PORT"] = FreePort().ToString(System.Globalization.CultureInfo.InvariantCulture);
        start.Environment["Organizer__Password"] = OrganizerPassword;
        start.Environment["RateLimits__Enabled"] = "false";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["WATCH_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var script = Process.Start(start)!;
        var log = new System.Collections.Concurrent.ConcurrentQueue<string>();
        script.OutputDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        script.ErrorDataReceived += (_, e) => { if (e.Data is not null) { log.Enqueue(e.Data); } };
        script.BeginOutputReadLine();
        script.BeginErrorReadLine();

        // The script writes "ready" (the balancer's port) once every instance and the balancer answer /health.
        var ready = Path.Combine(folder, "ready");
        var clock = Stopwatch.StartNew();
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
        return new ClusterRun(script, folder, balancer, [.. ports.Select(p => new Uri($"http://127.0.0.1:{p}"))]);
    }

    /// <summary>Ends instance <paramref name="number"/> (1-based) with SIGKILL, as a crash would.</summary>
    public void Kill(int number)
    {
        var pid = int.Parse(File.ReadAllText(Path.Combine(Folder, $"app{number}.pid")).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        using var process = Process.GetProcessById(pid);
        process.Kill();
        process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_script.HasExited)
        {
            // The script's trap stops the instances and the balancer it started.
            using var term = Process.Start("kill", ["-TERM", _script.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await term!.WaitForExitAsync();
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

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }
}
