namespace TicketBooking.Core.Concerts;

/// <summary>
/// A ticket tier with its live counts. <see cref="Held"/> counts only holds that have not expired. A
/// <see cref="Reserved"/> tier is a set of seats (docs/architecture.md, "Reserved seating") and its counts are those of its seats. While people wait
/// for it (<see cref="Waiting"/>, wanting <see cref="WaitingTickets"/>), returned tickets none of them can use yet are
/// <see cref="SetAside"/> for them, not for sale (docs/architecture.md, "The waiting list").
/// </summary>
public sealed record Tier(string Code, string Name, long PriceCents, int Capacity, int Sold, int Held, bool Reserved = false, int SetAside = 0, int Waiting = 0, int WaitingTickets = 0)
{
    public const string Currency = "USD";

    public int Available => Inventory.Stock.Available(Capacity, Sold, Held, SetAside);
}

public sealed record Concert(
    Guid Id,
    string Name,
    string Artist,
    string Venue,
    string City,
    string TimeZone,
    DateTimeOffset StartsAt,
    string Description,
    long Version,
    IReadOnlyList<Tier> Tiers,
    DateTimeOffset? OnSaleAt = null)
{
    /// <summary>Whether tickets are on sale at <paramref name="now"/> (docs/architecture.md, "The on-sale and its waiting room": before <see cref="OnSaleAt"/> nobody can hold).</summary>
    public bool IsOnSale(DateTimeOffset now) => OnSaleAt is not { } sale || sale <= now;

    public long LowestPriceCents => Tiers.Count == 0 ? 0 : Tiers.Min(t => t.PriceCents);

    public int Capacity => Tiers.Sum(t => t.Capacity);

    public int Available => Tiers.Sum(t => t.Available);

    public Tier? Tier(string code) => Tiers.FirstOrDefault(t => t.Code.Equals(code, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// This concert with the counts of a newer availability snapshot; itself when the snapshot is not newer.
    /// Tiers the snapshot does not know keep their counts (a page re-reads the concert when tiers are added).
    /// </summary>
    public Concert WithAvailability(Availability.AvailabilitySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return snapshot.Version <= Version ? this : this with
        {
            Version = snapshot.Version,
            Tiers = [.. Tiers.Select(t => snapshot.Tier(t.Code) is { } live ? t with { Capacity = live.Capacity, Sold = live.Sold, Held = live.Held, SetAside = live.SetAside, Waiting = live.Waiting, WaitingTickets = live.WaitingTickets } : t)],
        };
    }
}

/// <summary>What an organizer submits for a new tier.</summary>
public sealed record TierDraft(string Code, string Name, long PriceCents, int Capacity);

/// <summary>What an organizer submits for a new concert. <see cref="StartsAt"/> is an instant; <see cref="TimeZone"/> is the venue's IANA zone.</summary>
public sealed record ConcertDraft(
    string Name,
    string Artist,
    string Venue,
    string City,
    string TimeZone,
    DateTimeOffset StartsAt,
    string? Description,
    IReadOnlyList<TierDraft> Tiers,
    DateTimeOffset? OnSaleAt = null);

/// <summary>One tier's sales for the organizer's dashboard; <see cref="SetAside"/> is kept for the waiting line.</summary>
public sealed record TierSales(string Code, string Name, long PriceCents, int Capacity, int Sold, int Held, long RevenueCents, int SetAside = 0)
{
    public int Available => Inventory.Stock.Available(Capacity, Sold, Held, SetAside);
}

public sealed record SalesReport(Guid ConcertId, string Name, long Version, DateTimeOffset TakenAt, IReadOnlyList<TierSales> Tiers)
{
    public long RevenueCents => Tiers.Sum(t => t.RevenueCents);

    public int Sold => Tiers.Sum(t => t.Sold);
}

/// <summary>Tickets sold and revenue taken in the slice of time that starts at <see cref="From"/>.</summary>
public sealed record SalesSlice(DateTimeOffset From, int Tickets, long RevenueCents);
