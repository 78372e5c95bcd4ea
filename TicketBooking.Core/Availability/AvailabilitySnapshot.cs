namespace TicketBooking.Core.Availability;

/// <summary>
/// What one tier has left at one instant. <see cref="Held"/> counts buyers' holds that have not expired (waiting-list
/// offers among them); <see cref="SetAside"/> the returned tickets kept for the waiting line; <see cref="Waiting"/> the
/// people in that line and <see cref="WaitingTickets"/> the tickets they want.
/// </summary>
public sealed record TierAvailability(string Code, int Capacity, int Sold, int Held, bool Reserved = false, int SetAside = 0, int Waiting = 0, int WaitingTickets = 0)
{
    public int Available => Inventory.Stock.Available(Capacity, Sold, Held, SetAside);
}

/// <summary>
/// A concert's availability at one instant. <see cref="Version"/> grows with every committed change to the
/// concert's inventory, so a client can drop a snapshot older than one it has already shown. A snapshot published
/// by a write carries <see cref="SeatChanges"/>: the seats that write changed (empty for a concert without seats); a
/// viewer that missed a version cannot rebuild from them and reads the seats changed since the last it saw.
/// </summary>
public sealed record AvailabilitySnapshot(Guid ConcertId, long Version, DateTimeOffset TakenAt, IReadOnlyList<TierAvailability> Tiers, IReadOnlyList<Seating.SeatChange>? SeatChanges = null)
{
    public int Available => Tiers.Sum(t => t.Available);

    public int Capacity => Tiers.Sum(t => t.Capacity);

    public TierAvailability? Tier(string code) => Tiers.FirstOrDefault(t => t.Code == code);
}
