namespace TicketBooking.Core.Waitlist;

/// <summary>Where an entry stands (docs/architecture.md, "The waiting list").</summary>
public enum WaitlistStatus
{
    Waiting,
    Offered,
    Expired,
    Converted,
    Left,
}

/// <summary>
/// A buyer's place in a tier's waiting line. While <see cref="WaitlistStatus.Waiting"/>, <see cref="Position"/> is its
/// place (1 = next) and <see cref="SeatsAhead"/> the tickets wanted by the entries in front; while
/// <see cref="WaitlistStatus.Offered"/>, the buyer holds the seats until <see cref="OfferExpiresAt"/>.
/// </summary>
public sealed record WaitlistEntry(
    Guid Id,
    Guid ConcertId,
    string Tier,
    string TierName,
    int Quantity,
    string Email,
    WaitlistStatus Status,
    int? Position,
    int? SeatsAhead,
    DateTimeOffset JoinedAt,
    DateTimeOffset? OfferExpiresAt)
{
    public bool Active => Status is WaitlistStatus.Waiting or WaitlistStatus.Offered;
}

/// <summary>
/// What a buyer asks: to wait for this many tickets of a tier, told at this e-mail. While the concert's waiting room is
/// open the request carries the buyer's <see cref="Admission"/>, as a hold does (docs/architecture.md, "The on-sale and its waiting room").
/// </summary>
public sealed record JoinRequest(Guid ConcertId, string Tier, int Quantity, string Email, string? Admission = null);

/// <summary>What became of a request to join a waiting list; every refusal carries its <see cref="Title"/> and <see cref="Message"/>.</summary>
public abstract record JoinResult
{
    private JoinResult()
    {
    }

    /// <summary>A few words for a heading or a problem's title; empty for <see cref="Joined"/>.</summary>
    public virtual string Title => "";

    /// <summary>What happened and what the buyer can do; empty for <see cref="Joined"/>.</summary>
    public virtual string Message => "";

    public sealed record Joined(WaitlistEntry Entry) : JoinResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : JoinResult
    {
        public override string Title => "The request is not valid.";

        public override string Message => string.Join(" ", Errors.Values.SelectMany(m => m));
    }

    public sealed record ConcertNotFound : JoinResult
    {
        public override string Title => "Concert not found.";

        public override string Message => "There is no such concert.";
    }

    public sealed record UnknownTier(string Tier) : JoinResult
    {
        public override string Title => "Unknown tier.";

        public override string Message => $"This concert has no tier {Tier}.";
    }

    public sealed record SalesClosed : JoinResult
    {
        public override string Title => "Sales have closed.";

        public override string Message => "This concert has started; there is no waiting list any more.";
    }

    /// <summary>Tickets are not on sale yet (docs/architecture.md, "The on-sale and its waiting room"): nothing is sold out, so there is no line to wait in.</summary>
    public sealed record NotOnSaleYet(DateTimeOffset OnSaleAt, string TimeZone) : JoinResult
    {
        public override string Title => "Not on sale yet.";

        public override string Message => $"Tickets go on sale {Concerts.VenueTime.Describe(OnSaleAt, TimeZone)} (venue time), so nothing is sold out: get in the waiting room instead.";
    }

    /// <summary>The tier has tickets for sale right now: buy them instead.</summary>
    public sealed record TicketsAvailable(string Tier, int Available) : JoinResult
    {
        public override string Title => "Tickets are available.";

        public override string Message => $"{Available} {Tier} {(Available == 1 ? "ticket is" : "tickets are")} for sale right now: buy them instead of waiting.";
    }

    /// <summary>This buyer already waits for this tier (one place per buyer and tier, whatever the e-mail).</summary>
    public sealed record AlreadyWaiting(WaitlistEntry Entry) : JoinResult
    {
        public override string Title => "Already on the waiting list.";

        public override string Message => $"You are already on the {Entry.TierName} waiting list (for {Entry.Quantity} {(Entry.Quantity == 1 ? "ticket" : "tickets")}, told at {Entry.Email}). Leave it first to wait for a different number.";
    }

    /// <summary>With what the buyer already bought or holds, the quantity passes the per-buyer maximum.</summary>
    public sealed record BuyerLimitReached(string Tier, int Max, int AlreadyBought) : JoinResult
    {
        public override string Title => "Ticket limit reached.";

        public override string Message => AlreadyBought == 0
            ? $"At most {Max} {Tier} tickets per buyer."
            : $"You already have {AlreadyBought} {Tier} tickets; at most {Max} per buyer, so you can wait for {Math.Max(0, Max - AlreadyBought)} more.";
    }

    /// <summary>The concert's waiting room is open and the request had no admission that is still good (docs/architecture.md, "The on-sale and its waiting room").</summary>
    public sealed record AdmissionRequired(OnSale.AdmissionCheck Reason) : JoinResult
    {
        public override string Title => "Waiting room";

        public override string Message => OnSale.AdmissionChecks.Explain(Reason);
    }

    /// <summary>The tier's line is as long as it may be (<c>Waitlist:MaxEntriesPerTier</c>).</summary>
    public sealed record LineFull(string Tier, int Max) : JoinResult
    {
        public override string Title => "The waiting list is full.";

        public override string Message => $"The {Tier} waiting list is full: {Max:N0} people are already waiting. Please check again later.";
    }
}

public abstract record LeaveResult
{
    private LeaveResult()
    {
    }

    /// <summary>The entry has left the line (an offer it had is released and passes on); also when it had already ended.</summary>
    public sealed record Left : LeaveResult;

    public sealed record NotFound : LeaveResult;

    /// <summary>The offer was paid: the entry became a booking and there is nothing to leave.</summary>
    public sealed record AlreadyBooked : LeaveResult;
}

/// <summary>An offer just made: <see cref="Buyer"/> holds <see cref="Quantity"/> tickets of the tier until <see cref="ExpiresAt"/>.</summary>
public sealed record WaitlistOffer(BuyerId Buyer, Guid EntryId, Guid ConcertId, string Tier, string TierName, int Quantity, IReadOnlyList<string>? Seats, DateTimeOffset ExpiresAt);

/// <summary>Something changed in <see cref="Buyer"/>'s places in line for a concert: joined, left, or an <see cref="Offer"/> was made.</summary>
public sealed record WaitlistNotice(BuyerId Buyer, Guid ConcertId, WaitlistOffer? Offer = null);

/// <summary>One tier's waiting list for the organizer: who waits, offers out, offers paid.</summary>
public sealed record TierWaitlist(string Tier, int Waiting, int WaitingSeats, int SetAside, int OffersOut, int OfferedSeats, int Converted, int ConvertedSeats, int Expired);
