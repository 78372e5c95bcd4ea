using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Organizer;

namespace TicketBooking.Tests.Components.Organizer;

public sealed class OrganizerBookingLookupTests : ComponentTest
{
    public OrganizerBookingLookupTests()
        : base(holds => holds.MaxPerTier = 4)
    {
        SignInAs(Buyer, organizer: true);
    }

    [Fact]
    public async Task The_organizer_finds_a_booking_by_reference_and_cancels_it_whatever_the_deadline()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10));
        var buyer = BuyerId.New();
        var booking = await BookAsync(buyer, concert.Id, "Grace Hopper", ("VIP", 2));
        var cut = Render<OrganizerBookingLookup>(p => p.Add(x => x.ConcertId, concert.Id));

        cut.Find("#organizer-reference").Change("nope-nope");
        await cut.Find("form").SubmitAsync();
        cut.Find("[data-testid=organizer-booking-message]").TextContent.Should().Contain("No booking of this concert");

        cut.Find("#organizer-reference").Change(booking.Reference.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal));
        await cut.Find("form").SubmitAsync();
        cut.Find("[data-testid=organizer-booking]").TextContent.Should().Contain("Grace Hopper").And.Contain("grace@example.com").And.Contain("2 valid");
        var asking = cut.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel and refund").ClickAsync(new());
        Root.WaitForElement(".mud-dialog").TextContent.Should().Contain("the buyer's card");
        await Root.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel 2 tickets").ClickAsync(new());
        await asking;

        cut.WaitForAssertion(() => cut.Find("[data-testid=organizer-booking-message]").TextContent.Should().Contain("$200.00 refunded"));
        cut.Find("[data-testid=organizer-booking]").TextContent.Should().Contain("2 cancelled");
        (await Engine.Bookings.GetAsync(buyer, booking.Id))!.Status.Should().Be("cancelled");
    }
}
