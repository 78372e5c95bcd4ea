namespace TicketBooking.Core.Tickets;

/// <summary>Where a ticket stands: usable at the door, used, or revoked by a cancellation.</summary>
public enum TicketStatus
{
    Valid,
    CheckedIn,
    Cancelled,
}

/// <summary>
/// One place at a confirmed booking. <see cref="Code"/> is what its QR code carries and what the door checks; it is a
/// bearer secret, shown only to the booking's buyer. On a reserved tier <see cref="Seat"/> is the seat's label.
/// </summary>
public sealed record Ticket(
    Guid Id, int Position, string Tier, string TierName, string Code, TicketStatus Status, DateTimeOffset? CheckedInAt, string? Door, string? Seat = null)
{
    /// <summary>The seat as people read it ("Section A · Row C, seat 12"), or <c>null</c> for general admission.</summary>
    public string? SeatName => Seat is null ? null : Seating.SeatNames.Describe(Seat);

    /// <summary>The code in groups of four, for reading aloud or typing at the door.</summary>
    public string DisplayCode => TicketCode.Display(Code);
}
