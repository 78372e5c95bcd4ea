using System.Globalization;

namespace TicketBooking.Core.Holds;

/// <summary>
/// One line of a hold request: this many tickets of the tier with this code. On a reserved tier the line names its
/// <see cref="Seats"/> by label (then <see cref="Quantity"/> is their count), or leaves them out for the best available
/// (accessible seats only when <see cref="Accessible"/> asks for them).
/// </summary>
public sealed record HoldItem(string Tier, int Quantity, IReadOnlyList<string>? Seats = null, bool Accessible = false);

/// <summary>A buyer's checkout for one concert: all items are held together or none is.</summary>
/// <remarks>While the concert's waiting room is open the request carries the buyer's <see cref="Admission"/> (docs/architecture.md, "The on-sale and its waiting room").</remarks>
public sealed record HoldRequest(Guid ConcertId, IReadOnlyList<HoldItem> Items, string? Admission = null);

/// <summary>A held line. On a reserved tier <see cref="Seats"/> are its seat labels and <see cref="Together"/> says whether they sit side by side.</summary>
public sealed record HeldItem(string Tier, string TierName, int Quantity, long UnitPriceCents, IReadOnlyList<string>? Seats = null, bool Together = true)
{
    public long TotalCents => Quantity * UnitPriceCents;
}

/// <summary>
/// The tickets a buyer holds for one concert while checking out. A new <see cref="HoldId"/> is given
/// every time the checkout is created or its quantities replaced; a checkout becomes at most one booking.
/// </summary>
public sealed record Hold(Guid HoldId, Guid ConcertId, IReadOnlyList<HeldItem> Items, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt)
{
    public long TotalCents => Items.Sum(i => i.TotalCents);

    public int Quantity => Items.Sum(i => i.Quantity);
}

/// <summary>How many tickets of a tier were asked for and how many this buyer could have.</summary>
public sealed record TierShortfall(string Tier, int Requested, int Available);

/// <summary>
/// What became of a hold request. Every refusal says what to tell the buyer — a short <see cref="Title"/> and a
/// <see cref="Message"/> — so the API and the pages word it the same; they only choose how to show it.
/// </summary>
public abstract record HoldResult
{
    private HoldResult()
    {
    }

    /// <summary>A few words for a heading or a problem's title; empty for <see cref="Held"/>.</summary>
    public virtual string Title => "";

    /// <summary>What happened and what the buyer can do, in a sentence or two; empty for <see cref="Held"/>.</summary>
    public virtual string Message => "";

    public sealed record Held(Hold Hold) : HoldResult;

    /// <summary>At least one tier has fewer tickets than asked for; nothing was held.</summary>
    public sealed record NotEnoughTickets(IReadOnlyList<TierShortfall> Tiers) : HoldResult
    {
        public override string Title => "Not enough tickets.";

        public override string Message => string.Join(" ", Tiers.Select(t => string.Create(CultureInfo.InvariantCulture,
            $"{t.Tier}: {t.Requested} requested, {(t.Available == 0 ? "none" : t.Available.ToString(CultureInfo.InvariantCulture))} available.")));
    }

    /// <summary>The request asks for more than one order may hold (<see cref="Limits.TicketLimits.CheckOrder"/>).</summary>
    public sealed record LimitExceeded(string Reason) : HoldResult
    {
        public override string Title => "Too many tickets for one order.";

        public override string Message => Reason;
    }

    /// <summary>With what this buyer already bought, the request passes the per-buyer maximum for a tier; nothing was held.</summary>
    public sealed record BuyerLimitReached(string Tier, int Max, int AlreadyBought) : HoldResult
    {
        public override string Title => "Ticket limit reached.";

        public override string Message => AlreadyBought == 0
            ? $"At most {Max} {Tier} tickets per buyer."
            : $"You already have {AlreadyBought} {Tier} tickets; at most {Max} per buyer, so you can add {Math.Max(0, Max - AlreadyBought)} more.";
    }

    /// <summary>Checkouts from the caller's network already hold as many tickets as one address may; nothing was held.</summary>
    public sealed record AddressLimitReached(int Max, TimeSpan RetryAfter) : HoldResult
    {
        public override string Title => "Too many tickets held from your network.";

        public override string Message => $"Checkouts from one network may hold at most {Max} tickets of this concert at once, and this one would pass that. Try fewer tickets, or again when some are paid or released.";
    }

    /// <summary>The request is malformed (missing items, a quantity below one, a tier named twice…).</summary>
    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : HoldResult
    {
        public override string Title => "The request is not valid.";

        public override string Message => string.Join(" ", Errors.Values.SelectMany(m => m));
    }

    /// <summary>Named seats are held or sold by someone else, or not for sale; nothing was held.</summary>
    public sealed record SeatsTaken(IReadOnlyList<string> Seats) : HoldResult
    {
        public override string Title => "Seats taken.";

        public override string Message => Seats.Count == 1
            ? $"{Seating.SeatNames.DescribeAll(Seats)} ({Seats[0]}) was taken a moment ago. Pick another seat; nothing was held."
            : $"{Seating.SeatNames.DescribeAll(Seats)} ({string.Join(", ", Seats)}) were taken a moment ago. Pick other seats; nothing was held.";
    }

    /// <summary>The pick would leave single empty seats that nobody could buy with a neighbour (<c>Seating:PreventOrphans</c>).</summary>
    public sealed record OrphanSeats(IReadOnlyList<string> Seats) : HoldResult
    {
        public override string Title => "That would leave a seat on its own.";

        public override string Message => Seats.Count == 1
            ? $"Your seats would leave {Seating.SeatNames.DescribeAll(Seats)} ({Seats[0]}) empty on its own, which nobody could buy. Include it, or move your seats along the row."
            : $"Your seats would leave {Seating.SeatNames.DescribeAll(Seats)} ({string.Join(", ", Seats)}) empty on their own, which nobody could buy. Include them, or move your seats along the row.";
    }

    public sealed record ConcertNotFound : HoldResult
    {
        public override string Title => "Concert not found.";

        public override string Message => "There is no such concert.";
    }

    public sealed record UnknownTiers(IReadOnlyList<string> Tiers) : HoldResult
    {
        public override string Title => "Unknown tier.";

        public override string Message => $"This concert has no tier {string.Join(", ", Tiers)}.";
    }

    /// <summary>The concert has started; tickets are no longer sold.</summary>
    public sealed record SalesClosed : HoldResult
    {
        public override string Title => "Sales have closed.";

        public override string Message => "This concert has started; tickets are no longer sold.";
    }

    /// <summary>Tickets go on sale at <see cref="OnSaleAt"/> (<see cref="TimeZone"/>: the venue's); until then nobody can hold.</summary>
    public sealed record NotOnSaleYet(DateTimeOffset OnSaleAt, string TimeZone) : HoldResult
    {
        public override string Title => "Not on sale yet.";

        public override string Message => $"Tickets go on sale {Concerts.VenueTime.Describe(OnSaleAt, TimeZone)} (venue time); nothing was held. Get in line in the waiting room before then: everyone in it is given a random place at the sale.";
    }

    /// <summary>The concert's waiting room is open and the request had no admission that is still good; nothing was held.</summary>
    public sealed record AdmissionRequired(OnSale.AdmissionCheck Reason) : HoldResult
    {
        public override string Title => "Waiting room";

        public override string Message => OnSale.AdmissionChecks.Explain(Reason);
    }
}

public abstract record HeartbeatResult
{
    private HeartbeatResult()
    {
    }

    public sealed record Active(DateTimeOffset ExpiresAt) : HeartbeatResult;

    /// <summary>The buyer holds nothing for this concert that has not expired.</summary>
    public sealed record NoActiveHold : HeartbeatResult;
}

/// <summary>What one sweep removed.</summary>
public sealed record SweepResult(int HoldsRemoved, int TicketsReleased, IReadOnlyList<Guid> Concerts);
