using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Waitlist;

public sealed class WaitlistOptions
{
    public const string Section = "Waitlist";

    public static readonly TimeSpan DefaultOfferWindow = TimeSpan.FromMinutes(30);

    /// <summary>How long the seats of an offer are held for the buyer it was made to.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan OfferWindow { get; set; } = DefaultOfferWindow;

    /// <summary>Most people waiting in one tier's line: a line longer than any tier could ever return is only e-mail and work.</summary>
    [Range(1, 1_000_000)]
    public int MaxEntriesPerTier { get; set; } = 5_000;
}
