namespace TicketBooking.Core;

/// <summary>
/// Callbacks kept by key (a buyer, a concert) and called on the thread pool for every value published under their key.
/// A slow or failing subscriber never holds up the publisher (the writer) or the other subscribers; subscribers hand the
/// value to their own dispatcher (a circuit's <c>InvokeAsync</c>, a stream's channel) and return at once.
/// </summary>
public sealed class KeyedSubscribers<TKey, T>
    where TKey : notnull
{
    private readonly Lock _gate = new();
    private readonly Dictionary<TKey, Action<T>[]> _byKey = [];

    /// <summary>Calls <paramref name="callback"/> for every value published under <paramref name="key"/> until the result is disposed.</summary>
    public IDisposable Subscribe(TKey key, Action<T> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        lock (_gate)
        {
            _byKey[key] = [.. _byKey.GetValueOrDefault(key) ?? [], callback];
        }

        return new Subscription(this, key, callback);
    }

    public int CountFor(TKey key)
    {
        lock (_gate)
        {
            return _byKey.GetValueOrDefault(key)?.Length ?? 0;
        }
    }

    public void Publish(TKey key, T value)
    {
        Action<T>[]? subscribers;
        lock (_gate)
        {
            subscribers = _byKey.GetValueOrDefault(key);
        }

        foreach (var subscriber in subscribers ?? [])
        {
            ThreadPool.UnsafeQueueUserWorkItem(s => s(value), subscriber, preferLocal: false);
        }
    }

    private void Unsubscribe(TKey key, Action<T> callback)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var subscribers))
            {
                var rest = subscribers.Where(s => s != callback).ToArray();
                if (rest.Length == 0)
                {
                    _byKey.Remove(key);
                }
                else
                {
                    _byKey[key] = rest;
                }
            }
        }
    }

    private sealed class Subscription(KeyedSubscribers<TKey, T> owner, TKey key, Action<T> callback) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Unsubscribe(key, callback);
            }
        }
    }
}
