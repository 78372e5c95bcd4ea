using System.Net;
using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>The on-sale waiting room in real browsers: live places, the admitted buyer taken to buy, the other moving up.</summary>
[Collection(ChromiumTests.Name)]
public sealed class WaitingRoomBrowserTests(Chromium chromium, ITestOutputHelper output)
{
    // Resolves, in the page, with the moment the place in line first reads `place`.
    private const string WatchPlace = """
        place => new Promise(resolve => {
            const shown = () => document.querySelector('[data-testid=queue-position]')?.textContent === place;
            if (shown()) { resolve(Date.now()); return; }
            const observer = new MutationObserver(() => { if (shown()) { observer.disconnect(); resolve(Date.now()); } });
            observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        })
        """;

    [ChromiumFact]
    public async Task Two_buyers_in_the_room_see_their_places_live_and_each_is_taken_to_buy_in_turn()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["WaitingRoom:MaxActiveBuyers"] = "1" });
        var url = app.StartKestrel();
        var concert = await app.CreateConcertAsync(app.GetService<TimeProvider>().GetUtcNow().AddMinutes(-1), ("GA", 1_000, 10));
        using var shopper = ApiBuyer.For(app);
        var turn = await (await shopper.JoinQueueAsync(concert.Id)).ShouldBeAsync<QueueResponse>(HttpStatusCode.OK);
        turn.State.Should().Be("admitted", "the only place in the active set is this API buyer's");
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);

        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        await Expect(a.GetByRole(AriaRole.Button, new() { Name = "Checkout" })).ToBeDisabledAsync();
        await a.GetByTestId("enter-room").ClickAsync();
        await a.WaitForPathAsync($"/concerts/{concert.Id}/queue");
        await Expect(a.GetByTestId("queue-position")).ToHaveTextAsync("1");
        var b = await bob.NewPageAsync();
        var circuits = new List<string>();
        b.WebSocket += (_, socket) => circuits.Add(socket.Url);
        await b.GotoAsync($"/concerts/{concert.Id}/queue");
        await Expect(b.GetByTestId("queue-position")).ToHaveTextAsync("2");
        await Expect(b.GetByTestId("queue-state")).ToContainTextAsync("1 person is ahead of you");

        // The API buyer books: their turn ends, and the room's next beat admits Alice.
        var bobMovesUp = b.EvaluateAsync<long>(WatchPlace, "1");
        (await shopper.HoldAsync(concert.Id, turn.Admission, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await shopper.ConfirmAsync(concert.Id, Guid.NewGuid().ToString())).StatusCode.Should().Be(HttpStatusCode.Created);
        var booked = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

        await a.WaitForPathAsync($"/concerts/{concert.Id}");
        await Expect(a.GetByTestId("onsale-admitted")).ToContainTextAsync("It's your turn");
        var moved = await bobMovesUp.WaitAsync(TimeSpan.FromSeconds(15));
        output.WriteLine($"Booking confirmed → Bob's open page shows place 1: {moved - booked} ms (the room admits on a 1 s beat)");
        await Expect(b.GetByTestId("queue-state")).ToContainTextAsync("You're next.");
        circuits.Should().BeEmpty("a place in the waiting room costs an event stream, not a circuit");

        await a.CheckOutAsync(("GA", 2));
        await BuyerJourneyTests.PayAsync(a, ApiBuyer.ApprovedCard);
        await a.WaitForPathAsync("/bookings/[^/]+");

        // Alice's booking ended her turn: Bob is taken to the concert page and can choose tickets.
        await b.WaitForPathAsync($"/concerts/{concert.Id}");
        await Expect(b.GetByTestId("onsale-admitted")).ToBeVisibleAsync();
        await b.CheckOutAsync(("GA", 1));
        (await bob.APIRequest.GetAsync($"/api/holds/{concert.Id}")).Status.Should().Be((int)HttpStatusCode.OK);
    }
}
