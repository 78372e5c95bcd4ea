using Microsoft.Playwright;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.EndToEnd;

[Collection(ChromiumTests.Name)]
public sealed class SmokeTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task The_concert_list_filters_by_city_in_a_real_browser()
    {
        await using var app = new TicketBookingApp();
        await using var buyer = await chromium.NewBuyerAsync(app.StartKestrel());
        var page = await buyer.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Add(message.Text);
            }
        };

        await page.GotoInteractiveAsync("/");
        await page.GetByLabel("City").SelectOptionAsync("London");

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 of 5 concerts");
        await Assertions.Expect(page.GetByRole(AriaRole.Article)).ToHaveCountAsync(1);
        page.Url.Should().EndWith("/?city=London", "the filter is a plain form: the address can be shared");
        errors.Should().BeEmpty();
    }

    [ChromiumFact]
    public async Task The_concert_list_updates_live_without_a_circuit()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 10));
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.NewPageAsync();
        var sockets = new List<string>();
        page.WebSocket += (_, socket) => sockets.Add(socket.Url);
        await page.GotoInteractiveAsync("/");
        var card = page.Locator($"[data-concert-id='{concert.Id}']");
        await Assertions.Expect(card).ToContainTextAsync("from $10.00");

        using var other = ApiBuyer.For(app);
        (await other.HoldAsync(concert.Id, ("GA", 9))).EnsureSuccessStatusCode();
        await Assertions.Expect(card.GetByText("Selling fast")).ToBeVisibleAsync();
        (await other.HoldAsync(concert.Id, ("GA", 10))).EnsureSuccessStatusCode();

        await Assertions.Expect(card.GetByText("Sold out")).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByText("No tickets left")).ToBeVisibleAsync();
        await Assertions.Expect(card.GetByText("Selling fast")).ToBeHiddenAsync();
        sockets.Should().BeEmpty("watching the list costs one event stream, not a circuit");
    }

    [ChromiumFact]
    public async Task A_dark_system_gets_dark_pages_from_the_first_byte_after_the_first_visit_and_a_chosen_light_stays_light()
    {
        await using var app = new TicketBookingApp();
        await using var buyer = await chromium.NewBuyerAsync(app.StartKestrel(), colorScheme: ColorScheme.Dark);
        var page = await buyer.NewPageAsync();
        async Task<string> FirstByteThemeAsync() =>
            System.Text.RegularExpressions.Regex.Match(await (await buyer.APIRequest.GetAsync("/bookings")).TextAsync(), "data-theme=\"(\\w+)\"").Groups[1].Value;

        (await FirstByteThemeAsync()).Should().Be("light", "nothing is known before the first visit");
        await page.GotoInteractiveAsync("/");
        await page.Locator("main[data-theme=dark]").WaitForAsync();
        await Assertions.Expect(page.Locator("main[data-theme=dark]")).ToBeVisibleAsync();
        (await FirstByteThemeAsync()).Should().Be("dark", "the system's setting was remembered");

        await page.GetByRole(AriaRole.Button, new() { Name = "Use light colours" }).ClickAsync();
        await page.Locator("main[data-theme=light]").WaitForAsync();
        await page.ReloadAsync();
        await page.Locator("main[data-interactive=true]").WaitForAsync();

        (await FirstByteThemeAsync()).Should().Be("light", "the buyer's own choice beats the system's");
        await Assertions.Expect(page.Locator("main")).ToHaveAttributeAsync("data-theme", "light");
    }
}
