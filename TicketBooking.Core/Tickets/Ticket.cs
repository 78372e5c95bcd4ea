namespace TicketBooking.Core.Tickets;

/// <summary>Where a ticket stands: usable at the door, used, or revoked by a cancellation.</summary>
public enum TicketStatus
{
    Valid,
    CheckedIn,
    Cancelled,
}

/// <summary>
/// One seat of a confirmed booking. <see cref="Code"/> is what its QR code carries and what the door checks; it is a
/// bearer secret, shown only to the booking's buyer.
/// </summary>
public sealed record Ticket(
    Guid Id, int Position, string Tier, string TierName, string Code, TicketStatus Status, DateTimeOffset? CheckedInAt, string? Door)
{
    /// <summary>The code in groups of four, for reading aloud or typing at the door.</summary>
    public string DisplayCode => TicketCode.Display(Code);
}
