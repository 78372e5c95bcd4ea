using TicketBooking.Core.Seating;

namespace TicketBooking.Web.Components.Pages.Concerts;

/// <summary>
/// The seats a buyer has picked on a concert's live map, per reserved tier, before they are held at checkout. Picks
/// are checked against the map as it is now; seats someone else takes in the meantime drop out
/// (<see cref="DropTaken"/>). Owned by one page, changed on its renderer.
/// </summary>
public sealed class SeatPicks(LiveSeatMap map)
{
    private readonly Dictionary<string, List<string>> _byTier = new(StringComparer.OrdinalIgnoreCase);
    private HashSet<string> _all = new(StringComparer.Ordinal);

    public LiveSeatMap Map { get; private set; } = map;

    /// <summary>Every picked label, for the map to draw.</summary>
    public IReadOnlySet<string> All => _all;

    public int Count => _all.Count;

    public int CountFor(string tier) => _byTier.GetValueOrDefault(tier)?.Count ?? 0;

    /// <summary>A tier's picks in seat order.</summary>
    public IReadOnlyList<string> For(string tier) => _byTier.GetValueOrDefault(tier) ?? [];

    public IEnumerable<string> Tiers => _byTier.Where(t => t.Value.Count > 0).Select(t => t.Key);

    /// <summary>Starts from the seats the buyer already holds (coming back from checkout).</summary>
    public void PickHeld()
    {
        foreach (var seat in Map.Seats.Where(s => s.Status == SeatStatus.Yours))
        {
            Add(seat);
        }
    }

    /// <summary>Picks or unpicks a seat; <paramref name="room"/> is how many more the buyer may pick in its tier.</summary>
    public bool Toggle(SeatState seat, int room)
    {
        ArgumentNullException.ThrowIfNull(seat);
        if (_all.Contains(seat.Label))
        {
            _byTier[seat.Tier].Remove(seat.Label);
            Rebuild();
            return true;
        }

        if (room <= 0 || Map[seat.Label]?.Status is not (SeatStatus.Available or SeatStatus.Yours))
        {
            return false;
        }

        Add(seat);
        return true;
    }

    /// <summary>
    /// Replaces a tier's picks with the best available <paramref name="quantity"/> seats (<see cref="BestAvailable"/>,
    /// the rule the server uses), counting the buyer's own picks and holds as free. <c>null</c> when fewer are free.
    /// </summary>
    public SeatChoice? PickBest(string tier, int quantity, bool accessible)
    {
        var mine = For(tier).ToHashSet(StringComparer.Ordinal);
        var spots = Map.Seats.Where(s => s.Tier.Equals(tier, StringComparison.OrdinalIgnoreCase)).Select(s => new SeatSpot(
            s.Label, s.Section, s.Row, s.Number, s.X, s.Y, s.Accessible,
            s.Status is SeatStatus.Available or SeatStatus.Yours || mine.Contains(s.Label)));
        var choice = BestAvailable.Choose(spots, quantity, BestAvailable.Stage, accessible)
            ?? (accessible ? null : BestAvailable.Choose(spots, quantity, BestAvailable.Stage, accessible: true));
        if (choice is not null)
        {
            _byTier[tier] = [.. choice.Labels];
            Rebuild();
        }

        return choice;
    }

    /// <summary>Unpicks seats that are no longer free for this buyer; returns them.</summary>
    public IReadOnlyList<string> DropTaken()
    {
        var gone = _all.Where(label => Map[label]?.Status is not (SeatStatus.Available or SeatStatus.Yours)).ToList();
        Drop(gone);
        return gone;
    }

    /// <summary>Unpicks the given seats (the server said they were taken).</summary>
    public void Drop(IReadOnlyCollection<string> labels)
    {
        if (labels.Count == 0)
        {
            return;
        }

        foreach (var picks in _byTier.Values)
        {
            picks.RemoveAll(labels.Contains);
        }

        Rebuild();
    }

    /// <summary>Reads a fresh copy of the map (the layout changed); picks that no longer exist or are not free drop out.</summary>
    public IReadOnlyList<string> Replace(LiveSeatMap map)
    {
        Map = map;
        var missing = _all.Where(label => map[label] is null).ToList();
        Drop(missing);
        return [.. missing, .. DropTaken()];
    }

    /// <summary>
    /// The seats the picks would leave alone in their rows (a lone free seat between taken ones), which the server
    /// refuses when <c>Seating:PreventOrphans</c> is on.
    /// </summary>
    public IReadOnlyList<string> Orphans()
    {
        if (_all.Count == 0)
        {
            return [];
        }

        var spots = Map.Seats.Select(s => new SeatSpot(s.Label, s.Section, s.Row, s.Number, s.X, s.Y, s.Accessible,
            s.Status == SeatStatus.Available || (s.Status == SeatStatus.Yours && !_all.Contains(s.Label)) || _all.Contains(s.Label)));
        return BestAvailable.OrphansCreatedBy(spots, _all);
    }

    private void Add(SeatState seat)
    {
        if (!_byTier.TryGetValue(seat.Tier, out var picks))
        {
            _byTier[seat.Tier] = picks = [];
        }

        picks.Add(seat.Label);
        Rebuild();
    }

    private void Rebuild()
    {
        var order = Map.Seats.Select((s, i) => (s.Label, i)).ToDictionary(x => x.Label, x => x.i, StringComparer.Ordinal);
        foreach (var picks in _byTier.Values)
        {
            picks.Sort((a, b) => order.GetValueOrDefault(a, int.MaxValue).CompareTo(order.GetValueOrDefault(b, int.MaxValue)));
        }

        _all = new HashSet<string>(_byTier.Values.SelectMany(p => p), StringComparer.Ordinal);
    }
}
