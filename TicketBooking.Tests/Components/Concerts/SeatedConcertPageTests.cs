using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Seating;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Concerts;

namespace TicketBooking.Tests.Components.Concerts;

/// <summary>The concert page of a seated hall: picking on the live map, best available, and others' holds arriving.</summary>
public sealed class SeatedConcertPageTests : ComponentTest
{
    public SeatedConcertPageTests()
        : base(holds => holds.MaxPerTier = 4) => JSInterop.SetupModule("./js/seat-map.js");

    private async Task<(Guid Id, IRenderedComponent<ConcertPage> Cut)> OpenAsync(int rows = 2, int seatsPerRow = 6)
    {
        var concert = await Engine.CreateSeatedConcertAsync(rows, seatsPerRow);
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElement("[data-seat='A-A-1']");
        return (concert.Id, cut);
    }

    private static string Picked(IRenderedComponent<ConcertPage> cut) =>
        string.Join("|", cut.FindAll("[data-testid=picked-seats] li").Select(li => li.TextContent.Trim()));

    [Fact]
    public async Task Picked_seats_go_to_the_panel_and_the_total_and_are_held_at_checkout()
    {
        var (id, cut) = await OpenAsync();

        cut.Find("[data-seat='A-A-3']").Click();
        cut.Find("[data-seat='A-A-4']").Click();

        Picked(cut).Should().Be("Section A · Row A, seat 3 · SEATS · $50.00|Section A · Row A, seat 4 · SEATS · $50.00");
        cut.Find("[data-testid=picked-SEATS]").TextContent.Should().Be("2 picked");
        cut.Markup.Should().Contain("2 tickets · <span class=\"price\">$100.00</span>");

        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Navigation.Uri.Should().EndWith($"/checkout/{id}"));
        var hold = await Engine.Holds.GetAsync(Buyer, id);
        hold!.Items.Single().Seats.Should().Equal("A-A-3", "A-A-4");
    }

    [Fact]
    public async Task Another_buyers_hold_shows_on_the_open_map_and_drops_a_pick_with_a_word()
    {
        var (id, cut) = await OpenAsync();
        cut.Find("[data-seat='A-A-2']").Click();

        var someone = BuyerId.New();
        var other = await Engine.Holds.PlaceAsync(someone, new HoldRequest(id, [new HoldItem("SEATS", 2, ["A-A-1", "A-A-2"])]));
        other.Should().BeOfType<HoldResult.Held>();

        cut.WaitForAssertion(() => cut.Find("[data-seat='A-A-1']").ClassList.Should().Contain("seat-taken"));
        cut.Find("[data-seat='A-A-2']").ClassList.Should().Contain("seat-taken");
        Picked(cut).Should().BeEmpty("someone else took the picked seat");
        cut.WaitForAssertion(() => Root.Markup.Should().Contain("Section A · Row A, seat 2 was just taken by someone else."));

        await Engine.Holds.ReleaseAsync(someone, id);
        cut.WaitForAssertion(() => cut.Find("[data-seat='A-A-1']").ClassList.Should().Contain("seat-free"));
        cut.Find("[data-seat='A-A-2']").GetAttribute("aria-label").Should().EndWith(", available");
    }

    [Fact]
    public async Task Best_available_fills_the_picks_with_the_block_the_server_would_choose()
    {
        var (id, cut) = await OpenAsync(rows: 2, seatsPerRow: 6);
        await Engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(id, [new HoldItem("SEATS", 2, ["A-A-3", "A-A-4"])]));
        cut.WaitForAssertion(() => cut.Find("[data-seat='A-A-3']").ClassList.Should().Contain("seat-taken"));

        cut.Find("[data-testid=pick-best]").Click();

        Picked(cut).Should().Be("Section A · Row A, seat 1 · SEATS · $50.00|Section A · Row A, seat 2 · SEATS · $50.00",
            "in row A, 1-2 and 5-6 leave no seat alone; 1-2 wins the tie by label");
        cut.Find("form").Submit();
        cut.WaitForAssertion(() => Navigation.Uri.Should().EndWith($"/checkout/{id}"));
        (await Engine.Holds.GetAsync(Buyer, id))!.Items.Single().Seats.Should().Equal("A-A-1", "A-A-2");
    }

    [Fact]
    public async Task An_orphan_the_picks_would_leave_is_pointed_out_and_refused_at_checkout()
    {
        var (id, cut) = await OpenAsync(rows: 1, seatsPerRow: 6);

        cut.Find("[data-seat='A-A-2']").Click();
        cut.Find("[data-seat='A-A-3']").Click();

        cut.Find("[data-testid=picked-seats]").TextContent.Should().Contain("These seats would leave Section A · Row A, seat 1 empty on its own.");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => cut.Find("[role=alert]").TextContent.Should().Contain("Your seats would leave Section A · Row A, seat 1 (A-A-1) empty on its own"));
        (await Engine.Holds.GetAsync(Buyer, id)).Should().BeNull("nothing was held");
        Navigation.Uri.Should().NotContain("/checkout/");
    }

    [Fact]
    public async Task Coming_back_from_checkout_starts_from_the_held_seats_and_the_tier_limit_holds()
    {
        var concert = await Engine.CreateSeatedConcertAsync(2, 6);
        await Engine.Holds.PlaceAsync(Buyer, new HoldRequest(concert.Id, [new HoldItem("SEATS", 2, ["A-B-3", "A-B-4"])]));

        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));

        cut.WaitForAssertion(() => Picked(cut).Should().Be("Section A · Row B, seat 3 · SEATS · $50.00|Section A · Row B, seat 4 · SEATS · $50.00"));
        cut.Find("[data-seat='A-B-3']").GetAttribute("aria-label").Should().EndWith("held for you");
        cut.Find("[data-seat='A-A-1']").Click();
        cut.Find("[data-seat='A-A-2']").Click();
        cut.Find("[data-seat='A-A-3']").Click();
        cut.Find("[data-testid=picked-SEATS]").TextContent.Should().Be("4 picked", "MaxPerTier is 4");
        cut.WaitForAssertion(() => Root.Markup.Should().Contain("You can pick up to 4 SEATS seats in this order."));
    }
}
