using Bunit;
using TicketBooking.Core;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Checkout;

namespace TicketBooking.Tests.Components.Checkout;

public sealed class CheckoutPageTests : ComponentTest
{
    private async Task<(Guid ConcertId, IRenderedComponent<CheckoutPage> Page)> OpenCheckoutAsync()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        await HoldAsync(concert.Id, ("VIP", 2), ("GA", 1));
        var cut = Render<CheckoutPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElement("[role=timer]");
        return (concert.Id, cut);
    }

    private static void Fill(IRenderedComponent<CheckoutPage> cut, string card, string name = "Ada Lovelace", string email = "ada@example.com")
    {
        cut.Find("#buyer-name").Change(name);
        cut.Find("#buyer-email").Change(email);
        cut.Find("#card-number").Change(card);
        cut.Find("#card-expiry").Change("12/39");
        cut.Find("#card-cvc").Change("123");
    }

    [Fact]
    public async Task Shows_the_held_items_total_and_a_countdown_from_the_servers_expiry()
    {
        var (_, cut) = await OpenCheckoutAsync();

        cut.FindAll("tbody tr").Select(r => r.TextContent).Should().Equal("VIP2$200.00", "GA1$10.00");
        cut.Find("[data-testid=total]").TextContent.Should().Be("$210.00");
        cut.Find("[role=timer]").TextContent.Should().Be("10:00");
        cut.Find("button[type=submit]").TextContent.Trim().Should().Be("Pay $210.00");
    }

    [Fact]
    public async Task Submitting_an_empty_form_shows_each_fields_message_and_charges_nothing()
    {
        var (_, cut) = await OpenCheckoutAsync();

        await cut.Find("form").SubmitAsync();

        FieldErrors().Should().BeEquivalentTo(
            "Enter the name the tickets are for.", "Enter an e-mail address for the confirmation.", "Enter the card number.",
            "Enter the expiry date as MM/YY.", "Enter the 3 or 4 digit security code.");
        Engine.Gateway.Attempts.Should().Be(0);
    }

    [Fact]
    public async Task An_invalid_email_is_explained()
    {
        var (_, cut) = await OpenCheckoutAsync();
        Fill(cut, "4242 4242 4242 4242", email: "ada@");

        await cut.Find("form").SubmitAsync();

        FieldErrors().Should().Equal("Enter a valid e-mail address, like name@example.com.");
        Engine.Gateway.Attempts.Should().Be(0);
    }

    [Fact]
    public async Task A_declined_card_says_so_keeps_the_hold_and_the_next_card_books_once()
    {
        var (concertId, cut) = await OpenCheckoutAsync();
        Fill(cut, "4000 0000 0000 0002");

        await cut.Find("form").SubmitAsync();

        cut.Find("[data-testid=checkout-message]").TextContent.Should().Contain("declined").And.Contain("still held");
        cut.Find("#card-number").GetAttribute("value").Should().BeEmpty();
        (await Engine.Holds.GetAsync(Buyer, concertId)).Should().NotBeNull();
        cut.Find("[role=timer]").TextContent.Should().Be("10:00");

        cut.Find("#card-number").Change("4242 4242 4242 4242");
        await cut.Find("form").SubmitAsync();

        var bookings = await Engine.Bookings.ListAsync(Buyer);
        bookings.Should().ContainSingle();
        Navigation.Uri.Should().EndWith($"/bookings/{bookings[0].Id}");
        Engine.Gateway.Charges.Should().ContainSingle(c => !c.Voided);
    }

    [Fact]
    public async Task When_the_countdown_reaches_zero_the_page_shows_the_expired_state_and_offers_to_try_again()
    {
        var (concertId, cut) = await OpenCheckoutAsync();
        cut.WaitForAssertion(() => Engine.Time.ActiveTimers.Should().BeGreaterThanOrEqualTo(2)); // the countdown's tick and the heartbeat

        Engine.Time.Advance(Engine.HoldOptions.Duration);

        cut.WaitForAssertion(() => cut.Find("[role=alert]").TextContent.Should().Contain("Your hold expired"));
        cut.Find("a.mud-button-root").GetAttribute("href").Should().Be($"concerts/{concertId}");
    }

    [Fact]
    public async Task Cancel_releases_the_hold_and_returns_to_the_concert()
    {
        var (concertId, cut) = await OpenCheckoutAsync();

        // The Cancel handler waits for the buyer's answer in the dialog, so its click completes only after that answer.
        var cancelling = cut.FindAll("button").Single(b => b.TextContent.Trim() == "Cancel").ClickAsync(new());
        (await Engine.Holds.GetAsync(Buyer, concertId)).Should().NotBeNull("nothing is released before the buyer confirms");
        var release = Root.WaitForElements(".mud-dialog button").Single(b => b.TextContent.Trim() == "Release tickets");
        await release.ClickAsync(new());
        await cancelling;

        (await Engine.Holds.GetAsync(Buyer, concertId)).Should().BeNull();
        Navigation.Uri.Should().EndWith($"/concerts/{concertId}");
    }

    [Fact]
    public async Task Without_a_hold_the_page_says_so_instead_of_a_form()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10));

        var cut = Render<CheckoutPage>(p => p.Add(x => x.ConcertId, concert.Id));

        cut.WaitForAssertion(() => cut.Find("[role=alert]").TextContent.Should().Contain("You have no tickets held for this concert"));
        cut.FindAll("form").Should().BeEmpty();
    }

    [Fact]
    public async Task A_heartbeat_with_activity_renews_the_hold_and_the_countdown_follows()
    {
        var (concertId, cut) = await OpenCheckoutAsync();
        cut.WaitForAssertion(() => Engine.Time.ActiveTimers.Should().BeGreaterThanOrEqualTo(2), TimeSpan.FromSeconds(5)); // countdown and heartbeat

        await cut.InvokeAsync(() => cut.Instance.OnActivity());
        Engine.Time.Advance(Engine.HoldOptions.Heartbeat);

        var renewedTo = Engine.Time.GetUtcNow() + Engine.HoldOptions.Duration;
        cut.WaitForAssertion(() => cut.Find("[role=timer]").TextContent.Should().Be("10:00"));
        (await Engine.Holds.GetAsync(Buyer, concertId))!.ExpiresAt.Should().Be(renewedTo);
    }
}
