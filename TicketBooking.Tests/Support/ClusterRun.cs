using TicketBooking.Bench;

namespace TicketBooking.Tests.Support;

/// <summary>
/// The repository's own <c>deploy/cluster.sh</c>: N app instances (the published app, as its own processes) on a test's
/// PostgreSQL database behind Debian's HAProxy with the repository's <c>deploy/haproxy.cfg</c>, on free loopback ports.
/// Disposing stops the script and so everything it started.
/// </summary>
public sealed class ClusterRun : IAsyncDisposable
{
    private readonly ClusterScript _script;

    private ClusterRun(ClusterScript script) => _script = script;

    public const string OrganizerPassword = "cluster-organizer-password";

    public static bool HaproxyInstalled => File.Exists("/usr/sbin/haproxy");

    public string Folder => _script.Folder;

    public Uri Balancer => _script.Balancer;

    public IReadOnlyList<Uri> Instances => _script.Instances;

    public static async Task<ClusterRun> StartAsync(TempDatabase database, int instances, IReadOnlyDictionary<string, string>? settings = null)
    {
        ArgumentNullException.ThrowIfNull(database);
        var environment = new Dictionary<string, string>
        {
            ["TICKETS_PG"] = database.ConnectionString,
            ["Organizer__Password"] = OrganizerPassword,
            ["RateLimits__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        // Browsers load pages through the cluster, so its static assets must be served: the published app.
        var app = await PublishedApp.FolderAsync();
        return new ClusterRun(await ClusterScript.StartAsync(instances, app, Path.Combine(database.Directory, "cluster"), environment));
    }

    /// <summary>Ends instance <paramref name="number"/> (1-based) with SIGKILL, as a crash would.</summary>
    public void Kill(int number) => _script.Kill(number);

    public ValueTask DisposeAsync() => _script.DisposeAsync();
}
