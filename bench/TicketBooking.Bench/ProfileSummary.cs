using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TicketBooking.Bench;

/// <summary>
/// <c>bench -- profile FILE.speedscope.json…</c>: where the app's threads spent a traced scenario (<c>--trace</c>), as the
/// tables of docs/performance.md. dotnet-trace's sampler records every managed thread about 100 times a second; a sample
/// whose innermost managed frame is a wait (an idle pool thread, the socket poller in epoll, the writer waiting for work) is
/// idle, every other is busy and goes to the first category found walking from the innermost frame outwards, so SQLite
/// called from the engine counts as SQLite and JSON written by Kestrel as JSON. Busy time is thread time, not CPU time
/// (a busy thread may be waiting for a core), so compare shares within one trace and figures between traces of one length.
/// </summary>
internal static class ProfileSummary
{
    private static readonly string[] Waits =
    [
        "LowLevelLifoSemaphore.WaitNative", "LowLevelLifoSemaphore.WaitForSignal", "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait",
        "Monitor.Wait(", "WaitHandle.WaitOneNoCheck", "WaitHandle.WaitOneCore", "Interop+Sys.Read(", "SocketAsyncEngine.EventLoop",
        "Thread.Sleep", "WaitForSocketEvents",
    ];

    // First match wins, walking from the innermost frame outwards.
    private static readonly (string Category, string Marker)[] Categories =
    [
        ("GC", "PollGC"), ("GC", "!System.GC."), ("lock contention", "Monitor.Enter_Slowpath"), ("thread-pool spinning", "LowLevelSpinWaiter"),
        ("admission check", "OnSale.AdmissionTokens"), ("per-client limits", "TicketBooking.Web.Limits"), ("logging", "Microsoft.Extensions.Logging"),
        ("cookie and Data Protection", "Microsoft.AspNetCore.DataProtection"), ("cookie and Data Protection", "Microsoft.AspNetCore.Authentication"),
        ("cookie and Data Protection", "System.Security.Cryptography"), ("JSON", "System.Text.Json"),
        ("SQLite (Microsoft.Data.Sqlite, Dapper)", "SQLitePCL"), ("SQLite (Microsoft.Data.Sqlite, Dapper)", "Microsoft.Data.Sqlite"),
        ("SQLite (Microsoft.Data.Sqlite, Dapper)", "Dapper!"), ("PostgreSQL (Npgsql)", "Npgsql"),
        ("broadcast", "TicketBooking.Core!TicketBooking.Core.Availability"), ("engine (writer queue, rules)", "TicketBooking.Core!"),
        ("endpoints, identity", "TicketBooking.Web!"), ("Kestrel and sockets", "Kestrel"), ("Kestrel and sockets", "System.Net.Sockets"),
        ("Kestrel and sockets", "System.IO.Pipelines"), ("ASP.NET Core middleware and routing", "Microsoft.AspNetCore"),
        ("thread pool waiting for work (spinning or parking)", "LowLevelLifoSemaphore"), ("thread pool", "System.Threading"),
    ];

    private const string WriterMarker = "GroupCommitWriter.Run";

    public static string Render(IEnumerable<string> files)
    {
        var text = new StringBuilder();
        foreach (var file in files)
        {
            var profile = Read(file);
            text.AppendLine(CultureInfo.InvariantCulture, $"### {Path.GetFileName(file)}").AppendLine();
            text.AppendLine(CultureInfo.InvariantCulture, $"{profile.Threads} threads sampled for {profile.WallMs / 1000:0.0} s: {profile.BusyMs / 1000:0.0} s busy, {profile.IdleMs / 1000:0.0} s idle. " +
                $"The writer thread was busy {profile.WriterBusyMs / Math.Max(1, profile.WriterMs):0 %} of the time.").AppendLine();
            text.AppendLine("| where | busy thread time | share | top frames |").AppendLine("|---|---:|---:|---|");
            foreach (var (category, ms) in profile.Busy.OrderByDescending(b => b.Value))
            {
                var top = string.Join("; ", profile.Frames[category].OrderByDescending(f => f.Value).Take(3).Select(f => Short(f.Key)));
                text.AppendLine(CultureInfo.InvariantCulture, $"| {category} | {ms / 1000:0.00} s | {ms / profile.BusyMs:0.0 %} | {top} |");
            }

            text.AppendLine().AppendLine("Inside the writer thread (busy time, by engine frame, inclusive):").AppendLine();
            text.AppendLine("| frame | busy | share of the writer's busy time |").AppendLine("|---|---:|---:|");
            foreach (var (frame, ms) in profile.Writer.OrderByDescending(w => w.Value).Take(12))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {Short(frame)} | {ms / 1000:0.00} s | {ms / Math.Max(1, profile.WriterBusyMs):0 %} |");
            }

            text.AppendLine();
        }

        return text.ToString();
    }

    private sealed record Profile(
        int Threads, double WallMs, double BusyMs, double IdleMs, double WriterMs, double WriterBusyMs,
        Dictionary<string, double> Busy, Dictionary<string, Dictionary<string, double>> Frames, Dictionary<string, double> Writer);

    private static Profile Read(string file)
    {
        using var stream = File.OpenRead(file);
        using var document = JsonDocument.Parse(stream);
        var frames = document.RootElement.GetProperty("shared").GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("name").GetString() ?? "?").ToArray();
        var busy = new Dictionary<string, double>();
        var byFrame = new Dictionary<string, Dictionary<string, double>>();
        var writer = new Dictionary<string, double>();
        double busyMs = 0, idleMs = 0, wallMs = 0, writerMs = 0, writerBusyMs = 0;
        var threads = 0;
        foreach (var thread in document.RootElement.GetProperty("profiles").EnumerateArray())
        {
            threads++;
            var stack = new List<int>();
            double? last = null;
            var isWriter = false;
            foreach (var sample in thread.GetProperty("events").EnumerateArray())
            {
                var at = sample.GetProperty("at").GetDouble();
                if (last is { } previous && stack.Count >= 2)
                {
                    var ms = at - previous;
                    var names = stack.Select(i => frames[i]).ToList();
                    isWriter |= names.Exists(n => n.Contains(WriterMarker, StringComparison.Ordinal));
                    var managed = names.Take(names.Count - 1).Where(n => n != "?!?").ToList();
                    // The finalizer thread waits for work inside GC.RunFinalizers with no frame below it; a finalizer that runs shows its own.
                    var idle = (names[^1] == "UNMANAGED_CODE_TIME" && managed.Count > 0 && Waits.Any(w => managed[^1].Contains(w, StringComparison.Ordinal)))
                        || (managed.Count > 0 && managed[^1].EndsWith("GC.RunFinalizers()", StringComparison.Ordinal));
                    if (idle)
                    {
                        idleMs += ms;
                    }
                    else
                    {
                        busyMs += ms;
                        var (category, frame) = Categorize(managed);
                        Add(busy, category, ms);
                        Add(byFrame.TryGetValue(category, out var top) ? top : byFrame[category] = [], frame, ms);
                        if (names.Exists(n => n.Contains(WriterMarker, StringComparison.Ordinal)))
                        {
                            writerBusyMs += ms;
                            foreach (var engine in managed.Where(n => n.StartsWith("TicketBooking.Core!", StringComparison.Ordinal) && !n.Contains(WriterMarker, StringComparison.Ordinal)).Distinct())
                            {
                                Add(writer, engine, ms);
                            }
                        }
                    }
                }

                last = at;
                if (sample.GetProperty("type").GetString() == "O")
                {
                    stack.Add(sample.GetProperty("frame").GetInt32());
                }
                else if (stack.Count > 0)
                {
                    stack.RemoveAt(stack.Count - 1);
                }
            }

            var length = thread.GetProperty("endValue").GetDouble() - thread.GetProperty("startValue").GetDouble();
            wallMs = Math.Max(wallMs, length);
            if (isWriter)
            {
                writerMs = length;
            }
        }

        return new Profile(threads, wallMs, busyMs, idleMs, writerMs, writerBusyMs, busy, byFrame, writer);
    }

    private static (string Category, string Frame) Categorize(List<string> managed)
    {
        for (var i = managed.Count - 1; i >= 0; i--)
        {
            foreach (var (category, marker) in Categories)
            {
                if (managed[i].Contains(marker, StringComparison.Ordinal))
                {
                    return (category, managed[i]);
                }
            }
        }

        return ("other", managed.Count > 0 ? managed[^1] : "?");
    }

    private static void Add(Dictionary<string, double> totals, string key, double ms) => totals[key] = totals.GetValueOrDefault(key) + ms;

    /// <summary><c>Module!Namespace.Type.Method(args)</c> → <c>Type.Method</c>.</summary>
    private static string Short(string frame)
    {
        var name = frame[(frame.IndexOf('!', StringComparison.Ordinal) + 1)..];
        var open = name.IndexOf('(', StringComparison.Ordinal);
        name = open > 0 ? name[..open] : name;
        var parts = name.Split('.');
        return (parts.Length >= 2 ? $"{parts[^2]}.{parts[^1]}" : name).Replace("|", "\\|", StringComparison.Ordinal);
    }
}
