using TicketBooking.Core.Bookings;
using TicketBooking.Core.Holds;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Buyers;

/// <summary>
/// The one way buyer writes reach the engine, for the API endpoints and the Blazor pages alike: the limits of
/// <see cref="FairUse"/> first, then the engine. A page cannot do more than the API allows, and the API cannot do more
/// than a page.
/// </summary>
public sealed class BuyerRequests(FairUse fairUse, HoldService holds, BookingService bookings, Core.Waitlist.WaitlistService waitlist, Core.OnSale.WaitingRoomService room)
{
    public async Task<Limited<HoldResult>> PlaceHoldAsync(Requester who, HoldRequest request)
    {
        ArgumentNullException.ThrowIfNull(who);
        // A malformed request is answered before it costs the buyer anything from their budget.
        if (holds.Validate(request) is { } invalid)
        {
            return invalid;
        }

        if (await fairUse.HoldAsync(who).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var result = await holds.PlaceAsync(who.Buyer, request, who.Address).ConfigureAwait(false);
        return result is HoldResult.AddressLimitReached full ? new Refusal("held-per-address", full.RetryAfter, full.Message) : result;
    }

    public async Task<Limited<HeartbeatResult>> HeartbeatAsync(Requester who, Guid concertId, bool active, bool visible)
    {
        ArgumentNullException.ThrowIfNull(who);
        return await fairUse.HeartbeatAsync(who).ConfigureAwait(false) is { } refused
            ? refused
            : await holds.HeartbeatAsync(who.Buyer, concertId, active, visible).ConfigureAwait(false);
    }

    /// <summary>
    /// Joining a waiting line asks for tickets like a hold does, so it spends the same budget, and it sends e-mail, so
    /// sign-ups are limited per address and per e-mail address too.
    /// </summary>
    public async Task<Limited<Core.Waitlist.JoinResult>> JoinWaitlistAsync(Requester who, Core.Waitlist.JoinRequest request)
    {
        ArgumentNullException.ThrowIfNull(who);
        ArgumentNullException.ThrowIfNull(request);
        return await fairUse.JoinWaitlistAsync(who, request.Email).ConfigureAwait(false) is { } refused
            ? refused
            : await waitlist.JoinAsync(who.Buyer, request, who.Address).ConfigureAwait(false);
    }

    /// <summary>
    /// Getting in an on-sale's line is a write, so a script repeating it spends the hold budget too; one address has at
    /// most <c>WaitingRoom:PlacesPerAddress</c> places in a room.
    /// </summary>
    public async Task<Limited<Core.OnSale.JoinRoomResult>> JoinQueueAsync(Requester who, Guid concertId)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (await fairUse.HoldAsync(who).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        var result = await room.JoinAsync(who.Buyer, concertId, who.Address).ConfigureAwait(false);
        return result is Core.OnSale.JoinRoomResult.AddressFull full ? new Refusal("places-per-address", TimeSpan.FromMinutes(1), full.Message) : result;
    }

    /// <summary>Leaving a line only gives a place (or an offer) back, so it is never limited.</summary>
    public Task<Core.Waitlist.LeaveResult> LeaveWaitlistAsync(Requester who, Guid entryId)
    {
        ArgumentNullException.ThrowIfNull(who);
        return waitlist.LeaveAsync(who.Buyer, entryId);
    }

    /// <summary>
    /// Releasing only gives tickets back, so it is never limited. It ends the buyer's turn in a waiting room unless
    /// <paramref name="endTurn"/> is false: leaving checkout for the concert page to change tickets keeps it.
    /// </summary>
    public Task<bool> ReleaseAsync(Requester who, Guid concertId, bool endTurn = true)
    {
        ArgumentNullException.ThrowIfNull(who);
        return holds.ReleaseAsync(who.Buyer, concertId, endTurn);
    }

    public async Task<Limited<ConfirmResult>> ConfirmAsync(Requester who, ConfirmRequest request, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (await fairUse.StartPaymentAsync(who).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        ConfirmResult result;
        var cardFailed = false;
        try
        {
            result = await bookings.ConfirmAsync(who.Buyer, request, idempotencyKey).ConfigureAwait(false);
            // Only a card the processor turned down now counts; a replayed answer tried no card.
            cardFailed = result is ConfirmResult.PaymentFailed { Reason: PaymentFailure.Declined or PaymentFailure.InvalidCard, Replayed: false };
        }
        finally
        {
            await fairUse.EndPaymentAsync(who, cardFailed).ConfigureAwait(false);
        }

        switch (result)
        {
            case ConfirmResult.TryLater later:
                return new Refusal("declines-per-checkout", later.RetryAfter,
                    $"Several cards were declined for this checkout. Your tickets are still held; please wait {FairUse.Words(later.RetryAfter)} before trying again.");
            default:
                return result;
        }
    }

    /// <summary>"Find my booking". A search that matches nothing counts against the address, so references cannot be guessed.</summary>
    /// <remarks>Neither a result nor a refusal: no booking has that reference and e-mail.</remarks>
    public async Task<Limited<Booking>> ClaimAsync(Requester who, string? reference, string? email)
    {
        ArgumentNullException.ThrowIfNull(who);
        if (await fairUse.StartBookingSearchAsync(who.Address).ConfigureAwait(false) is { } refused)
        {
            return refused;
        }

        Booking? booking = null;
        try
        {
            booking = await bookings.ClaimAsync(who.Buyer, reference ?? "", email ?? "").ConfigureAwait(false);
        }
        finally
        {
            await fairUse.EndBookingSearchAsync(who.Address, found: booking is not null).ConfigureAwait(false);
        }

        return new Limited<Booking>(booking, null);
    }
}
