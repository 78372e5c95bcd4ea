using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Limits;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>The pages go through the same limits as the API, and one address cannot open circuits without end.</summary>
[Collection(ChromiumTests.Name)]
public sealed class FairUseTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task Holds_placed_on_the_page_count_against_the_same_per_buyer_limit_as_api_holds()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:HoldsPerMinute"] = "2",
        });
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.OpenAsync($"/concerts/{concert.Id}");

        for (var i = 0; i < 2; i++)
        {
            await page.CheckOutAsync(("VIP", 1));
            await page.CancelCheckoutAsync(concert.Id);
        }

        var cookie = (await buyer.CookiesAsync()).Single(c => c.Name == TicketBooking.Web.Identity.BuyerSession.CookieName);
        using var api = new HttpClient { BaseAddress = url };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds")
        {
            Content = JsonContent.Create(new { concertId = concert.Id, items = new[] { new { tier = "VIP", quantity = 1 } } }),
        };
        request.Headers.Add("Cookie", $"{cookie.Name}={cookie.Value}");
        using var viaApi = await api.SendAsync(request);

        viaApi.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the two page holds used this buyer's allowance");
        await page.ChooseTicketsAsync("VIP", 1);
        await page.GetByRole(AriaRole.Button, new() { Name = "Checkout" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert).Filter(new() { HasText = "changed your tickets very often" })).ToBeVisibleAsync();
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("VIP")!.Held.Should().Be(0);
    }

    [ChromiumFact]
    public async Task One_address_gets_only_so_many_circuits_is_told_why_and_a_closed_tab_frees_its_place()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "true",
            ["Limits:CircuitsPerAddress"] = "2",
        });
        var url = app.StartKestrel();
        var slots = app.GetService<CircuitSlots>();
        await using var visitor = await chromium.NewBuyerAsync(url);
        var first = await visitor.OpenAsync("/bookings");
        var second = await visitor.OpenAsync("/bookings");
        var refused = app.Log.WaitForAsync(e => e.Message.StartsWith("Limit circuits refused client", StringComparison.Ordinal));

        var third = await visitor.NewPageAsync();
        await third.GotoAsync("/bookings");
        await refused.WaitAsync(TimeSpan.FromSeconds(30));

        await Expect(third.Locator("#blazor-error-ui")).ToContainTextAsync("Too many open pages from your network. Close some tabs and reload this page.");
        await Expect(third.Locator("main")).ToHaveAttributeAsync("data-interactive", "false");
        slots.Taken.Should().Be(2, "the refused page has no circuit");
        await first.CloseAsync();
        await third.GotoInteractiveAsync("/bookings");
        await Expect(third.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        await second.CloseAsync();
    }
}
