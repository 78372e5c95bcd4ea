using Microsoft.Playwright;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.EndToEnd;

[Collection(ChromiumTests.Name)]
public sealed class AccessibilityTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task The_concert_and_checkout_pages_have_no_serious_or_critical_axe_violations()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url, bypassContentSecurityPolicy: true); // axe is injected inline
        var page = await buyer.NewPageAsync();

        await page.GotoInteractiveAsync("/");
        var list = await Axe.SeriousViolationsAsync(page);
        await page.GotoInteractiveAsync($"/concerts/{concert.Id}");
        var concertPage = await Axe.SeriousViolationsAsync(page);
        await page.CheckOutAsync(("VIP", 1));
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Pay ") }).ClickAsync(); // show the validation messages too
        await page.GetByText("Enter the card number.").WaitForAsync();
        var checkout = await Axe.SeriousViolationsAsync(page);

        await page.SetContentAsync("<html lang=\"en\"><body><main><button></button></main></body></html>");
        var knownBad = await Axe.SeriousViolationsAsync(page);

        knownBad.Should().Contain(v => v.Id == "button-name", "the check itself must be able to fail");
        list.Should().BeEmpty();
        concertPage.Should().BeEmpty();
        checkout.Should().BeEmpty();
    }
}
