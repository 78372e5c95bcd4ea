using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Waitlist;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Bookings;
using TicketBooking.Web.Components.Pages.Concerts;

namespace TicketBooking.Tests.Components.Concerts;

/// <summary>The waiting list on the concert page and in My bookings: join, live position, leave, the offer.</summary>
public sealed class WaitlistPanelTests : ComponentTest
{
    private readonly BuyerId _seller = BuyerId.New();
    private Concert _concert = null!;

    /// <summary>GA (4) is held in full by a seller; VIP has tickets.</summary>
    private async Task SoldOutAsync()
    {
        _concert = await ConcertAsync(("GA", 1_000, 4), ("VIP", 10_000, 10));
        (await Engine.Holds.PlaceAsync(_seller, TestEngine.Request(_concert.Id, ("GA", 4)))).Should().BeOfType<HoldResult.Held>();
    }

    [Fact]
    public async Task A_buyer_joins_a_sold_out_tier_and_sees_the_place_move_up_live_when_someone_ahead_leaves()
    {
        await SoldOutAsync();
        var ahead = BuyerId.New();
        var first = (JoinResult.Joined)await Engine.Waitlist.JoinAsync(ahead, new JoinRequest(_concert.Id, "GA", 3, "ahead@example.com"));
        var cut = Render<ConcertPage>(c => c.Add(x => x.ConcertId, _concert.Id));
        cut.WaitForElement("[data-testid=join-waitlist-GA]");
        cut.FindAll("[data-testid=join-waitlist-VIP]").Should().BeEmpty("VIP has tickets for sale");

        cut.Find("[data-testid=join-waitlist-GA]").Click();
        cut.WaitForElement("#waitlist-email").Change("me@example.com");
        cut.Find("[data-testid=join-waitlist-submit]").Click();

        cut.WaitForAssertion(() => cut.Find("[data-testid=waitlist-position]").TextContent.Should().Be("You're 2nd in line, 3 tickets ahead of you"));
        cut.WaitForAssertion(() => cut.Find("[data-testid=waitlist-chip-GA]").TextContent.Trim().Should().Be("2nd in line"));
        (await Engine.Waitlist.ListAsync(Buyer, _concert.Id)).Single().Should().BeEquivalentTo(new { Quantity = 2, Email = "me@example.com", Status = WaitlistStatus.Waiting });

        await Engine.Waitlist.LeaveAsync(ahead, first.Entry.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=waitlist-position]").TextContent.Should().Be("You're next in line"));
    }

    [Fact]
    public async Task When_tickets_come_back_the_open_page_shows_they_are_held_with_the_time_to_pay()
    {
        await SoldOutAsync();
        await Engine.Waitlist.JoinAsync(Buyer, new JoinRequest(_concert.Id, "GA", 2, "me@example.com"));
        var cut = Render<ConcertPage>(c => c.Add(x => x.ConcertId, _concert.Id));
        cut.WaitForElement("[data-testid=waitlist-position]");
        cut.FindAll("[data-testid=waitlist-offer]").Should().BeEmpty();

        await Engine.Holds.ReleaseAsync(_seller, _concert.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=waitlist-offer]").TextContent.Should()
            .Contain("Your 2 GA tickets are held").And.Contain("30:00"));
        cut.Find("[data-testid=pay-offer]").GetAttribute("href").Should().EndWith($"checkout/{_concert.Id}");
        cut.WaitForAssertion(() => cut.Find("[data-testid=waitlist-chip-GA]").TextContent.Trim().Should().Be("Held for you"));
        (await Engine.Holds.GetAsync(Buyer, _concert.Id))!.Quantity.Should().Be(2);
    }

    [Fact]
    public async Task Letting_an_offer_go_passes_it_on_and_the_page_says_so()
    {
        await SoldOutAsync();
        await Engine.Waitlist.JoinAsync(Buyer, new JoinRequest(_concert.Id, "GA", 2, "me@example.com"));
        var next = BuyerId.New();
        await Engine.Waitlist.JoinAsync(next, new JoinRequest(_concert.Id, "GA", 2, "next@example.com"));
        await Engine.Holds.ReleaseAsync(_seller, _concert.Id);
        var cut = Render<ConcertPage>(c => c.Add(x => x.ConcertId, _concert.Id));
        cut.WaitForElement("[data-testid=waitlist-offer]");

        cut.FindAll("[data-testid=waitlist-offer] button").Single(b => b.TextContent.Contains("Let them go")).Click();

        cut.WaitForAssertion(() => cut.FindAll("[data-testid=waitlist-offer]").Should().BeEmpty());
        (await Engine.Holds.GetAsync(Buyer, _concert.Id)).Should().BeNull();
        (await Engine.Waitlist.ListAsync(next, _concert.Id)).Single().Status.Should().Be(WaitlistStatus.Offered);
    }

    [Fact]
    public async Task My_bookings_lists_places_in_line_live_and_leaves_with_one_click()
    {
        await SoldOutAsync();
        var ahead = BuyerId.New();
        var first = (JoinResult.Joined)await Engine.Waitlist.JoinAsync(ahead, new JoinRequest(_concert.Id, "GA", 1, "ahead@example.com"));
        await Engine.Waitlist.JoinAsync(Buyer, new JoinRequest(_concert.Id, "GA", 2, "me@example.com"));
        var cut = Render<MyBookingsPage>();
        cut.WaitForAssertion(() => cut.Find("[data-testid=my-waitlist-status]").TextContent.Trim().Should().Be("You're 2nd in line, 1 ticket ahead of you"));

        await Engine.Waitlist.LeaveAsync(ahead, first.Entry.Id);
        cut.WaitForAssertion(() => cut.Find("[data-testid=my-waitlist-status]").TextContent.Trim().Should().Be("You're next in line"));

        cut.FindAll("[data-testid=my-waitlist] button").Single(b => b.TextContent.Contains("Leave")).Click();

        cut.WaitForAssertion(() => cut.FindAll("[data-testid=my-waitlist]").Should().BeEmpty());
        (await Engine.Waitlist.ListAsync(Buyer, _concert.Id)).Single().Status.Should().Be(WaitlistStatus.Left);
    }
}
