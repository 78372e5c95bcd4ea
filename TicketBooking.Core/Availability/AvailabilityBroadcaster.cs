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
    private readonly Dictionary<Guid, Audience> _byConcert = [];
    private readonly Audience _everyConcert = new();

    /// <summary>Raised after a subscription opens or closes (for counters and for tests waiting on a disconnect).</summary>
    public event EventHandler? SubscribersChanged;

    /// <summary>How many subscriptions are open, over all concerts.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _everyConcert.Count + _byConcert.Values.Sum(a => a.Count);
            }
        }
    }

    public int SubscriberCountFor(Guid concertId)
    {
        lock (_gate)
        {
            return _byConcert.TryGetValue(concertId, out var audience) ? audience.Count : 0;
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

    /// <summary>The concerts this process has a snapshot of (to read afresh after missing other instances' changes).</summary>
    public IReadOnlyList<Guid> KnownConcerts()
    {
        lock (_gate)
        {
            return [.. _latest.Keys];
        }
    }

    /// <summary>Offers a snapshot to every subscriber of its concert. A snapshot older than one already published is dropped.</summary>
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
            concertSubscribers = _byConcert.GetValueOrDefault(snapshot.ConcertId)?.Members ?? [];
            everyConcertSubscribers = _everyConcert.Members;
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
            if (!_byConcert.TryGetValue(concertId, out var audience))
            {
                _byConcert[concertId] = audience = new Audience();
            }

            audience.Add(subscription);
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
            _everyConcert.Add(subscription);
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
                _everyConcert.Remove(subscription);
            }
            else if (_byConcert.TryGetValue(concertId, out var audience) && audience.Remove(subscription) && audience.Count == 0)
            {
                _byConcert.Remove(concertId);
            }
        }

        SubscribersChanged?.Invoke(this, EventArgs.Empty);
    }

    internal void SubscriberFailed(Exception exception, Guid? concertId) => LogSubscriberFailed(exception, concertId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An availability subscriber for concert {ConcertId} threw; it stays subscribed")]
    private partial void LogSubscriberFailed(Exception exception, Guid? concertId);

    /// <summary>
    /// The subscribers of one concert (or of every concert), used under the broadcaster's lock. A set, so joining and
    /// leaving cost the same with 10,000 viewers as with ten (10,000 viewers leaving at once copied an array 10,000 times
    /// under the lock); <see cref="Members"/> is the array <see cref="Publish"/> walks outside the lock, built again only
    /// when someone joined or left since the last publish.
    /// </summary>
    private sealed class Audience
    {
        private readonly HashSet<AvailabilitySubscription> _members = [];
        private AvailabilitySubscription[]? _array;

        public int Count => _members.Count;

        public AvailabilitySubscription[] Members => _array ??= [.. _members];

        public void Add(AvailabilitySubscription subscription)
        {
            _members.Add(subscription);
            _array = null;
        }

        public bool Remove(AvailabilitySubscription subscription)
        {
            if (!_members.Remove(subscription))
            {
                return false;
            }

            _array = null;
            return true;
        }
    }
}
