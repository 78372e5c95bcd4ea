using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Bookings;

public sealed class CancellationOptions
{
    public const string Section = "Cancellation";

    /// <summary>Buyers may cancel until this long before the show; organizers may cancel any time.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "365.00:00:00")]
    public TimeSpan Deadline { get; set; } = TimeSpan.FromDays(2);
}
