using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Web.Limits;

/// <summary>
/// The per-buyer rates (README, "Configuration"), bound from <c>RateLimits</c>. <see cref="Enabled"/> is the one switch for every
/// per-buyer and per-address limit (<see cref="LimitOptions"/> as well): a benchmark turns them off.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Hold requests per buyer.</summary>
    [Range(1, 100_000)]
    public int HoldsPerMinute { get; set; } = 30;

    /// <summary>Payment attempts per buyer, whatever their outcome.</summary>
    [Range(1, 100_000)]
    public int BookingsPerMinute { get; set; } = 10;
}
