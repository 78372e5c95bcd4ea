using Microsoft.Playwright;
using TicketBooking.Tests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.Support;

/// <summary>
/// Every page of the app, as a buyer walks them (the busy page while every circuit is taken, concerts, a concert with tickets chosen, checkout with and without
/// field errors, the confirmation, the seated hall's map and list, a waiting list joined and offered, an on-sale's countdown, waiting room and turn, My bookings, Find my booking, not found) and then as the organizer (sign-in, home,
/// a concert's dashboard after that sale, its door, a new concert). Each stop is handed to <paramref name="visit"/> once the page
/// is interactive, in the colours the browser asked for, and has stopped moving. The confirmation shows the tickets' QR
/// codes; the door page is visited ready and after refusing a code.
/// </summary>
public static class PageTour
{
    /// <summary>The address the tour visits for the not-found page.</summary>
    public const string MissingPage = "/no-such-page";

    public static async Task WalkAsync(IBrowserContext browser, TicketBookingApp app, ColorScheme scheme, Func<IPage, string, Task> visit)
    {
        var concert = await app.FirstConcertAsync();
        var page = await browser.NewPageAsync();

        async Task StopAsync(string name)
        {
            await page.Locator($"main[data-interactive=true][data-theme={(scheme == ColorScheme.Dark ? "dark" : "light")}]").WaitForAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            // MudBlazor animates popovers, ripples and chart bars: judge and photograph the page at rest.
            await page.EvaluateAsync("() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => {})))");
            await visit(page, name);
        }

        async Task GoAsync(string path, string name)
        {
            await page.GotoInteractiveAsync(path);
            await StopAsync(name);
        }

        // The busy page, while the instance has no circuit yet: stand-ins take every slot, the visitor is first in line;
        // when one slot is given back the page takes them in by itself.
        var slots = app.GetService<TicketBooking.Web.Limits.CircuitSlots>();
        var standIns = 0;
        while (slots.TryTake(null))
        {
            standIns++;
        }

        await page.GotoAsync($"/concerts/{concert.Id}");
        await page.WaitForPathAsync(@"/busy\?return=.+");
        await Expect(page.GetByTestId("busy-place")).ToHaveTextAsync("1st");
        await StopAsync("busy");
        for (var i = 0; i < standIns; i++)
        {
            slots.Release();
        }

        await page.WaitForPathAsync($"/concerts/{concert.Id}");
        await page.Locator("main[data-interactive=true]").WaitForAsync();

        await GoAsync("/", "concerts");

        await page.GotoInteractiveAsync($"/concerts/{concert.Id}");
        await page.ChooseTicketsAsync("VIP", 1);
        await page.ChooseTicketsAsync("General Admission", 2);
        await StopAsync("concert");

        await page.CheckOutAsync();
        await page.GetByLabel("Name on the tickets").FillAsync("Ada Lovelace");
        await page.GetByLabel("E-mail").FillAsync("ada@example.com");
        await StopAsync("checkout");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new System.Text.RegularExpressions.Regex("^Pay ") }).ClickAsync();
        await Expect(page.GetByText("Enter the card number.")).ToBeVisibleAsync();
        await StopAsync("checkout-errors");

        await BuyerJourneyTests.PayAsync(page, "4242 4242 4242 4242");
        await page.WaitForPathAsync("/bookings/[^/]+");
        await Expect(page.GetByTestId("booking-reference")).ToBeVisibleAsync();
        await StopAsync("confirmation");
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel tickets" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).WaitForAsync();
        await StopAsync("cancel-dialog");
        await page.GetByRole(AriaRole.Button, new() { Name = "Keep my tickets" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Dialog)).ToBeHiddenAsync();

        // The seated hall: best available picked on the live map, then the same seats as a list.
        var seated = await app.SeatedConcertAsync();
        await page.GotoInteractiveAsync($"/concerts/{seated.Id}");
        await page.GetByTestId("pick-best").ClickAsync();
        await Expect(page.GetByTestId("picked-seats").GetByRole(AriaRole.Listitem)).ToHaveCountAsync(2);
        await StopAsync("seat-map");
        await page.GetByRole(AriaRole.Button, new() { Name = "List" }).ClickAsync();
        await StopAsync("seat-list");

        // A sold-out tier: join its waiting list, see the place in line, then the offer when a ticket comes back.
        var soldOut = await app.CreateConcertAsync(("GA", 1_000, 2));
        using var seller = ApiBuyer.For(app);
        (await seller.HoldAsync(soldOut.Id, ("GA", 2))).EnsureSuccessStatusCode();
        await page.GotoInteractiveAsync($"/concerts/{soldOut.Id}");
        await page.GetByTestId("join-waitlist-GA").ClickAsync();
        await page.GetByLabel("E-mail").FillAsync("ada@example.com");
        await StopAsync("waitlist-join");
        await page.GetByTestId("join-waitlist-submit").ClickAsync();
        await Expect(page.GetByTestId("waitlist-position")).ToHaveTextAsync("You're next in line");
        await StopAsync("waitlist");
        (await seller.ReleaseAsync(soldOut.Id)).EnsureSuccessStatusCode();
        await Expect(page.GetByTestId("waitlist-offer")).ToBeVisibleAsync();
        await StopAsync("waitlist-offer");

        // An on-sale (the tour's app lets one buyer shop at a time): the countdown, the room before the sale, a place in line.
        var now = app.GetService<TimeProvider>().GetUtcNow();
        var upcoming = await app.CreateConcertAsync(now.AddMinutes(12), ("GA", 1_000, 100));
        await page.GotoInteractiveAsync($"/concerts/{upcoming.Id}");
        await Expect(page.GetByTestId("onsale-countdown")).ToBeVisibleAsync();
        await StopAsync("onsale");
        await page.GetByTestId("enter-room").ClickAsync();
        await Expect(page.GetByTestId("room-countdown")).ToBeVisibleAsync();
        await StopAsync("waiting-room-early");
        var selling = await app.CreateConcertAsync(now.AddMinutes(-1), ("GA", 1_000, 100));
        var ahead = Enumerable.Range(0, 3).Select(_ => ApiBuyer.For(app)).ToList();
        foreach (var buyer in ahead)
        {
            (await buyer.JoinQueueAsync(selling.Id)).EnsureSuccessStatusCode();
        }

        await page.GotoInteractiveAsync($"/concerts/{selling.Id}/queue");
        await Expect(page.GetByTestId("queue-position")).ToHaveTextAsync("3");
        await StopAsync("waiting-room");
        ahead.ForEach(b => b.Dispose());

        // Another sale with nobody ahead: the room lets the buyer in at once and the concert page says how long they have.
        var open = await app.CreateConcertAsync(now.AddMinutes(-1), ("GA", 1_000, 100));
        await page.GotoInteractiveAsync($"/concerts/{open.Id}/queue");
        await page.WaitForPathAsync($"/concerts/{open.Id}");
        await Expect(page.GetByTestId("onsale-admitted")).ToContainTextAsync("Hold your tickets within");
        await StopAsync("onsale-turn");

        await GoAsync("/bookings", "my-bookings");
        await GoAsync("/bookings/find", "find-booking");
        await GoAsync(MissingPage, "not-found");

        await GoAsync("/organizer/sign-in", "organizer-sign-in");
        await OrganizerTests.SignInAsync(page);
        await StopAsync("organizer-home");
        await page.GotoInteractiveAsync($"/organizer/concerts/{concert.Id}");
        await Expect(page.GetByTestId("sold-VIP")).ToHaveTextAsync("1");
        await StopAsync("organizer-dashboard");
        await GoAsync($"/organizer/concerts/{concert.Id}/door", "organizer-door");
        await page.GetByLabel("Ticket code").FillAsync(TicketBooking.Core.Tickets.TicketCode.New());
        await page.GetByRole(AriaRole.Button, new() { Name = "Check ticket" }).ClickAsync();
        await Expect(page.GetByTestId("door-result")).ToHaveAttributeAsync("data-state", "refused");
        await StopAsync("organizer-door-refused");
        await GoAsync("/organizer/concerts/new", "organizer-new-concert");
    }
}
