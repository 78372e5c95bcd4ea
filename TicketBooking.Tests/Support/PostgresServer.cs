using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace TicketBooking.Tests.Support;

/// <summary>
/// A private PostgreSQL cluster for this test run: <c>initdb</c> in a temporary folder, started on 127.0.0.1 and a free
/// port, one database per test (<see cref="CreateDatabase"/>), stopped and deleted when the test process ends — also
/// when it is killed, by a watchdog shell that waits for this process to go.
/// </summary>
public sealed class PostgresServer
{
    private static readonly Lazy<PostgresServer> s_shared = new(Start, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _adminConnectionString;

    private PostgresServer(string folder, int port)
    {
        Folder = folder;
        Port = port;
        _adminConnectionString = ConnectionStringFor("postgres");
    }

    /// <summary>The cluster of this test run, started on first use.</summary>
    public static PostgresServer Shared => s_shared.Value;

    /// <summary>Where the server binaries are (Debian's postgresql package), or null.</summary>
    public static string? BinDirectory { get; } = FindBinaries();

    public static bool IsInstalled => BinDirectory is not null;

    public string Folder { get; }

    public int Port { get; }

    public string ConnectionStringFor(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Timeout=60;Command Timeout=120";

    /// <summary>A new empty database; returns its connection string.</summary>
    public string CreateDatabase(string name)
    {
        using var connection = new NpgsqlConnection(_adminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        command.ExecuteNonQuery();
        return ConnectionStringFor(name);
    }

    /// <summary>Drops a test's database, closing whatever connections it left open.</summary>
    public void DropDatabase(string name)
    {
        using var connection = new NpgsqlConnection(_adminConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", connection);
        command.ExecuteNonQuery();
    }

    private static PostgresServer Start()
    {
        if (BinDirectory is null)
        {
            throw new InvalidOperationException("PostgreSQL's server binaries were not found: install them with `apt-get install -y postgresql`.");
        }

        var folder = Path.Combine(Path.GetTempPath(), $"ticketbooking-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        var data = Path.Combine(folder, "data");
        Directory.CreateDirectory(folder);
        var asRoot = Environment.UserName == "root";
        if (asRoot)
        {
            // initdb refuses to run as root: the cluster belongs to the postgres user.
            Run("chown", $"postgres \"{folder}\"");
        }

        RunPostgres(asRoot, "initdb", $"-D \"{data}\" -U postgres -A trust -E UTF8 --locale=C --no-sync");
        var port = FreePort();

        // fsync off: a test cluster never outlives its run, and crash tests kill the app, not the server.
        var settings = $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off " +
                       "-c synchronous_commit=off -c max_connections=400 -c shared_buffers=128MB";
        RunPostgres(asRoot, "pg_ctl", $"-D \"{data}\" -l \"{Path.Combine(folder, "server.log")}\" -o \"{settings}\" -w -t 60 start");
        StartWatchdog(asRoot, data, folder);
        return new PostgresServer(folder, port);
    }

    /// <summary>Stops the server and removes its folder once this process is gone, however it ended.</summary>
    private static void StartWatchdog(bool asRoot, string data, string folder)
    {
        var stop = $"{(asRoot ? "runuser -u postgres -- " : string.Empty)}\"{Path.Combine(BinDirectory!, "pg_ctl")}\" -D \"{data}\" -m immediate stop";
        var script = $"while kill -0 {Environment.ProcessId} 2>/dev/null; do sleep 1; done; {stop} >/dev/null 2>&1; rm -rf \"{folder}\"";
        var info = new ProcessStartInfo("setsid", ["bash", "-c", script])
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process.Start(info);
    }

    private static void RunPostgres(bool asRoot, string tool, string arguments)
    {
        var path = Path.Combine(BinDirectory!, tool);
        if (asRoot)
        {
            Run("runuser", $"-u postgres -- \"{path}\" {arguments}");
        }
        else
        {
            Run(path, arguments);
        }
    }

    private static void Run(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(120_000))
        {
            process.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"{file} {arguments} did not finish in two minutes.");
        }

        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed ({process.ExitCode}): {output.Result}{error.Result}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string? FindBinaries()
    {
        var candidates = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").OrderDescending().Select(d => Path.Combine(d, "bin"))
            : [];
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")));
    }
}
