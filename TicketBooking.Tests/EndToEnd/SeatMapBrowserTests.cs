using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>The live seat map in a real browser: others' holds arriving, keyboard-only buying, and a phone's pan and zoom.</summary>
[Collection(ChromiumTests.Name)]
public sealed class SeatMapBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    private static ILocator Seat(IPage page, string label) => page.Locator($"[data-seat='{label}']");

    // Records, in the page, when a seat's drawing first gets a class: the moment a buyer would see the change.
    private const string WatchSeat = """
        ([label, css]) => new Promise(resolve => {
            const seat = () => document.querySelector(`[data-seat='${label}']`);
            const done = () => seat()?.classList.contains(css);
            if (done()) { resolve(Date.now()); return; }
            const observer = new MutationObserver(() => { if (done()) { observer.disconnect(); resolve(Date.now()); } });
            observer.observe(document.querySelector('.seat-map-svg'), { subtree: true, attributes: true, childList: true });
        })
        """;

    [ChromiumFact]
    public async Task A_seat_held_in_one_browser_shows_taken_in_another_and_free_again_when_released()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.CreateSeatedConcertAsync(rows: 5, seatsPerRow: 20);
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);
        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        var b = await bob.OpenAsync($"/concerts/{concert.Id}");
        await Expect(Seat(b, "A-C-12")).ToHaveClassAsync(new System.Text.RegularExpressions.Regex("seat-free"));

        await Seat(a, "A-C-12").ClickAsync();
        await Seat(a, "A-C-13").ClickAsync();
        await Expect(a.GetByTestId("picked-SEATS")).ToHaveTextAsync("2 picked");
        var taken = b.EvaluateAsync<long>(WatchSeat, new[] { "A-C-12", "seat-taken" });
        var clicked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await a.GetByRole(AriaRole.Button, new() { Name = "Checkout" }).ClickAsync();

        var shown = await taken.WaitAsync(TimeSpan.FromSeconds(15));
        await Expect(Seat(b, "A-C-12")).ToHaveAttributeAsync("aria-label", "Row C, seat 12, SEATS, $50.00, taken");
        await a.WaitForPathAsync("/checkout/[^/]+");
        await Expect(a.GetByText("Section A · Row C, seats 12, 13")).ToBeVisibleAsync();
        output.WriteLine($"Checkout clicked in A → seat drawn taken in B: {shown - clicked} ms (includes A's hold round trip)");

        var freed = b.EvaluateAsync<long>(WatchSeat, new[] { "A-C-12", "seat-free" });
        var released = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await a.CancelCheckoutAsync(concert.Id);
        output.WriteLine($"Release clicked in A → seat drawn available in B: {await freed.WaitAsync(TimeSpan.FromSeconds(15)) - released} ms");
        await Expect(Seat(b, "A-C-12")).ToHaveAttributeAsync("aria-label", "Row C, seat 12, SEATS, $50.00, available");
    }

    [ChromiumFact]
    public async Task Seats_can_be_chosen_and_bought_with_the_keyboard_alone()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.CreateSeatedConcertAsync(rows: 3, seatsPerRow: 6);
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.OpenAsync($"/concerts/{concert.Id}");
        await Seat(page, "A-A-1").WaitForAsync();

        // Tab until the map's one tab stop has focus.
        for (var i = 0; i < 40 && await page.EvaluateAsync<string?>("() => document.activeElement?.dataset?.seat ?? null") is null; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        (await page.EvaluateAsync<string?>("() => document.activeElement?.dataset?.seat ?? null")).Should().Be("A-A-1");
        await page.Keyboard.PressAsync("ArrowDown");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync("ArrowRight");
        await Expect(page.Locator(":focus")).ToHaveAttributeAsync("data-seat", "A-B-3");
        await page.Keyboard.PressAsync("Enter");
        await page.Keyboard.PressAsync("ArrowRight");
        await page.Keyboard.PressAsync(" ");
        await Expect(page.GetByTestId("picked-SEATS")).ToHaveTextAsync("2 picked");
        await Expect(Seat(page, "A-B-4")).ToHaveAttributeAsync("aria-checked", "true");

        for (var i = 0; i < 40 && await page.EvaluateAsync<string>("() => document.activeElement?.textContent?.trim() ?? ''") != "Checkout"; i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.PressAsync("Enter");
        await page.WaitForPathAsync("/checkout/[^/]+");
        await page.GetByRole(AriaRole.Timer).WaitForAsync();
        await page.GetByLabel("Name on the tickets").FocusAsync();
        await page.Keyboard.TypeAsync("Ada Lovelace");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("ada@example.com");
        await page.GetByLabel("Card number").FocusAsync();
        await page.Keyboard.TypeAsync("4242424242424242");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("12/39");
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.TypeAsync("123");
        await page.Keyboard.PressAsync("Enter");

        await page.WaitForPathAsync("/bookings/[^/]+");
        await Expect(page.GetByText("Section A · Row B, seat 3").First).ToBeVisibleAsync();
        var booked = await app.GetService<TicketBooking.Core.Seating.SeatMaps>().OrganizerStatusesAsync(concert.Id);
        booked.Where(s => s.Value is "Sold" or "Held").Should().BeEquivalentTo(new Dictionary<string, string> { ["A-B-3"] = "Sold", ["A-B-4"] = "Sold" });
    }

    [ChromiumFact]
    public async Task On_a_phone_the_page_stays_in_the_screen_and_the_map_zooms_and_pans_in_its_box()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.SeatedConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url, phone: true);
        var page = await buyer.OpenAsync($"/concerts/{concert.Id}");
        var box = page.GetByTestId("seat-map-box");
        await box.WaitForAsync();

        async Task<int[]> Sizes() => await page.EvaluateAsync<int[]>(
            "() => { const b = document.querySelector('[data-testid=seat-map-box]'); return [document.documentElement.scrollWidth, innerWidth, b.scrollWidth, b.clientWidth, b.scrollLeft]; }");

        output.WriteLine($"map markup (300 seats): {await page.EvaluateAsync<int>("() => document.querySelector('.seat-map-svg').outerHTML.length")} characters");
        var before = await Sizes();
        before[0].Should().BeLessThanOrEqualTo(before[1], "the page is no wider than the phone");
        before[2].Should().BeLessThanOrEqualTo(before[3] + 1, "fitted, the whole map shows");

        // The zoom buttons are live once the map's script has attached (it marks the box with its zoom).
        await Expect(box).ToHaveAttributeAsync("data-zoom", "1");
        for (var i = 0; i < 3; i++)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Zoom in" }).ClickAsync();
        }

        await Expect(box).ToHaveAttributeAsync("data-zoom", "4");

        var zoomed = await Sizes();
        zoomed[2].Should().BeGreaterThan(zoomed[3] * 35 / 10, "zoomed three steps the map is 4 × its box");
        zoomed[0].Should().BeLessThanOrEqualTo(zoomed[1], "zooming happens inside the box; the page never scrolls sideways");
        (await Seat(page, "C-A-5").BoundingBoxAsync())!.Width.Should().BeGreaterThanOrEqualTo(40, "a zoomed seat is thumb-sized");

        // Pan: a swipe inside the box scrolls the box (the browser's own panning of an overflow box).
        await box.EvaluateAsync("b => b.scrollBy({ left: 150 })");
        (await Sizes())[4].Should().BeGreaterThan(zoomed[4]);
        (await Sizes())[0].Should().BeLessThanOrEqualTo(zoomed[1]);

        await Seat(page, "C-A-5").ScrollIntoViewIfNeededAsync();
        await Seat(page, "C-A-5").TapAsync();
        await Expect(page.GetByTestId("picked-FRONT_ROW")).ToHaveTextAsync("1 picked");

        await page.GetByRole(AriaRole.Button, new() { Name = "Fit the whole map" }).ClickAsync();
        await Expect(box).ToHaveAttributeAsync("data-zoom", "1");
        var fitted = await Sizes();
        fitted[2].Should().BeLessThanOrEqualTo(fitted[3] + 1);
    }
}
