using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Limits;

/// <summary>
/// How many tickets one buyer, and one client address, may take (docs/architecture.md, "Fair use"), bound from <c>Limits</c>.
/// The per-buyer maximum is a business rule and always applies; the per-address cap is an abuse limit
/// that the host switches off with the other per-address limits (<c>RateLimits:Enabled=false</c>).
/// </summary>
public sealed class BuyerLimitOptions
{
    public const string Section = "Limits";

    /// <summary>Most tickets of one tier a buyer may hold and have bought together, for one concert.</summary>
    [Range(1, 10_000)]
    public int MaxTicketsPerBuyer { get; set; } = 10;

    /// <summary>
    /// Most tickets of one concert that checkouts from one client address may hold at once, whatever identities
    /// they use: a family or an office still buys, a script minting identities cannot hold a tier. 0 turns it off.
    /// </summary>
    [Range(0, 1_000_000)]
    public int MaxHeldTicketsPerAddress { get; set; } = 40;
}
