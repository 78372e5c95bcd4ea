namespace TicketBooking.Core.OnSale;

/// <summary>The newest <see cref="RoomSnapshot"/> of each waiting room, pushed to the pages and streams watching it.</summary>
public sealed class WaitingRoomHub
{
    private readonly Lock _gate = new();
    private readonly Dictionary<Guid, RoomSnapshot> _latest = [];
    private readonly KeyedSubscribers<Guid, RoomSnapshot> _byConcert = new();

    public RoomSnapshot? Latest(Guid concertId)
    {
        lock (_gate)
        {
            return _latest.GetValueOrDefault(concertId);
        }
    }

    public IDisposable Subscribe(Guid concertId, Action<RoomSnapshot> onChange) => _byConcert.Subscribe(concertId, onChange);

    public int WatchersOf(Guid concertId) => _byConcert.CountFor(concertId);

    /// <summary>Publishes the snapshot when it differs from the last one of its room.</summary>
    internal bool Publish(RoomSnapshot snapshot)
    {
        lock (_gate)
        {
            if (snapshot.SameAs(_latest.GetValueOrDefault(snapshot.ConcertId)))
            {
                return false;
            }

            _latest[snapshot.ConcertId] = snapshot;
        }

        _byConcert.Publish(snapshot.ConcertId, snapshot);
        return true;
    }
}
