using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.OnSale;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Concerts;
using TicketBooking.Web.Components.Pages.OnSale;
using TicketBooking.Web.Components.Pages.Organizer;

namespace TicketBooking.Tests.Components.Concerts;

/// <summary>The on-sale on the pages (docs/architecture.md, "The on-sale and its waiting room"): the countdown, the way into the room, the buyer's turn, the live place.</summary>
public sealed class OnSaleTests : ComponentTest
{
    public OnSaleTests()
        : base(room: room => room.MaxActiveBuyers = 1)
    {
    }

    private DateTimeOffset Now => Engine.Time.GetUtcNow();

    [Fact]
    public async Task Before_the_sale_the_page_counts_down_and_checkout_stays_shut_until_the_buyers_turn()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(45), ("GA", 1_000, 100));
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=onsale-countdown]").TextContent.Should().Be("45:00"));
        cut.Find("[data-testid=onsale]").TextContent.Should().Contain("The waiting room opens");
        cut.Find("button[aria-label='More GA tickets']").Click();
        Checkout(cut).HasAttribute("disabled").Should().BeTrue();

        Engine.Time.Advance(TimeSpan.FromMinutes(20));
        cut.WaitForAssertion(() => cut.Find("[data-testid=onsale-countdown]").TextContent.Should().Be("25:00"));
        cut.Find("[data-testid=enter-room]").GetAttribute("href").Should().Be($"concerts/{concert.Id}/queue");

        Engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        cut.WaitForAssertion(() => cut.Find("[data-testid=enter-room]").TextContent.Should().Contain("Get in line"));
        Checkout(cut).HasAttribute("disabled").Should().BeTrue("on sale, but the room is open and this buyer has not been admitted");
    }

    [Fact]
    public async Task An_admitted_buyers_checkout_carries_their_admission_and_holds()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 100));
        Engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        ((JoinRoomResult.InLine)await Engine.Room.JoinAsync(Buyer, concert.Id)).Status.State.Should().Be(QueueState.Admitted);

        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=onsale-admitted]").TextContent.Should().Contain("It's your turn").And.Contain("Hold your tickets within 02:00"));
        cut.Find("button[aria-label='More GA tickets']").Click();
        cut.Find("button[aria-label='More GA tickets']").Click();
        await cut.Find("form").SubmitAsync();

        Navigation.Uri.Should().EndWith($"/checkout/{concert.Id}");
        (await Engine.Holds.GetAsync(Buyer, concert.Id))!.Quantity.Should().Be(2);
    }

    [Fact]
    public async Task Before_the_sale_the_waiting_page_renders_the_countdown_and_the_room_for_a_buyer_in_it()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 100));
        await Engine.Room.JoinAsync(BuyerId.New(), concert.Id);
        await Engine.Room.JoinAsync(Buyer, concert.Id);

        var cut = Render<WaitingRoomPage>(p => p.Add(x => x.ConcertId, concert.Id));

        cut.Find("[data-waiting-room]").GetAttribute("data-state").Should().Be("unplaced");
        cut.Find("[data-testid=room-countdown]").TextContent.Should().Be("10:00");
        cut.Find("[data-testid=room-countdown]").GetAttribute("data-countdown-to").Should().Be(concert.OnSaleAt!.Value.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture));
        cut.Find("[data-testid=room-state-early]").TextContent.Should().Contain("everyone here gets a random place in line");
        cut.Find("[data-testid=in-room]").TextContent.Should().Be("2");
        cut.Find("[data-show=waiting]").HasAttribute("hidden").Should().BeTrue("only the state's own part shows");
    }

    [Fact]
    public async Task A_buyer_not_in_line_yet_gets_a_page_that_gets_them_in_and_a_place_is_rendered_with_its_words()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 100));
        Engine.Time.SetUtcNow(concert.OnSaleAt!.Value);

        var joining = Render<WaitingRoomPage>(p => p.Add(x => x.ConcertId, concert.Id));
        joining.Find("[data-waiting-room]").GetAttribute("data-state").Should().Be("joining", "the page's script gets the buyer in line");
        (await Engine.Room.GetAsync(Buyer, concert.Id)).Should().BeNull("opening the page changes nothing by itself");

        await Engine.Room.JoinAsync(BuyerId.New(), concert.Id);
        await Engine.Room.JoinAsync(BuyerId.New(), concert.Id);
        await Engine.Room.JoinAsync(Buyer, concert.Id);
        var waiting = Render<WaitingRoomPage>(p => p.Add(x => x.ConcertId, concert.Id));

        waiting.Find("[data-waiting-room]").GetAttribute("data-state").Should().Be("waiting");
        waiting.Find("[data-testid=queue-position]").TextContent.Should().Be("2", "one shops (MaxActiveBuyers = 1 here), one is ahead");
        waiting.Find("[data-testid=queue-state]").TextContent.Should().Contain("1 person is ahead of you.");
        var ahead = waiting.Find("[data-field=ahead]");
        (ahead.GetAttribute("data-zero"), ahead.GetAttribute("data-many")).Should().Be(("You're next.", "{0} people are ahead of you."));
    }

    [Fact]
    public async Task The_organizer_sees_the_room_fill_and_move_live()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 100));
        var plain = await Engine.CreateConcertAsync(("GA", 1_000, 100));
        await Engine.Room.JoinAsync(BuyerId.New(), concert.Id);
        var cut = Render<RoomSummary>(p => p.Add(x => x.ConcertId, concert.Id).Add(x => x.TimeZone, "Europe/London"));
        cut.WaitForAssertion(() => cut.Find("[data-testid=room-waiting]").TextContent.Should().Be("1"));
        cut.Find("[data-testid=room-summary]").TextContent.Should().Contain("places drawn then");

        await Engine.Room.JoinAsync(BuyerId.New(), concert.Id);
        Engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        await Engine.Room.PumpAsync();

        cut.WaitForAssertion(() => cut.Find("[data-testid=room-admitted]").TextContent.Should().Be("1"));
        cut.Find("[data-testid=room-waiting]").TextContent.Should().Be("1", "one shops (MaxActiveBuyers = 1 here), one waits");
        cut.Find("[data-testid=room-active]").TextContent.Should().Be("1");
        Render<RoomSummary>(p => p.Add(x => x.ConcertId, plain.Id).Add(x => x.TimeZone, "Europe/London")).Markup.Trim().Should().BeEmpty("a concert on sale at once has no room");
    }

    private static AngleSharp.Dom.IElement Checkout(IRenderedComponent<ConcertPage> cut) =>
        cut.FindAll("button").Single(b => b.TextContent.Contains("Checkout", StringComparison.Ordinal));
}
