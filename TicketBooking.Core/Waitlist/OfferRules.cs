namespace TicketBooking.Core.Waitlist;

/// <summary>
/// What an offer must respect when the writer serves a waiting line: how long it holds its tickets, and the same
/// per-buyer and per-address maximums a hold is held to (<see cref="Limits.BuyerLimitOptions"/>). An offer that would
/// take its buyer or its address past them is not made; the tickets go to the next entry that fits.
/// </summary>
internal sealed record OfferRules(TimeSpan OfferWindow, int MaxTicketsPerBuyer, int MaxHeldTicketsPerAddress)
{
    /// <summary>The defaults of <see cref="WaitlistOptions"/> and <see cref="Limits.BuyerLimitOptions"/>.</summary>
    public static readonly OfferRules Default = From(new WaitlistOptions(), new Limits.BuyerLimitOptions());

    public static OfferRules From(WaitlistOptions waitlist, Limits.BuyerLimitOptions limits)
    {
        ArgumentNullException.ThrowIfNull(waitlist);
        ArgumentNullException.ThrowIfNull(limits);
        return new(waitlist.OfferWindow, limits.MaxTicketsPerBuyer, limits.MaxHeldTicketsPerAddress);
    }
}
