using System.Runtime.InteropServices;

namespace TicketBooking.Bench;

/// <summary>
/// <c>--pin</c>: the app on one core, the load generator on the other, so a figure measures the server rather than the
/// two fighting over both cores. The app and <c>wrk</c> are started under <c>taskset</c>; this process pins itself.
/// </summary>
internal static partial class CpuPinning
{
    /// <summary>The core the app runs on when pinned.</summary>
    public const int AppCore = 0;

    /// <summary>The core the load generator (this process's client, or wrk) runs on when pinned.</summary>
    public const int ClientCore = 1;

    /// <summary>Whether pinning can work here: Linux with <c>taskset</c> and at least two cores.</summary>
    public static bool Available => OperatingSystem.IsLinux() && Environment.ProcessorCount >= 2 && File.Exists("/usr/bin/taskset");

    /// <summary>
    /// Runs every thread of this process on <paramref name="cores"/> (null: all cores). On Linux an affinity belongs to a
    /// thread, and a new thread inherits its creator's; so each existing thread is set, and the ones started later follow.
    /// </summary>
    public static void PinThisProcess(int[]? cores)
    {
        ulong mask = 0;
        foreach (var core in cores ?? Enumerable.Range(0, Environment.ProcessorCount).ToArray())
        {
            mask |= 1UL << core;
        }

        foreach (var task in Directory.GetDirectories("/proc/self/task"))
        {
            // A thread may end between the listing and the call; that is fine.
            _ = SchedSetAffinity(int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture), sizeof(ulong), ref mask);
        }
    }

    /// <summary>The command line that runs <paramref name="command"/> on <paramref name="core"/>.</summary>
    public static (string FileName, string[] Prefix) Command(string command, int? core) =>
        core is { } pinned ? ("taskset", ["-c", pinned.ToString(System.Globalization.CultureInfo.InvariantCulture), command]) : (command, []);

    [LibraryImport("libc", EntryPoint = "sched_setaffinity", SetLastError = true)]
    private static partial int SchedSetAffinity(int pid, nint cpusetsize, ref ulong mask);
}
