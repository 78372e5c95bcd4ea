namespace TicketBooking.Core.Seating;

/// <summary>
/// One viewer's copy of a seat map, kept current from deltas: a published snapshot's <see cref="SeatChange"/>s when it
/// is the very next version, otherwise the seats changed since the copy's version (read with <c>since</c>). Not thread
/// safe: one page owns it and changes it on its renderer.
/// </summary>
public sealed class LiveSeatMap
{
    private readonly Dictionary<string, SeatState> _seats;
    private readonly BuyerId? _viewer;

    public LiveSeatMap(SeatMap map, BuyerId? viewer)
    {
        ArgumentNullException.ThrowIfNull(map);
        _viewer = viewer;
        _seats = map.Seats.ToDictionary(s => s.Label, StringComparer.Ordinal);
        Seats = map.Seats;
        Version = map.Version;
    }

    /// <summary>The seats in map order (tier, section, row, number), as of <see cref="Version"/>.</summary>
    public IReadOnlyList<SeatState> Seats { get; private set; }

    public long Version { get; private set; }

    /// <summary>A change named a seat this copy does not have (the organizer changed the layout): read the whole map again.</summary>
    public bool Stale { get; private set; }

    public SeatState? this[string label] => _seats.GetValueOrDefault(label);

    /// <summary>
    /// Applies the seat changes a write published. Returns the seats whose status changed, or <c>null</c> when the
    /// snapshot is not the next version (a viewer skipped some under load): read <c>since</c> <see cref="Version"/> and
    /// <see cref="Apply(SeatMap)"/> that. An older or repeated snapshot changes nothing.
    /// </summary>
    public IReadOnlyList<SeatState>? Apply(Availability.AvailabilitySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.Version <= Version)
        {
            return [];
        }

        if (snapshot.Version != Version + 1 || snapshot.SeatChanges is not { } changes)
        {
            return null;
        }

        Version = snapshot.Version;
        return Update(changes.Select(c => (c.Label, c.For(_viewer))));
    }

    /// <summary>Applies a map read with <c>since</c> (or a whole map). Returns the seats whose status changed.</summary>
    public IReadOnlyList<SeatState> Apply(SeatMap delta)
    {
        ArgumentNullException.ThrowIfNull(delta);
        if (delta.Version <= Version)
        {
            return [];
        }

        Version = delta.Version;
        return Update(delta.Seats.Select(s => (s.Label, s.Status)));
    }

    private List<SeatState> Update(IEnumerable<(string Label, SeatStatus Status)> changes)
    {
        var changed = new List<SeatState>();
        foreach (var (label, status) in changes)
        {
            if (!_seats.TryGetValue(label, out var seat))
            {
                Stale = true;
            }
            else if (seat.Status != status)
            {
                _seats[label] = seat with { Status = status };
                changed.Add(_seats[label]);
            }
        }

        if (changed.Count > 0)
        {
            Seats = [.. Seats.Select(s => _seats[s.Label])];
        }

        return changed;
    }
}
