using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.OnSale;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Concerts;
using TicketBooking.Web.Components.Pages.OnSale;
using TicketBooking.Web.Components.Pages.Organizer;

namespace TicketBooking.Tests.Components.Concerts;

/// <summary>The on-sale on the pages (DESIGN §14): the countdown, the way into the room, the buyer's turn, the live place.</summary>
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
    public async Task Before_the_sale_the_waiting_page_gets_the_buyer_in_and_counts_down_to_the_draw()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 100));
        await Engine.Room.JoinAsync(BuyerId.New(), concert.Id);

        var cut = Render<WaitingRoomPage>(p => p.Add(x => x.ConcertId, concert.Id));

        cut.WaitForAssertion(() => cut.Find("[data-testid=room-countdown]").TextContent.Should().Be("10:00"));
        cut.Find("[data-testid=queue-state]").TextContent.Should().Contain("everyone here gets a random place in line");
        cut.Find("[data-testid=in-room]").TextContent.Should().Be("2");
        (await Engine.Room.GetAsync(Buyer, concert.Id))!.State.Should().Be(QueueState.Waiting, "opening the page got the buyer in");
    }

    [Fact]
    public async Task The_waiting_page_shows_the_place_live_and_takes_the_buyer_to_buy_at_their_turn()
    {
        var concert = await Engine.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 100));
        Engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var shopper = BuyerId.New();
        var turn = ((JoinRoomResult.InLine)await Engine.Room.JoinAsync(shopper, concert.Id)).Status;

        var cut = Render<WaitingRoomPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=queue-position]").TextContent.Should().Be("1"));
        cut.Find("[data-testid=queue-state]").TextContent.Should().Contain("You're next.");

        // The one buyer shopping books: their turn ends, and the room's next beat admits this buyer.
        await Engine.Holds.PlaceAsync(shopper, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = turn.Admission });
        await Engine.Bookings.ConfirmAsync(shopper, TestEngine.Payment(concert.Id), "shopper");
        Engine.Time.Advance(TimeSpan.FromSeconds(1));
        await Engine.Room.PumpAsync();

        cut.WaitForAssertion(() => Navigation.Uri.Should().EndWith($"/concerts/{concert.Id}"));
        (await Engine.Room.GetAsync(Buyer, concert.Id))!.State.Should().Be(QueueState.Admitted);
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
