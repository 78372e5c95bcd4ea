using TicketBooking.Core.Holds;

namespace TicketBooking.Core.Limits;

/// <summary>
/// How many tickets one order, one buyer and one network may take: the one home of these maximums. The engine asks it
/// before it holds, lets a buyer join a waiting list or makes an offer; the pages ask it what a quantity picker may
/// offer and what to tell the buyer beforehand, so a page never allows what the engine would refuse.
/// </summary>
/// <remarks>
/// The order limits (<c>Holds:MaxPerTier</c>, <c>Holds:MaxPerOrder</c>) shape one checkout; the per-buyer maximum
/// (<c>Limits:MaxTicketsPerBuyer</c>, bought + held + offered, per tier) is a business rule that always applies; the
/// per-address cap (<c>Limits:MaxHeldTicketsPerAddress</c>, 0 = off) is an abuse limit switched off with the other
/// per-address limits.
/// </remarks>
public sealed class TicketLimits
{
    public TicketLimits(HoldOptions holds, BuyerLimitOptions buyers)
    {
        ArgumentNullException.ThrowIfNull(holds);
        ArgumentNullException.ThrowIfNull(buyers);
        PerTierPerOrder = holds.MaxPerTier;
        PerOrder = holds.MaxPerOrder;
        PerBuyerPerTier = buyers.MaxTicketsPerBuyer;
        HeldPerAddress = buyers.MaxHeldTicketsPerAddress;
    }

    /// <summary>The defaults of <see cref="HoldOptions"/> and <see cref="BuyerLimitOptions"/>.</summary>
    public static TicketLimits Default { get; } = new(new HoldOptions(), new BuyerLimitOptions());

    /// <summary>Most tickets of one tier in one order.</summary>
    public int PerTierPerOrder { get; }

    /// <summary>Most tickets in one order, all tiers together.</summary>
    public int PerOrder { get; }

    /// <summary>Most tickets of one tier one buyer may have bought, held and been offered together.</summary>
    public int PerBuyerPerTier { get; }

    /// <summary>Most tickets of one concert checkouts from one network may hold at once; 0: no cap.</summary>
    public int HeldPerAddress { get; }

    /// <summary>The most one tier's picker offers before anything is known of the buyer.</summary>
    public int PerTier => Math.Min(PerTierPerOrder, PerBuyerPerTier);

    /// <summary>What a buyer is told before choosing.</summary>
    public string Summary => $"Up to {PerTier} per tier and {PerOrder} per order.";

    /// <summary>
    /// The most of one tier a buyer can choose now: within the order's limits given what the order's other tiers take,
    /// within the per-buyer maximum given what they own of the tier already, and no more than <paramref name="left"/>.
    /// </summary>
    public int MostOf(int ownedOfTier, int inOtherTiers, int left) =>
        Math.Max(0, Math.Min(Math.Min(PerTierPerOrder, PerBuyerPerTier - ownedOfTier), Math.Min(PerOrder - inOtherTiers, left)));

    /// <summary>Whether a buyer owning <paramref name="owned"/> tickets of a tier may have <paramref name="more"/> more.</summary>
    public bool BuyerMayHave(long owned, long more) => owned + more <= PerBuyerPerTier;

    /// <summary>Whether checkouts from one network holding <paramref name="held"/> tickets may hold <paramref name="more"/> more.</summary>
    public bool AddressMayHold(long held, long more) => HeldPerAddress == 0 || held + more <= HeldPerAddress;

    /// <summary>The order's limits: null when the items fit, else the refusal.</summary>
    public HoldResult.LimitExceeded? CheckOrder(IReadOnlyList<HoldItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.FirstOrDefault(i => i.Quantity > PerTierPerOrder) is { } tooMany)
        {
            return new HoldResult.LimitExceeded($"At most {PerTierPerOrder} tickets of one tier can be bought in one order ({tooMany.Tier}: {tooMany.Quantity}).");
        }

        var total = items.Sum(i => (long)i.Quantity);
        return total > PerOrder ? new HoldResult.LimitExceeded($"At most {PerOrder} tickets can be bought in one order ({total} requested).") : null;
    }

    /// <summary>A waiting-list place is for what one order could hold: null when <paramref name="quantity"/> is, else why not.</summary>
    public string? CheckWaitlistQuantity(int quantity) =>
        quantity < 1 || quantity > PerTierPerOrder ? $"Wait for between 1 and {PerTierPerOrder} tickets." : null;
}
