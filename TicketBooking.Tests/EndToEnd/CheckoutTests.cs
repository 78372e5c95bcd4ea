using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

[Collection(ChromiumTests.Name)]
public sealed class CheckoutTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task A_declined_card_shows_the_message_keeps_the_countdown_running_and_a_second_card_books()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.OpenAsync($"/concerts/{concert.Id}");
        await page.CheckOutAsync(("Front Row", 1));
        var timer = page.GetByRole(AriaRole.Timer);
        var before = await timer.TextContentAsync();

        await BuyerJourneyTests.PayAsync(page, "4000 0000 0000 0002");

        await Expect(page.GetByTestId("checkout-message")).ToContainTextAsync("declined");
        await Expect(page.GetByTestId("checkout-message")).ToContainTextAsync("still held");
        await Expect(timer).Not.ToHaveTextAsync(before!, new() { Timeout = 5_000 }); // still counting down
        await Expect(page.GetByLabel("Card number")).ToHaveValueAsync("");
        await page.GetByLabel("Card number").FillAsync("4242 4242 4242 4242");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Pay ") }).ClickAsync();
        await page.WaitForPathAsync("/bookings/[^/]+");
        await Expect(page.GetByTestId("booking-reference")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex("^[A-Z2-9]{4}-[A-Z2-9]{4}$"));
    }

    [ChromiumFact]
    public async Task When_the_hold_runs_out_the_page_says_so_and_another_buyer_sees_the_tickets_come_back()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["Holds:Duration"] = "00:00:04",
            ["Holds:HiddenGrace"] = "00:00:02",
            ["Holds:SweepInterval"] = "00:00:01",
        });
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);
        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        var b = await bob.OpenAsync($"/concerts/{concert.Id}");

        await a.CheckOutAsync(("VIP", 3));
        await Expect(b.GetByTestId("available-VIP")).ToHaveTextAsync("97");

        await Expect(a.GetByText("Your hold expired", new() { Exact = true })).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Expect(a.GetByRole(AriaRole.Link, new() { Name = "Choose tickets again" })).ToBeVisibleAsync();
        await Expect(b.GetByTestId("available-VIP")).ToHaveTextAsync("100", new() { Timeout = 10_000 });
    }

    [ChromiumFact]
    public async Task Cancel_asks_first_and_then_releases_the_hold_at_once()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.OpenAsync($"/concerts/{concert.Id}");
        await page.CheckOutAsync(("General Admission", 4));

        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Keep them" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("GA")!.Held.Should().Be(4, "keeping them keeps the hold");

        await page.CancelCheckoutAsync(concert.Id);

        await Expect(page.GetByTestId("available-GA")).ToHaveTextAsync("1,000");
    }
}
