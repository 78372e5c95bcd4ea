using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Waitlist;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

/// <summary>
/// The ticket maximums have one home (<see cref="TicketLimits"/>): what a page's picker offers for a tier is exactly what
/// the engine then accepts, one more is refused, whichever limit is the tight one.
/// </summary>
public sealed class TicketLimitsTests : IAsyncDisposable
{
    // Per tier per order 6, per order 8, per buyer per tier 5: each binds in one of the cases below.
    private readonly TestEngine _engine = TestEngine.Start(
        holds: h => (h.MaxPerTier, h.MaxPerOrder) = (6, 8),
        limits: l => l.MaxTicketsPerBuyer = 5);

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task What_the_picker_offers_is_what_the_engine_accepts_and_one_more_is_refused()
    {
        var limits = _engine.Holds.Limits;
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 100), ("GA", 1_000, 100));
        var buyer = BuyerId.New();
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2)))).Should().BeOfType<HoldResult.Held>();
        (await _engine.Bookings.ConfirmAsync(buyer, TestEngine.Payment(concert.Id), "first")).Should().BeOfType<ConfirmResult.Booked>();

        // VIP beside 4 GA, 2 VIP bought already: the per-buyer maximum binds (5 - 2 = 3).
        var vip = limits.MostOf(ownedOfTier: 2, inOtherTiers: 4, left: 98);
        vip.Should().Be(3);
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", vip + 1), ("GA", 4))))
            .Should().BeEquivalentTo(new HoldResult.BuyerLimitReached("VIP", 5, 2));
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", vip), ("GA", 4)))).Should().BeOfType<HoldResult.Held>();

        // GA beside those 3 VIP: the order's total binds (8 - 3 = 5, which the per-buyer maximum also allows).
        var ga = limits.MostOf(ownedOfTier: 0, inOtherTiers: vip, left: 96);
        ga.Should().Be(5);
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", vip), ("GA", ga + 1))))
            .Should().BeOfType<HoldResult.LimitExceeded>().Which.Message.Should().Be("At most 8 tickets can be bought in one order (9 requested).");
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", vip), ("GA", ga)))).Should().BeOfType<HoldResult.Held>();

        // A stranger alone: the smaller of the per-order and per-buyer maximums, and what is left.
        limits.PerTier.Should().Be(5);
        limits.MostOf(0, 0, left: 2).Should().Be(2);
        limits.Summary.Should().Be("Up to 5 per tier and 8 per order.");
        (await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", limits.PerTier + 1))))
            .Should().BeOfType<HoldResult.BuyerLimitReached>();
    }

    [Fact]
    public async Task A_waiting_list_place_is_for_what_one_order_could_hold()
    {
        var limits = _engine.Holds.Limits;
        var concert = await _engine.CreateConcertAsync(("GA", 1_000, 1));
        (await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 1)))).Should().BeOfType<HoldResult.Held>();

        var tooMany = await _engine.Waitlist.JoinAsync(BuyerId.New(), new JoinRequest(concert.Id, "GA", limits.PerTierPerOrder + 1, "a@example.com"));
        var none = await _engine.Waitlist.JoinAsync(BuyerId.New(), new JoinRequest(concert.Id, "GA", 0, "b@example.com"));

        tooMany.Should().BeOfType<JoinResult.Invalid>().Which.Message.Should().Be("Wait for between 1 and 6 tickets.");
        none.Should().BeOfType<JoinResult.Invalid>().Which.Message.Should().Be(limits.CheckWaitlistQuantity(0));
    }
}
