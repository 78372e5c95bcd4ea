using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Payments;

public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>Latency the simulated gateway adds to every charge.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;
}
