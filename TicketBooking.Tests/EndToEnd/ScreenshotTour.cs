using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>
/// Walks the main pages as a buyer and an organizer and, when SCREENSHOTS_DIR is set, saves what they look like
/// (the README's pictures come from here). Always asserts that each page rendered interactively without errors.
/// </summary>
[Collection(ChromiumTests.Name)]
public sealed class ScreenshotTour(Chromium chromium)
{
    private static readonly string? Directory = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR");

    [ChromiumFact]
    public async Task Buyer_and_organizer_pages_render_without_browser_errors()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, m) =>
        {
            if (m.Type == "error")
            {
                errors.Add(m.Text);
            }
        };

        await page.GotoInteractiveAsync("/");
        await page.GotoInteractiveAsync($"/concerts/{concert.Id}");
        await page.ChooseTicketsAsync("VIP", 1);
        await page.ChooseTicketsAsync("General Admission", 2);
        await SnapAsync(page, "concert");
        await page.CheckOutAsync();
        await page.GetByLabel("Name on the tickets").FillAsync("Ada Lovelace");
        await page.GetByLabel("E-mail").FillAsync("ada@example.com");
        await SnapAsync(page, "checkout");
        await BuyerJourneyTests.PayAsync(page, "4242 4242 4242 4242");
        await page.WaitForPathAsync("/bookings/[^/]+");

        await using var organizer = await chromium.NewBuyerAsync(url);
        var admin = await organizer.NewPageAsync();
        await OrganizerTests.SignInAsync(admin);
        await admin.GotoInteractiveAsync($"/organizer/concerts/{concert.Id}");
        await Expect(admin.GetByTestId("sold-VIP")).ToHaveTextAsync("1");
        await SnapAsync(admin, "organizer-dashboard");

        errors.Should().BeEmpty();
    }

    private static async Task SnapAsync(IPage page, string name)
    {
        if (Directory is not null)
        {
            await page.ScreenshotAsync(new() { Path = Path.Combine(Directory, $"{name}.png"), FullPage = true });
        }
    }
}
