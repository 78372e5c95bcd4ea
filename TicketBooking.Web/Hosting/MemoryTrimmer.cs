using System.Runtime;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Gives memory back to the operating system after a crowd leaves. Circuits (~300 KB each) and event streams live on the
/// GC heap; when thousands close, an idle server runs no full collection and keeps the memory committed (measured: 2,000
/// circuits took RSS from 200 to 780 MB and it stayed at 809 MB after they were gone). Every <see cref="CheckInterval"/>,
/// when the live circuits and streams have fallen to half their peak or less, by at least <see cref="MinimumDrop"/>, and
/// have stayed there since the last check (disconnected circuits are dropped in waves), one aggressive, compacting collection runs (<see cref="GCCollectionMode.Aggressive"/> exists for this: it decommits
/// what the heap no longer needs). At most once per <see cref="MinimumSpacing"/>; it never runs during steady traffic.
/// </summary>
internal sealed partial class MemoryTrimmer(CircuitSlots circuits, FairUse fairUse, TimeProvider time, ILogger<MemoryTrimmer> logger) : BackgroundService
{
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan MinimumSpacing = TimeSpan.FromMinutes(5);
    public const int MinimumDrop = 500;

    private int _peak;
    private int _previous;
    private DateTimeOffset _lastTrim = DateTimeOffset.MinValue;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(CheckInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>True when it trimmed.</summary>
    internal bool Check()
    {
        var live = circuits.Taken + fairUse.OpenEventStreams;
        var settled = live == _previous;
        (_peak, _previous) = (Math.Max(_peak, live), live);
        var now = time.GetUtcNow();
        if (!settled || _peak - live < MinimumDrop || live > _peak / 2 || now - _lastTrim < MinimumSpacing)
        {
            return false;
        }

        var before = GC.GetTotalMemory(forceFullCollection: false);
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: false);
        LogTrimmed(_peak, live, before / (1024 * 1024), after / (1024 * 1024));
        (_peak, _lastTrim) = (live, now);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Live circuits and streams fell from {Peak} to {Live}: gave memory back (managed heap {BeforeMb} MB -> {AfterMb} MB)")]
    private partial void LogTrimmed(int peak, int live, long beforeMb, long afterMb);
}
