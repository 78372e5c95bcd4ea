using System.Collections.Concurrent;

namespace TicketBooking.Web.Limits;

/// <summary>
/// So many actions per key per period, refilled smoothly: a token bucket of <c>permits</c> tokens with one token back
/// every <c>period / permits</c>, kept as one instant per key (the generic cell rate algorithm: the time at which the
/// bucket would be full again). Time comes from the injected <see cref="TimeProvider"/>; the instants live in a
/// <see cref="BudgetStore"/>: this process's memory, or the database that several instances share.
/// </summary>
/// <remarks>
/// System.Threading.RateLimiting's partitioned token bucket was tried first: its buckets were refilled by the
/// partitioned limiter's 100 ms heartbeat far faster than their replenishment period, and it cannot run on a
/// <see cref="TimeProvider"/>, so tests could not move its clock.
/// </remarks>
internal sealed class Budget(string name, int permits, TimeSpan period, TimeProvider time, BudgetStore store)
{
    private readonly BudgetStore.Rate _rate = new(name, (period / permits).Ticks, period.Ticks);

    public string Name => _rate.Name;

    /// <summary>Takes one token: null when taken, or how long until one is back when the bucket is empty.</summary>
    public ValueTask<TimeSpan?> TryTakeAsync(string key) => store.TryTakeAsync(_rate, key, time.GetUtcNow().UtcTicks);

    /// <summary>Gives back a token taken for an attempt that, in the end, does not count.</summary>
    public ValueTask GiveBackAsync(string key) => store.GiveBackAsync(_rate, key);
}

/// <summary>Where the budgets' "full again at" instants are kept.</summary>
public abstract class BudgetStore
{
    /// <summary>A budget's name, the ticks one token takes to come back, and the ticks a full bucket lasts.</summary>
    internal sealed record Rate(string Name, long Interval, long Period);

    /// <summary>
    /// Moves the key's instant on by one interval, unless it would then lie more than a period ahead of
    /// <paramref name="now"/>: null when the token was taken, else the wait until one is back.
    /// </summary>
    internal abstract ValueTask<TimeSpan?> TryTakeAsync(Rate rate, string key, long now);

    internal abstract ValueTask GiveBackAsync(Rate rate, string key);

    /// <summary>The wait before a bucket full again at <paramref name="fullAt"/> has a token, or null when it has one now.</summary>
    private protected static TimeSpan? Wait(Rate rate, long fullAt, long now)
    {
        var next = Math.Max(fullAt, now) + rate.Interval;
        return next - now > rate.Period ? TimeSpan.FromTicks(next - now - rate.Period) : null;
    }
}

/// <summary>
/// The budgets of one instance, in its memory: right when it is the only one (SQLite). Keys whose bucket is full again
/// are swept out every few thousand takes, so memory follows the clients that are active now.
/// </summary>
internal sealed class LocalBudgetStore : BudgetStore
{
    private readonly ConcurrentDictionary<(string Budget, string Key), long> _fullAt = new();
    private int _sinceSweep;

    internal override ValueTask<TimeSpan?> TryTakeAsync(Rate rate, string key, long now)
    {
        Sweep(now);
        while (true)
        {
            var known = _fullAt.TryGetValue((rate.Name, key), out var fullAt);
            if (Wait(rate, known ? fullAt : now, now) is { } wait)
            {
                return ValueTask.FromResult<TimeSpan?>(wait);
            }

            var next = Math.Max(known ? fullAt : now, now) + rate.Interval;
            if (known ? _fullAt.TryUpdate((rate.Name, key), next, fullAt) : _fullAt.TryAdd((rate.Name, key), next))
            {
                return ValueTask.FromResult<TimeSpan?>(null);
            }
        }
    }

    internal override ValueTask GiveBackAsync(Rate rate, string key)
    {
        while (_fullAt.TryGetValue((rate.Name, key), out var fullAt) && !_fullAt.TryUpdate((rate.Name, key), fullAt - rate.Interval, fullAt))
        {
        }

        return ValueTask.CompletedTask;
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
