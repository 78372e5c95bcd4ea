using System.Collections.Concurrent;

namespace TicketBooking.Web.Limits;

/// <summary>
/// So many actions per key per period, refilled smoothly: a token bucket of <c>permits</c> tokens with one token back
/// every <c>period / permits</c>, kept as one instant per key (the generic cell rate algorithm: the time at which the
/// bucket would be full again). Time comes from the injected <see cref="TimeProvider"/>. Keys whose bucket is full again
/// are swept out every few thousand takes, so memory follows the clients that are active now.
/// </summary>
/// <remarks>
/// System.Threading.RateLimiting's partitioned token bucket was tried first: its buckets were refilled by the
/// partitioned limiter's 100 ms heartbeat far faster than their replenishment period, and it cannot run on a
/// <see cref="TimeProvider"/>, so tests could not move its clock.
/// </remarks>
internal sealed class Budget(string name, int permits, TimeSpan period, TimeProvider time)
{
    private readonly long _interval = (period / permits).Ticks;
    private readonly long _period = period.Ticks;
    private readonly ConcurrentDictionary<string, long> _fullAt = new(StringComparer.Ordinal);
    private int _sinceSweep;

    public string Name { get; } = name;

    /// <summary>Takes one token; false, with how long until one is back, when the bucket is empty.</summary>
    public bool TryTake(string key, out TimeSpan retryAfter)
    {
        var now = time.GetUtcNow().UtcTicks;
        Sweep(now);
        while (true)
        {
            var known = _fullAt.TryGetValue(key, out var fullAt);
            var next = Math.Max(known ? fullAt : now, now) + _interval;
            if (next - now > _period)
            {
                retryAfter = TimeSpan.FromTicks(next - now - _period);
                return false;
            }

            if (known ? _fullAt.TryUpdate(key, next, fullAt) : _fullAt.TryAdd(key, next))
            {
                retryAfter = TimeSpan.Zero;
                return true;
            }
        }
    }

    /// <summary>Gives back a token taken for an attempt that, in the end, does not count.</summary>
    public void GiveBack(string key)
    {
        while (_fullAt.TryGetValue(key, out var fullAt) && !_fullAt.TryUpdate(key, fullAt - _interval, fullAt))
        {
        }
    }

    private void Sweep(long now)
    {
        if (Interlocked.Increment(ref _sinceSweep) < 4_096)
        {
            return;
        }

        Interlocked.Exchange(ref _sinceSweep, 0);
        foreach (var entry in _fullAt)
        {
            if (entry.Value <= now)
            {
                _fullAt.TryRemove(entry);
            }
        }
    }
}

/// <summary>
/// Long-lived connections of one kind (event streams, circuits): at most so many per address and so many in all.
/// Each open connection holds a lease; disposing it gives the place back.
/// </summary>
internal sealed class ConnectionBudget(string name, int perAddress, int total)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, int> _byAddress = new(StringComparer.Ordinal);
    private int _open;

    public string Name { get; } = name;

    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>A lease, or null with <paramref name="serverFull"/> telling whether the server-wide cap or the address's was reached.</summary>
    public IDisposable? TryOpen(string address, bool limitAddress, out bool serverFull)
    {
        lock (_gate)
        {
            serverFull = _open >= total;
            var mine = _byAddress.GetValueOrDefault(address);
            if (serverFull || (limitAddress && mine >= perAddress))
            {
                return null;
            }

            _byAddress[address] = mine + 1;
            _open++;
        }

        return new Lease(this, address);
    }

    private void Close(string address)
    {
        lock (_gate)
        {
            var left = _byAddress[address] - 1;
            if (left == 0)
            {
                _byAddress.Remove(address);
            }
            else
            {
                _byAddress[address] = left;
            }

            _open--;
        }
    }

    private sealed class Lease(ConnectionBudget owner, string address) : IDisposable
    {
        private int _closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _closed, 1) == 0)
            {
                owner.Close(address);
            }
        }
    }
}
