using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Bookings;

namespace TicketBooking.Tests.Components.Bookings;

public sealed class BookingPagesTests : ComponentTest
{
    private async Task<Booking> BookAsync(BuyerId buyer, int vip) =>
        await BookAsync(buyer, (await ConcertAsync(("VIP", 10_000, 10))).Id, "Ada Lovelace", ("VIP", vip));

    [Fact]
    public async Task The_confirmation_shows_reference_concert_items_total_and_time()
    {
        var booking = await BookAsync(Buyer, 2);

        var cut = Render<ConfirmationPage>(p => p.Add(x => x.BookingId, booking.Id));

        cut.WaitForAssertion(() => cut.Find("[data-testid=booking-reference]").TextContent.Should().Be(booking.Reference));
        cut.Markup.Should().Contain("Test Artist").And.Contain("$200.00").And.Contain("Booked ").And.Contain("for Ada Lovelace");
        cut.FindAll("tbody tr").Single().TextContent.Should().Be("VIP2$100.00$200.00");
    }

    [Fact]
    public async Task The_confirmation_shows_each_tickets_qr_code_and_typed_code_and_the_print_page_one_per_ticket()
    {
        var booking = await BookAsync(Buyer, 3);

        var cut = Render<ConfirmationPage>(p => p.Add(x => x.BookingId, booking.Id));

        var cards = cut.WaitForElements("[data-ticket]");
        cards.Select(c => c.QuerySelector("h3")!.TextContent).Should().Equal("VIP · ticket 1 of 3", "VIP · ticket 2 of 3", "VIP · ticket 3 of 3");
        cards.Select(c => c.QuerySelector(".ticket-code code")!.TextContent).Should().Equal(booking.Tickets.Select(t => t.DisplayCode));
        cards.Should().OnlyContain(c => c.QuerySelector(".ticket-qr svg") != null);
        cut.Find("a[href$='/tickets']").GetAttribute("href").Should().Be($"bookings/{booking.Id}/tickets");

        var print = Render<PrintTicketsPage>(p => p.Add(x => x.BookingId, booking.Id));
        var printed = print.WaitForElements("article.printed-ticket");
        printed.Should().HaveCount(3);
        printed[1].TextContent.Should().Contain("Test Artist").And.Contain("Test Hall").And.Contain("VIP").And.Contain("2 of 3")
            .And.Contain("Ada Lovelace").And.Contain(booking.Reference).And.Contain(booking.Tickets[1].DisplayCode);
    }

    [Fact]
    public async Task Cancel_asks_which_tickets_shows_the_refund_and_cancels_only_those()
    {
        var booking = await BookAsync(Buyer, 3);
        var cut = Render<ConfirmationPage>(p => p.Add(x => x.BookingId, booking.Id));
        cut.WaitForElements("[data-ticket]");

        var asking = cut.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel tickets").ClickAsync(new());
        var dialog = Root.WaitForElement(".mud-dialog");
        dialog.QuerySelectorAll("input[type=checkbox]").Should().HaveCount(3);
        Root.Find("[data-testid=refund-total]").TextContent.Should().Contain("$300.00");
        await Root.FindAll(".mud-dialog input[type=checkbox]")[1].ChangeAsync(new Microsoft.AspNetCore.Components.ChangeEventArgs { Value = false });
        Root.Find("[data-testid=refund-total]").TextContent.Should().Contain("$200.00");
        await Root.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Cancel 2 tickets").ClickAsync(new());
        await asking;

        cut.WaitForAssertion(() => cut.Find("[data-testid=cancel-message]").TextContent.Should().Contain("$200.00"));
        cut.FindAll("[data-ticket]").Select(t => t.GetAttribute("data-status")).Should().Equal("Cancelled", "Valid", "Cancelled");
        (await Engine.Bookings.GetAsync(Buyer, booking.Id))!.Status.Should().Be("partiallyCancelled");
        Engine.Gateway.Refunds.Should().ContainSingle().Which.AmountCents.Should().Be(20_000);
    }

    [Fact]
    public async Task Another_buyers_tickets_are_not_printed()
    {
        var theirs = await BookAsync(BuyerId.New(), 1);

        var cut = Render<PrintTicketsPage>(p => p.Add(x => x.BookingId, theirs.Id));

        cut.WaitForAssertion(() => cut.Find("h1").TextContent.Should().Be("Tickets not found"));
        cut.Markup.Should().NotContain(theirs.Tickets[0].Code[..8]);
    }

    [Fact]
    public async Task Another_buyers_booking_is_not_found()
    {
        var theirs = await BookAsync(BuyerId.New(), 1);

        var cut = Render<ConfirmationPage>(p => p.Add(x => x.BookingId, theirs.Id));

        cut.WaitForAssertion(() => cut.Find("h1").TextContent.Should().Be("Booking not found"));
        cut.Markup.Should().NotContain(theirs.Reference);
    }

    [Fact]
    public async Task My_bookings_lists_only_the_current_buyers_bookings()
    {
        var mine = await BookAsync(Buyer, 1);
        var alsoMine = await BookAsync(Buyer, 3);
        var theirs = await BookAsync(BuyerId.New(), 2);

        var cut = Render<MyBookingsPage>();

        cut.WaitForAssertion(() => cut.FindAll("[data-testid=booking-reference]").Select(r => r.TextContent)
            .Should().BeEquivalentTo(mine.Reference, alsoMine.Reference));
        cut.Markup.Should().NotContain(theirs.Reference);
    }

    [Fact]
    public void With_no_bookings_the_page_says_so()
    {
        var cut = Render<MyBookingsPage>();

        cut.WaitForAssertion(() => cut.Markup.Should().Contain("You have no bookings yet."));
    }

    [Fact]
    public async Task Find_my_booking_brings_a_booking_from_another_browser_here_and_opens_it()
    {
        var fromAnotherBrowser = await BookAsync(BuyerId.New(), 2);
        var cut = Render<FindBookingPage>();

        cut.Find("#reference").Change(fromAnotherBrowser.Reference.ToLowerInvariant());
        cut.Find("#email").Change("ADA@example.com");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => Navigation.Uri.Should().EndWith($"/bookings/{fromAnotherBrowser.Id}"));
        (await Engine.Bookings.ListAsync(Buyer)).Select(b => b.Id).Should().Equal(fromAnotherBrowser.Id);
    }

    [Fact]
    public async Task Find_my_booking_with_a_wrong_email_says_nothing_was_found_and_moves_nothing()
    {
        var someoneElses = await BookAsync(BuyerId.New(), 1);
        var cut = Render<FindBookingPage>();

        cut.Find("#reference").Change(someoneElses.Reference);
        cut.Find("#email").Change("not-ada@example.com");
        cut.Find("form").Submit();

        cut.WaitForAssertion(() => cut.Find("[data-testid=find-message]").TextContent.Should().Contain("No booking has this reference and e-mail"));
        (await Engine.Bookings.ListAsync(Buyer)).Should().BeEmpty();
    }

    [Fact]
    public void Find_my_booking_explains_missing_fields_at_the_field()
    {
        var cut = Render<FindBookingPage>();

        cut.Find("form").Submit();

        cut.Markup.Should().Contain("Enter the booking reference").And.Contain("Enter the e-mail address the booking was made with.");
    }
}
