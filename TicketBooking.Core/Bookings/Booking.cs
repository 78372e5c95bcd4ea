using TicketBooking.Core.Payments;

namespace TicketBooking.Core.Bookings;

public sealed record BookingItem(string Tier, string TierName, int Quantity, long UnitPriceCents)
{
    public long TotalCents => Quantity * UnitPriceCents;
}

/// <summary>The concert a booking is for, as the buyer needs to see it.</summary>
public sealed record BookedConcert(Guid Id, string Name, string Artist, string Venue, string City, string TimeZone, DateTimeOffset StartsAt);

/// <summary>
/// Sold tickets, paid for. <see cref="Reference"/> is what the buyer quotes to support. <see cref="Status"/>:
/// <c>confirmed</c>, <c>partiallyCancelled</c> or <c>cancelled</c>, as its tickets are; <see cref="RefundedCents"/> went back.
/// </summary>
public sealed record Booking(
    Guid Id,
    string Reference,
    BookedConcert Concert,
    IReadOnlyList<BookingItem> Items,
    long TotalCents,
    string Status,
    long RefundedCents,
    DateTimeOffset CreatedAt,
    string BuyerName,
    string BuyerEmail,
    IReadOnlyList<Tickets.Ticket> Tickets);

public sealed record BuyerDetails(string Name, string Email);

/// <summary>
/// Pay for the tickets the buyer holds for <see cref="ConcertId"/>. <see cref="HoldId"/> and
/// <see cref="ExpectedTotalCents"/>, when given, state what the buyer saw: if the hold has changed since,
/// nothing is charged and the answer is <see cref="ConfirmResult.CheckoutChanged"/>.
/// </summary>
public sealed record ConfirmRequest(Guid ConcertId, BuyerDetails Buyer, CardDetails Card, Guid? HoldId = null, long? ExpectedTotalCents = null);

/// <summary>
/// Why a payment did not go through, as the buyer may be told. The processor's finer reasons (declined,
/// insufficient funds) are recorded and counted but never told apart to the buyer: that is what card testers look for.
/// </summary>
public enum PaymentFailure
{
    Declined,
    InvalidCard,
    GatewayError,
}

public abstract record ConfirmResult
{
    private ConfirmResult()
    {
    }

    public sealed record Booked(Booking Booking) : ConfirmResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : ConfirmResult;

    /// <summary>
    /// The card was not charged. The hold is kept, so the buyer can try another card. <see cref="Replayed"/>: the answer
    /// of an earlier request with the same idempotency key; no card was tried now.
    /// </summary>
    public sealed record PaymentFailed(PaymentFailure Reason, string Message, bool Replayed = false) : ConfirmResult;

    /// <summary>The buyer holds nothing for the concert: it was never held, released, or expired and swept.</summary>
    public sealed record NoHold : ConfirmResult;

    /// <summary>The hold expired during payment and its tickets have gone to someone else. The charge was voided.</summary>
    public sealed record SoldOut : ConfirmResult;

    /// <summary>This checkout was already booked by another request. This request's charge was voided.</summary>
    public sealed record AlreadyBooked(Booking Booking) : ConfirmResult;

    /// <summary>
    /// The checkout is not the one the buyer stated (hold id or total), or its quantities changed while paying.
    /// Nothing was charged, or the charge was voided.
    /// </summary>
    public sealed record CheckoutChanged : ConfirmResult;

    /// <summary>This checkout had several declined cards in a row; the next attempt must wait. Nothing was charged.</summary>
    public sealed record TryLater(TimeSpan RetryAfter) : ConfirmResult;

    /// <summary>A request with the same idempotency key is still being processed.</summary>
    public sealed record InProgress : ConfirmResult;

    /// <summary>The idempotency key was already used for a different request.</summary>
    public sealed record KeyReused : ConfirmResult;
}
