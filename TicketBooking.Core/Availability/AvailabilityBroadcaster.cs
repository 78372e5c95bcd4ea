using Microsoft.Extensions.Logging;

namespace TicketBooking.Core.Availability;

/// <summary>
/// Pushes availability snapshots to in-process subscribers (Blazor circuits, SSE streams, dashboards).
/// Each subscriber has a mailbox that keeps only the newest snapshot per concert, so a slow subscriber
/// sees the latest state rather than a backlog, and <see cref="Publish"/> never waits for anyone.
/// </summary>
public sealed partial class AvailabilityBroadcaster(ILogger<AvailabilityBroadcaster> logger)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, AvailabilitySnapshot> _latest = [];
    private readonly Dictionary<Guid, AvailabilitySubscription[]> _byConcert = [];
    private AvailabilitySubscription[] _everyConcert = [];

    /// <summary>Raised after a subscription opens or closes (for counters and for tests waiting on a disconnect).</summary>
    public event EventHandler? SubscribersChanged;

    /// <summary>How many subscriptions are open, over all concerts.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _everyConcert.Length + _byConcert.Values.Sum(s => s.Length);
            }
        }
    }

    public int SubscriberCountFor(Guid concertId)
    {
        lock (_gate)
        {
            return _byConcert.TryGetValue(concertId, out var subscribers) ? subscribers.Length : 0;
        }
    }

    /// <summary>The newest snapshot published for a concert, if any.</summary>
    public AvailabilitySnapshot? Latest(Guid concertId)
    {
        lock (_gate)
        {
            return _latest.GetValueOrDefault(concertId);
        }
    }

    /// <summary>Offers a snapshot to every subscriber of its concert. A snapshot older than one already published is dropped.</summary>
    /// <summary>The concerts this process has a snapshot of (to read afresh after missing other instances' changes).</summary>
    public IReadOnlyList<Guid> KnownConcerts()
    {
        lock (_gate)
        {
            return [.. _latest.Keys];
        }
    }

    public void Publish(AvailabilitySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        AvailabilitySubscription[] concertSubscribers;
        AvailabilitySubscription[] everyConcertSubscribers;
        lock (_gate)
        {
            if (_latest.TryGetValue(snapshot.ConcertId, out var current) && current.Version >= snapshot.Version)
            {
                return;
            }

            _latest[snapshot.ConcertId] = snapshot;
            concertSubscribers = _byConcert.GetValueOrDefault(snapshot.ConcertId) ?? [];
            everyConcertSubscribers = _everyConcert;
        }

        // Outside the lock: a mailbox offer is cheap and never blocks, but it is still a call out.
        foreach (var subscriber in concertSubscribers)
        {
            subscriber.Offer(snapshot);
        }

        foreach (var subscriber in everyConcertSubscribers)
        {
            subscriber.Offer(snapshot);
        }
    }

    /// <summary>A pull subscription to one concert: read it with <see cref="AvailabilitySubscription.ReadAllAsync"/>.</summary>
    public AvailabilitySubscription Subscribe(Guid concertId)
    {
        var subscription = new AvailabilitySubscription(this, concertId);
        lock (_gate)
        {
            _byConcert[concertId] = [.. _byConcert.GetValueOrDefault(concertId) ?? [], subscription];
        }

        SubscribersChanged?.Invoke(this, EventArgs.Empty);
        return subscription;
    }

    /// <summary>A pull subscription to every concert, including ones created later.</summary>
    public AvailabilitySubscription SubscribeToAll()
    {
        var subscription = new AvailabilitySubscription(this, concertId: null);
        lock (_gate)
        {
            _everyConcert = [.. _everyConcert, subscription];
        }

        SubscribersChanged?.Invoke(this, EventArgs.Empty);
        return subscription;
    }

    /// <summary>
    /// A push subscription: <paramref name="onSnapshot"/> runs for the newest snapshot each time one arrives,
    /// one call at a time, off the publisher's thread. Pass <c>null</c> for every concert.
    /// </summary>
    public AvailabilitySubscription Subscribe(Guid? concertId, Func<AvailabilitySnapshot, Task> onSnapshot)
    {
        ArgumentNullException.ThrowIfNull(onSnapshot);
        var subscription = concertId is { } id ? Subscribe(id) : SubscribeToAll();
        subscription.StartPump(onSnapshot, this);
        return subscription;
    }

    internal void Remove(AvailabilitySubscription subscription)
    {
        lock (_gate)
        {
            if (subscription.ConcertId is not { } concertId)
            {
                _everyConcert = [.. _everyConcert.Where(s => s != subscription)];
            }
            else if (_byConcert.TryGetValue(concertId, out var subscribers))
            {
                AvailabilitySubscription[] remaining = [.. subscribers.Where(s => s != subscription)];
                if (remaining.Length == 0)
                {
                    _byConcert.Remove(concertId);
                }
                else
                {
                    _byConcert[concertId] = remaining;
                }
            }
        }

        SubscribersChanged?.Invoke(this, EventArgs.Empty);
    }

    internal void SubscriberFailed(Exception exception, Guid? concertId) => LogSubscriberFailed(exception, concertId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An availability subscriber for concert {ConcertId} threw; it stays subscribed")]
    private partial void LogSubscriberFailed(Exception exception, Guid? concertId);
}
