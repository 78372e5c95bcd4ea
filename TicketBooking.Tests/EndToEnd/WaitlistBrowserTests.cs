using System.Net;
using System.Net.Http.Json;
using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>The waiting list in real browsers: an offer arriving live on a waiting buyer's open page, and paid.</summary>
[Collection(ChromiumTests.Name)]
public sealed class WaitlistBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    // Resolves, in the page, with the moment the offer is first drawn: when the waiting buyer would see it.
    private const string WatchOffer = """
        () => new Promise(resolve => {
            const shown = () => document.querySelector('[data-testid=waitlist-offer]') !== null;
            if (shown()) { resolve(Date.now()); return; }
            const observer = new MutationObserver(() => { if (shown()) { observer.disconnect(); resolve(Date.now()); } });
            observer.observe(document.body, { subtree: true, childList: true });
        })
        """;

    [ChromiumFact]
    public async Task B_waits_A_cancels_and_Bs_open_page_shows_the_offer_live_and_B_pays()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 2), ("VIP", 10_000, 10));
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);
        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        await a.CheckOutAsync(("GA", 2));
        await BuyerJourneyTests.PayAsync(a, "4242 4242 4242 4242");
        await a.WaitForPathAsync("/bookings/[^/]+");

        var b = await bob.OpenAsync($"/concerts/{concert.Id}");
        await b.GetByTestId("join-waitlist-GA").ClickAsync();
        await b.GetByLabel("E-mail").FillAsync("bob@example.com");
        await b.GetByTestId("join-waitlist-submit").ClickAsync();
        await Expect(b.GetByTestId("waitlist-position")).ToHaveTextAsync("You're next in line");
        await Expect(b.GetByTestId("waitlist-chip-GA")).ToHaveTextAsync("1st in line");

        var offer = b.EvaluateAsync<long>(WatchOffer);
        await a.GetByRole(AriaRole.Button, new() { Name = "Cancel tickets" }).ClickAsync();
        var clicked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        await a.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Cancel 2 tickets" }).ClickAsync();

        var shown = await offer.WaitAsync(TimeSpan.FromSeconds(15));
        output.WriteLine($"Cancel confirmed in A → offer drawn on B's open page: {shown - clicked} ms (includes A's refund round trip)");
        await Expect(b.GetByTestId("waitlist-offer")).ToContainTextAsync("Your 2 GA tickets are held");
        await Expect(b.GetByText("Good news: 2 GA tickets for Test Artist came back")).ToBeVisibleAsync();

        await b.GetByTestId("pay-offer").ClickAsync();
        await b.WaitForPathAsync("/checkout/[^/]+");
        await Expect(b.GetByTestId("total")).ToHaveTextAsync("$20.00");
        await BuyerJourneyTests.PayAsync(b, "4242 4242 4242 4242");
        await b.WaitForPathAsync("/bookings/[^/]+");
        await b.GotoInteractiveAsync("/bookings");
        await Expect(b.GetByTestId("booking-reference")).ToHaveCountAsync(1);
        await Expect(b.GetByTestId("my-waitlist")).ToHaveCountAsync(0, new() { Timeout = 5_000 });
    }

    [ChromiumFact]
    public async Task Offer_after_offer_reaches_the_waiting_page_live()
    {
        const int Rounds = 30;
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 1));
        using var seller = ApiBuyer.For(app);
        await using var bob = await chromium.NewBuyerAsync(url);
        var b = await bob.OpenAsync($"/concerts/{concert.Id}");
        var latencies = new List<long>();
        for (var round = 0; round < Rounds; round++)
        {
            (await seller.HoldAsync(concert.Id, ("GA", 1))).EnsureSuccessStatusCode();
            var joined = await bob.APIRequest.PostAsync("/api/waitlist", new() { DataObject = new { concertId = concert.Id, tier = "GA", quantity = 1, email = "bob@example.com" } });
            joined.Status.Should().Be((int)HttpStatusCode.Created, await joined.TextAsync());
            var entryId = (await joined.JsonAsync())!.Value.GetProperty("id").GetGuid();
            await Expect(b.GetByTestId("waitlist-position")).ToHaveTextAsync("You're next in line");

            var offer = b.EvaluateAsync<long>(WatchOffer);
            var released = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            (await seller.ReleaseAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.NoContent);
            latencies.Add(await offer.WaitAsync(TimeSpan.FromSeconds(15)) - released);

            // Bob lets it go; the ticket goes back on sale (nobody else waits) and the page drops the offer.
            (await bob.APIRequest.DeleteAsync($"/api/waitlist/{entryId}")).Status.Should().Be((int)HttpStatusCode.NoContent);
            await Expect(b.GetByTestId("waitlist-offer")).ToHaveCountAsync(0);
        }

        latencies.Sort();
        output.WriteLine($"Ticket released → offer drawn on the waiting page, {Rounds} offers: p50 {latencies[Rounds / 2]} ms, p99 {latencies[(int)Math.Ceiling(Rounds * 0.99) - 1]} ms, max {latencies[^1]} ms");
    }
}
