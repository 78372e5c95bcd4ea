using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

[Collection(ChromiumTests.Name)]
public sealed class BuyerJourneyTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task A_checkout_by_one_buyer_shows_live_on_anothers_page_and_the_booking_is_only_in_the_payers_list()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);
        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        var b = await bob.OpenAsync($"/concerts/{concert.Id}");
        await Expect(b.GetByTestId("available-VIP")).ToHaveTextAsync("100");

        await a.CheckOutAsync(("VIP", 2));

        await Expect(b.GetByTestId("available-VIP")).ToHaveTextAsync("98", new() { Timeout = 2_000 });
        await Expect(a.GetByTestId("total")).ToHaveTextAsync("$200.00");
        await PayAsync(a, "4242 4242 4242 4242");
        await a.WaitForPathAsync("/bookings/[^/]+");
        var reference = await a.GetByTestId("booking-reference").TextContentAsync();
        reference.Should().MatchRegex("^[A-Z2-9]{4}-[A-Z2-9]{4}$");

        await a.GotoInteractiveAsync("/bookings");
        await b.GotoInteractiveAsync("/bookings");
        await Expect(a.GetByTestId("booking-reference")).ToHaveTextAsync(reference!);
        await Expect(b.GetByText("You have no bookings yet")).ToBeVisibleAsync();
        (await b.ContentAsync()).Should().NotContain(reference);
    }

    internal static async Task PayAsync(IPage page, string card)
    {
        await page.GetByLabel("Name on the tickets").FillAsync("Ada Lovelace");
        await page.GetByLabel("E-mail").FillAsync("ada@example.com");
        await page.GetByLabel("Card number").FillAsync(card);
        await page.GetByLabel("Expiry (MM/YY)").FillAsync("12/39");
        await page.GetByLabel("Security code").FillAsync("123");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Pay ") }).ClickAsync();
    }
}
