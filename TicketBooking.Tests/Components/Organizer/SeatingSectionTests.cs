using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.Holds;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Organizer;

namespace TicketBooking.Tests.Components.Organizer;

/// <summary>The dashboard's seating: a tier laid out from the generator, seat flags, and held seats showing live.</summary>
public sealed class SeatingSectionTests : ComponentTest
{
    public SeatingSectionTests()
    {
        SignInAs(Buyer, organizer: true);
        JSInterop.SetupModule("./js/seat-map.js");
    }

    private static void Lay(IRenderedComponent<SeatingSection> cut, int rows, int seatsPerRow)
    {
        cut.Find("#section-rows-1").Change(rows.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cut.Find("#section-seats-1").Change(seatsPerRow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        cut.FindAll("button").Single(b => b.TextContent.Trim() == "Lay out seats").Click();
    }

    [Fact]
    public async Task The_generator_makes_a_general_tier_reserved_and_the_map_shows_held_seats_live()
    {
        var concert = await ConcertAsync(("SEATS", 5_000, 1), ("GA", 1_000, 100));
        var cut = Render<SeatingSection>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.FindAll("[data-seat]").Should().BeEmpty("no tier has seats yet");

        Lay(cut, rows: 2, seatsPerRow: 5);

        cut.WaitForAssertion(() => cut.Find("[data-testid=layout-message]").TextContent.Should().Be("SEATS now has 10 seats (10 for sale)."));
        cut.FindAll("[data-seat]").Should().HaveCount(10);
        (await Engine.TierAsync(concert.Id, "SEATS")).Should().Match<TicketBooking.Core.Concerts.Tier>(t => t.Reserved && t.Capacity == 10);

        await Engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(concert.Id, [new HoldItem("SEATS", 2, ["A-A-1", "A-A-2"])]));

        cut.WaitForAssertion(() => cut.Find("[data-seat='A-A-1']").ClassList.Should().Contain("seat-held"));
        cut.Find("[data-seat='A-A-2']").GetAttribute("aria-label").Should().EndWith(", held");
        cut.Find("[data-testid=seat-counts]").TextContent.Should().Contain("0 sold").And.Contain("2 held").And.Contain("8 available");
    }

    [Fact]
    public async Task Seats_buyers_hold_cannot_be_removed_or_taken_off_sale_and_others_get_their_flags()
    {
        var concert = await Engine.CreateSeatedConcertAsync(rows: 2, seatsPerRow: 5);
        await Engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(concert.Id, [new HoldItem("SEATS", 2, ["A-B-1", "A-B-2"])]));
        var cut = Render<SeatingSection>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElement("[data-seat='A-B-1']");

        Lay(cut, rows: 1, seatsPerRow: 5);

        cut.WaitForAssertion(() => cut.Find("[data-testid=layout-message]").TextContent.Should().Contain("Buyers hold or bought A-B-1, A-B-2"));
        cut.FindAll("[data-seat]").Should().HaveCount(10, "nothing changed");

        cut.Find("#flag-seats").Change("A-B-1");
        await Press(cut, "Take off sale");
        cut.WaitForAssertion(() => cut.Find("[data-testid=flag-message]").GetAttribute("role").Should().Be("alert"));
        cut.Find("[data-seat='A-B-1']").ClassList.Should().NotContain("seat-off");

        cut.Find("#flag-seats").Change("a-a-4, A-A-5");
        await Press(cut, "Wheelchair accessible");
        cut.WaitForAssertion(() => cut.Find("[data-testid=flag-message]").TextContent.Should().Be("Updated Section A · Row A, seats 4, 5."));
        cut.WaitForAssertion(() => cut.Find("[data-seat='A-A-5']").ClassList.Should().Contain("seat-accessible"));
        await Press(cut, "Take off sale");
        cut.WaitForAssertion(() => cut.Find("[data-seat='A-A-4']").ClassList.Should().Contain("seat-off"));
        (await Engine.TierAsync(concert.Id, "SEATS")).Capacity.Should().Be(8);
    }

    // Found and clicked on the renderer's thread, so a live update cannot redraw the button in between.
    private static Task Press(IRenderedComponent<SeatingSection> cut, string name) =>
        cut.InvokeAsync(() => cut.FindAll("button").Single(b => b.TextContent.Trim() == name).Click());
}
