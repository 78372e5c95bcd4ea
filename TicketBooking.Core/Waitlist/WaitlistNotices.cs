namespace TicketBooking.Core.Waitlist;

/// <summary>
/// Tells a buyer's open pages that their places in line changed — above all that an offer was made — right after the
/// transaction that changed them committed. A page subscribes for its own buyer; a slow or failing subscriber never
/// holds up the writer or other subscribers.
/// </summary>
public sealed class WaitlistNotices
{
    private readonly Lock _gate = new();
    private readonly Dictionary<BuyerId, Action<WaitlistNotice>[]> _byBuyer = [];

    /// <summary>Calls <paramref name="onOffer"/> for every change to <paramref name="buyer"/>'s places until the result is disposed.</summary>
    public IDisposable Subscribe(BuyerId buyer, Action<WaitlistNotice> onOffer)
    {
        ArgumentNullException.ThrowIfNull(onOffer);
        lock (_gate)
        {
            _byBuyer[buyer] = [.. _byBuyer.GetValueOrDefault(buyer) ?? [], onOffer];
        }

        return new Subscription(this, buyer, onOffer);
    }

    internal void Publish(WaitlistNotice notice)
    {
        Action<WaitlistNotice>[]? subscribers;
        lock (_gate)
        {
            subscribers = _byBuyer.GetValueOrDefault(notice.Buyer);
        }

        foreach (var subscriber in subscribers ?? [])
        {
            // Subscribers hand the notice to their own dispatcher (a circuit's InvokeAsync) and return at once.
            ThreadPool.UnsafeQueueUserWorkItem(s => s(notice), subscriber, preferLocal: false);
        }
    }

    private void Unsubscribe(BuyerId buyer, Action<WaitlistNotice> onOffer)
    {
        lock (_gate)
        {
            if (_byBuyer.TryGetValue(buyer, out var subscribers))
            {
                var rest = subscribers.Where(s => s != onOffer).ToArray();
                if (rest.Length == 0)
                {
                    _byBuyer.Remove(buyer);
                }
                else
                {
                    _byBuyer[buyer] = rest;
                }
            }
        }
    }

    private sealed class Subscription(WaitlistNotices notices, BuyerId buyer, Action<WaitlistNotice> onOffer) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                notices.Unsubscribe(buyer, onOffer);
            }
        }
    }
}
