using Microsoft.Playwright;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.EndToEnd;

[Collection(ChromiumTests.Name)]
public sealed class SmokeTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task The_concert_list_becomes_interactive_and_filters_by_city_in_a_real_browser()
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
        await page.ChooseAsync("City", "London");

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("1 of 5 concerts");
        await Assertions.Expect(page.GetByRole(AriaRole.Article)).ToHaveCountAsync(1);
        errors.Should().BeEmpty();
    }
}
