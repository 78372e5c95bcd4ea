using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TicketBooking.Bench;

/// <summary>
/// The app as a separate process: the Release build of TicketBooking.Web on 127.0.0.1, a fresh temporary
/// database, rate limits off and a one-off organizer password. Or an app already running at --url.
/// </summary>
internal sealed class AppUnderTest : IAsyncDisposable
{
    private readonly Process? _process;
    private readonly string? _directory;
    private readonly bool _ownsDirectory;

    private readonly ClusterScript? _cluster;

    private AppUnderTest(Uri baseAddress, string organizerPassword, Process? process, string? directory, bool ownsDirectory, TimeSpan? coldStart)
    {
        BaseAddress = baseAddress;
        OrganizerPassword = organizerPassword;
        _process = process;
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        ColdStart = coldStart;
    }

    private AppUnderTest(Uri balancer, string organizerPassword, ClusterScript cluster, string postgres, int instances)
        : this(balancer, organizerPassword, null, null, false, cluster.StartedIn)
    {
        _cluster = cluster;
        PostgresConnectionString = postgres;
        Instances = instances;
    }

    /// <summary>The PostgreSQL database of a cluster the benchmark started (for the invariant checks); null otherwise.</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>App instances behind the address: 1, or a cluster's count.</summary>
    public int Instances { get; } = 1;

    /// <summary>What serves the benchmark, for the report.</summary>
    public string Deployment => _cluster is not null
        ? $"{Instances} instance{(Instances == 1 ? "" : "s")} on one PostgreSQL database behind HAProxy (deploy/cluster.sh), all on this machine"
        : _process is not null ? "one instance on a SQLite file" : $"already running at {BaseAddress}";

    public Uri BaseAddress { get; }

    public string OrganizerPassword { get; }

    /// <summary>The app's process id, when the benchmark started one process (for <c>--trace</c>).</summary>
    public int? ProcessId => _process?.Id;

    /// <summary>From process start to the first 200 from /health; unknown for an app we did not start.</summary>
    public TimeSpan? ColdStart { get; }

    /// <summary>The database file, when we own it (for the invariant check).</summary>
    public string? DatabasePath => _directory is null ? null : Path.Combine(_directory, "tickets.db");

    public static AppUnderTest Existing(Uri url, string organizerPassword) => new(url, organizerPassword, null, null, false, null);

    /// <summary>
    /// Starts the built app. Pass <paramref name="databaseDirectory"/> to restart on a database that outlives the process
    /// (the caller then deletes it); <paramref name="settings"/> are extra configuration keys (<c>Holds:Duration</c> …),
    /// <paramref name="environment"/> extra environment variables (<c>HOME</c> …); <paramref name="appDirectory"/> a published
    /// TicketBooking.Web to start instead of the build output; <paramref name="core"/> the one core it may run on (<c>--pin</c>).
    /// </summary>
    public static async Task<AppUnderTest> StartAsync(
        string configuration,
        string? databaseDirectory = null,
        IReadOnlyDictionary<string, string>? settings = null,
        IReadOnlyDictionary<string, string>? environment = null,
        string? appDirectory = null,
        int? core = null)
    {
        var web = appDirectory ?? Path.Combine(RepositoryRoot(), "TicketBooking.Web", "bin", configuration, "net10.0");
        var dll = Path.Combine(web, "TicketBooking.Web.dll");
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"Build the app first (dotnet build -c {configuration}); {dll} is missing.");
        }

        var ownsDirectory = databaseDirectory is null;
        var directory = databaseDirectory ?? Directory.CreateTempSubdirectory("ticketbooking-bench-").FullName;
        var url = new Uri($"http://127.0.0.1:{FreePort()}");
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var (fileName, prefix) = CpuPinning.Command("dotnet", core);
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = web,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in prefix.Concat(new[]
        {
            dll, "--urls", url.ToString().TrimEnd('/'),
            "--ConnectionStrings:Tickets", $"Data Source={Path.Combine(directory, "tickets.db")}",
            "--RateLimits:Enabled", "false",
            "--Organizer:Password", password,
            "--Logging:LogLevel:Default", "Warning",
        }).Concat((settings ?? new Dictionary<string, string>()).SelectMany(s => new[] { $"--{s.Key}", s.Value })))
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var clock = Stopwatch.StartNew();
        var process = Process.Start(start) ?? throw new InvalidOperationException("The app did not start.");
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                Console.Error.WriteLine($"  app: {line}");
            }
        };
        process.BeginOutputReadLine(); // drained and dropped, so a chatty app never blocks on a full pipe
        process.BeginErrorReadLine();

        using var probe = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(2) };
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The app exited with code {process.ExitCode} before serving /health.");
            }

            try
            {
                using var response = await probe.GetAsync(new Uri("/health", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return new AppUnderTest(url, password, process, directory, ownsDirectory, clock.Elapsed);
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Listening but not answering yet.
            }

            await Task.Delay(10);
        }

        process.Kill(entireProcessTree: true);
        throw new TimeoutException("The app did not serve /health within 60 s.");
    }

    /// <summary>
    /// The repository's <c>deploy/cluster.sh</c>: a private PostgreSQL, <paramref name="instances"/> instances of the
    /// published app in <paramref name="appDirectory"/> and HAProxy in front, on free loopback ports, rate limits off;
    /// <paramref name="settings"/> are extra configuration keys for every instance.
    /// </summary>
    public static async Task<AppUnderTest> StartClusterAsync(int instances, string appDirectory, IReadOnlyDictionary<string, string>? settings = null)
    {
        var directory = Directory.CreateTempSubdirectory("ticketbooking-bench-cluster-").FullName;
        var password = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var environment = new Dictionary<string, string>
        {
            ["Organizer__Password"] = password,
            ["RateLimits__Enabled"] = "false",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var cluster = await ClusterScript.StartAsync(instances, appDirectory, directory, environment);
        return new AppUnderTest(cluster.Balancer, password, cluster, cluster.PostgresConnectionString!, instances);
    }

    /// <summary>Ends the process the hard way (SIGKILL): no shutdown, no flushing, as a crash or an OOM kill would.</summary>
    public async Task KillAsync()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    /// <summary>Resident memory of the app process in MB (Linux /proc; a cluster's instances together), or null for an app we did not start.</summary>
    public double? ResidentMegabytes()
    {
        if (_cluster is not null)
        {
            return Enumerable.Range(1, Instances).Select(i => Resident(_cluster.ProcessId(i))).Sum(rss => rss ?? 0);
        }

        return _process is null || _process.HasExited ? null : Resident(_process.Id);
    }

    /// <summary>Open files (sockets included) of the app process (a cluster's largest instance), or null for an app we did not start.</summary>
    public int? OpenFiles()
    {
        static int? Count(int pid)
        {
            try
            {
                return Directory.GetFiles($"/proc/{pid}/fd").Length;
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        if (_cluster is not null)
        {
            return Enumerable.Range(1, Instances).Max(i => Count(_cluster.ProcessId(i)));
        }

        return _process is null || _process.HasExited ? null : Count(_process.Id);
    }

    private static double? Resident(int pid)
    {
        // The cluster starts each instance through bash -c "exec dotnet …": the pid is the dotnet process itself.
        if (!File.Exists($"/proc/{pid}/status"))
        {
            return null;
        }

        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kilobytes = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kilobytes / 1024.0;
            }
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
            Directory.Delete(_cluster.Folder, recursive: true);
        }

        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        if (_directory is not null && _ownsDirectory)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }

    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TicketBooking.sln")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Run the benchmark from inside the repository.");
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
