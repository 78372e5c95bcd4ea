namespace TicketBooking.Core.Availability;

/// <summary>What one tier has left at one instant. <see cref="Held"/> counts only holds that have not expired.</summary>
public sealed record TierAvailability(string Code, int Capacity, int Sold, int Held, bool Reserved = false)
{
    public int Available => Capacity - Sold - Held;
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
