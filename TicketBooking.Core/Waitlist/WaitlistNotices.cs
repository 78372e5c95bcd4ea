namespace TicketBooking.Core.Waitlist;

/// <summary>
/// Tells a buyer's open pages that their places in line changed — above all that an offer was made — right after the
/// transaction that changed them committed. A page subscribes for its own buyer.
/// </summary>
public sealed class WaitlistNotices
{
    private readonly KeyedSubscribers<BuyerId, WaitlistNotice> _byBuyer = new();

    /// <summary>Calls <paramref name="onOffer"/> for every change to <paramref name="buyer"/>'s places until the result is disposed.</summary>
    public IDisposable Subscribe(BuyerId buyer, Action<WaitlistNotice> onOffer) => _byBuyer.Subscribe(buyer, onOffer);

    internal void Publish(WaitlistNotice notice) => _byBuyer.Publish(notice.Buyer, notice);
}
