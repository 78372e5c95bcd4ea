namespace TicketBooking.Bench;

/// <summary>
/// The app's resident memory, sampled every 250 ms while it lives: <see cref="Peak"/> is the largest sample, and with a
/// <c>gauge</c> (circuits open, say) <see cref="AtGaugeHigh"/> the memory when the gauge was highest.
/// </summary>
internal sealed class RssSampler : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;
    private readonly Lock _gate = new();
    private double? _peak;
    private (double Rss, long Gauge) _atGaugeHigh;
    private int? _openFiles;

    public RssSampler(AppUnderTest app, Func<long>? gauge = null) =>
        _sampling = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                if (app.OpenFiles() is { } files)
                {
                    lock (_gate)
                    {
                        _openFiles = Math.Max(_openFiles ?? 0, files);
                    }
                }

                if (app.ResidentMegabytes() is { } rss)
                {
                    var reading = gauge?.Invoke() ?? 0;
                    lock (_gate)
                    {
                        _peak = Math.Max(_peak ?? 0, rss);
                        if (reading >= _atGaugeHigh.Gauge)
                        {
                            _atGaugeHigh = (rss, reading);
                        }
                    }
                }

                try
                {
                    await Task.Delay(250, _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }
            }
        });

    public double? Peak
    {
        get
        {
            lock (_gate)
            {
                return _peak;
            }
        }
    }

    /// <summary>The most files (sockets included) the app had open at a sample (a cluster's busiest instance).</summary>
    public int? OpenFilesPeak
    {
        get
        {
            lock (_gate)
            {
                return _openFiles;
            }
        }
    }

    /// <summary>The memory at the (last) sample where the gauge read highest, and that reading.</summary>
    public (double Rss, long Gauge) AtGaugeHigh
    {
        get
        {
            lock (_gate)
            {
                return _atGaugeHigh;
            }
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _sampling.Wait();
        _stop.Dispose();
    }
}

/// <summary>A scenario's errors: all counted, the first 20 kept to print.</summary>
internal sealed class ErrorLog
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<string> _first = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public IEnumerable<string> First => _first;

    public void Add(string message)
    {
        if (Interlocked.Increment(ref _count) <= 20)
        {
            _first.Enqueue(message);
        }
    }
}
