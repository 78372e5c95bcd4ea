using System.Diagnostics;

namespace TicketBooking.Bench;

internal enum Outcome
{
    /// <summary>The request did what it asked (201, 200, 204).</summary>
    Success,

    /// <summary>A correct refusal the scenario expects (409 "not enough tickets").</summary>
    Refused,

    /// <summary>Anything else: 5xx, an unexpected status, a transport failure.</summary>
    Error,
}

/// <summary>Latencies of one kind of request, in milliseconds.</summary>
internal sealed class Latencies
{
    private readonly Lock _gate = new();
    private readonly List<double> _milliseconds = [];

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _milliseconds.Count;
            }
        }
    }

    public void Add(long startTimestamp)
    {
        var elapsed = Stopwatch.GetElapsedTime(startTimestamp).TotalMilliseconds;
        lock (_gate)
        {
            _milliseconds.Add(elapsed);
        }
    }

    public void AddMilliseconds(double milliseconds)
    {
        lock (_gate)
        {
            _milliseconds.Add(milliseconds);
        }
    }

    public double Percentile(double p)
    {
        lock (_gate)
        {
            if (_milliseconds.Count == 0)
            {
                return double.NaN;
            }

            _milliseconds.Sort();
            var index = (int)Math.Ceiling(p / 100 * _milliseconds.Count) - 1;
            return _milliseconds[Math.Clamp(index, 0, _milliseconds.Count - 1)];
        }
    }

    public double Max => Percentile(100);
}

/// <summary>Counts of outcomes, safe to update from many workers.</summary>
internal sealed class Tally
{
    private long _success;
    private long _refused;
    private long _error;

    public long Success => Interlocked.Read(ref _success);

    public long Refused => Interlocked.Read(ref _refused);

    public long Errors => Interlocked.Read(ref _error);

    public long Total => Success + Refused + Errors;

    public void Add(Outcome outcome)
    {
        switch (outcome)
        {
            case Outcome.Success:
                Interlocked.Increment(ref _success);
                break;
            case Outcome.Refused:
                Interlocked.Increment(ref _refused);
                break;
            default:
                Interlocked.Increment(ref _error);
                break;
        }
    }
}

internal static class Load
{
    /// <summary>
    /// Runs <paramref name="clients"/> workers until <paramref name="maxIterations"/> iterations were started in total or
    /// <paramref name="duration"/> passed. Returns the wall time. Each worker runs its iterations one after another (closed loop).
    /// </summary>
    public static async Task<TimeSpan> RunAsync(int clients, long maxIterations, TimeSpan duration, Func<int, long, Task> iteration)
    {
        await LoadStart.FireAsync();
        long next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, clients).Select(worker => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                var i = Interlocked.Increment(ref next);
                if (i >= maxIterations)
                {
                    return;
                }

                await iteration(worker, i);
            }
        }));
        await Task.WhenAll(workers);
        return clock.Elapsed;
    }
}

/// <summary>
/// What to do once, when a scenario's load begins (after its setup: concerts created, buyers minted): <c>--trace</c> starts
/// its profile here, so the profile shows the load and not the setup.
/// </summary>
internal static class LoadStart
{
    private static Func<Task>? _once;

    public static void Arm(Func<Task>? action) => _once = action;

    public static Task FireAsync() => Interlocked.Exchange(ref _once, null)?.Invoke() ?? Task.CompletedTask;

    /// <summary>Takes the armed action back, for a scenario whose setup runs load of its own (opening circuits).</summary>
    public static Func<Task>? Disarm() => Interlocked.Exchange(ref _once, null);
}
