using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

[Collection(ChromiumTests.Name)]
public sealed class OrganizerTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task A_concert_the_organizer_creates_is_offered_on_an_open_buyers_page_and_the_dashboard_follows_checkouts()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        await using var organizerContext = await chromium.NewBuyerAsync(url);
        await using var buyerContext = await chromium.NewBuyerAsync(url);
        var organizer = await organizerContext.NewPageAsync();
        var buyer = await buyerContext.NewPageAsync();
        await buyer.GotoInteractiveAsync("/");
        await Expect(buyer.GetByText("5 of 5 concerts")).ToBeVisibleAsync();

        await SignInAsync(organizer);
        await organizer.GetByRole(AriaRole.Link, new() { Name = "New concert" }).ClickAsync();
        await organizer.Locator("main[data-interactive=true]").WaitForAsync();
        await organizer.GetByLabel("Artist").FillAsync("The Browser Band");
        await organizer.GetByLabel("Concert name").FillAsync("Live in Chromium");
        await organizer.GetByLabel("Venue", new() { Exact = true }).FillAsync("Headless Hall");
        await organizer.GetByLabel("City").FillAsync("Berlin");
        await organizer.ChooseAsync("Venue time zone", "Europe/Berlin");
        await organizer.GetByLabel("Starts (venue time)").FillAsync($"{DateTime.UtcNow.AddDays(90):yyyy-MM-dd}T20:00");
        await organizer.GetByRole(AriaRole.Button, new() { Name = "Create concert" }).ClickAsync();
        await organizer.WaitForPathAsync("/organizer/concerts/[^/]+");

        // The buyer's list (a page without a circuit) offers the new concert rather than loading itself again.
        await buyer.GetByRole(AriaRole.Link, new() { Name = "Show it" }).ClickAsync();
        await Expect(buyer.GetByText("6 of 6 concerts")).ToBeVisibleAsync(new() { Timeout = 5_000 });
        await Expect(buyer.GetByRole(AriaRole.Link, new() { Name = "The Browser Band", Exact = true })).ToBeVisibleAsync();
        await Expect(organizer.GetByTestId("held-VIP")).ToHaveTextAsync("0");

        await buyer.GetByRole(AriaRole.Link, new() { Name = "The Browser Band", Exact = true }).ClickAsync();
        await buyer.Locator("main[data-interactive=true]").WaitForAsync();
        await buyer.CheckOutAsync(("VIP", 2));

        await Expect(organizer.GetByTestId("held-VIP")).ToHaveTextAsync("2", new() { Timeout = 5_000 });
        await Expect(organizer.GetByTestId("available-VIP")).ToHaveTextAsync("98");
        await BuyerJourneyTests.PayAsync(buyer, "4242 4242 4242 4242");
        await Expect(organizer.GetByTestId("sold-VIP")).ToHaveTextAsync("2", new() { Timeout = 5_000 });
        await Expect(organizer.GetByTestId("held-VIP")).ToHaveTextAsync("0");
        await Expect(organizer.GetByTestId("revenue")).ToHaveTextAsync("$200.00");
    }

    [ChromiumFact]
    public async Task A_buyer_cannot_open_organizer_pages_and_a_wrong_password_is_refused()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        await using var context = await chromium.NewBuyerAsync(url);
        var page = await context.NewPageAsync();

        await page.GotoAsync("/organizer");
        await page.WaitForPathAsync("/organizer/sign-in(\\?.*)?");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await page.GetByLabel("Password").FillAsync("not the password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "password" })).ToHaveTextAsync("That password is not correct.");
        await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        await page.GotoAsync("/organizer/concerts/new");
        await page.WaitForPathAsync("/organizer/sign-in(\\?.*)?");
    }

    internal static async Task SignInAsync(IPage page)
    {
        await page.GotoInteractiveAsync("/organizer/sign-in");
        await page.GetByLabel("Password").FillAsync(TicketBookingApp.OrganizerPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForPathAsync("/organizer");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
    }
}
