using System.Collections.Concurrent;
using System.Net;
using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;
using TicketBooking.Web.Limits;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>
/// Never a dead page (docs/scaling.md §5), in real browsers: at the circuit cap a visitor waits on the busy page with a live place
/// and is taken in by it when a slot frees, never shown Blazor's error bar; a circuit refused as it starts lands there
/// too; a checkout whose connection drops gets back in ahead of the line.
/// </summary>
[Collection(ChromiumTests.Name)]
public sealed class BusyPageTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task At_the_cap_a_third_visitor_waits_on_the_busy_page_and_is_taken_in_when_a_page_closes()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Limits:MaxCircuits"] = "2" });
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        var slots = app.GetService<CircuitSlots>();
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);
        await using var carol = await chromium.NewBuyerAsync(url);
        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        await bob.OpenAsync($"/concerts/{concert.Id}");
        var c = await carol.NewPageAsync();
        var errors = Errors(c);

        await c.GotoAsync($"/concerts/{concert.Id}");

        await c.WaitForPathAsync(@"/busy\?return=.+");
        await Expect(c.GetByRole(AriaRole.Heading, new() { Name = "The site is very busy" })).ToBeVisibleAsync();
        await Expect(c.GetByTestId("busy-place")).ToHaveTextAsync("1st");
        await Expect(c.GetByTestId("busy-state")).ToHaveTextAsync("You're next in line; this page takes you in by itself.");
        await Expect(c.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        slots.Waiting.Should().Be(1);

        await a.CloseAsync();

        await c.WaitForPathAsync($"/concerts/{concert.Id}");
        await c.Locator("main[data-interactive=true]").WaitForAsync();
        await c.CheckOutAsync(("VIP", 1));
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("VIP")!.Held.Should().Be(1);
        await Expect(c.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        errors.Should().BeEmpty();
        (slots.Taken, slots.Waiting).Should().Be((2, 0));
    }

    [ChromiumFact]
    public async Task A_circuit_refused_as_it_starts_lands_on_the_busy_page_and_comes_back_by_itself()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Limits:MaxCircuits"] = "1" });
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        var slots = app.GetService<CircuitSlots>();
        await using var visitor = await chromium.NewBuyerAsync(url);
        var page = await visitor.NewPageAsync();
        var errors = Errors(page);

        // The page is served while the slot is free; someone else's circuit takes it before this page's starts.
        var taken = new TaskCompletionSource();
        var first = true;
        await page.RouteAsync("**/_blazor/negotiate*", async route =>
        {
            if (first)
            {
                first = false;
                slots.TryTake(null).Should().BeTrue();
                taken.SetResult();
            }

            await route.ContinueAsync();
        });
        var refused = app.Log.WaitForAsync(e => e.Message.StartsWith("A circuit could not start", StringComparison.Ordinal));
        await page.GotoAsync($"/concerts/{concert.Id}");
        await taken.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await refused.WaitAsync(TimeSpan.FromSeconds(30));

        await page.WaitForPathAsync(@"/busy\?return=.+");
        await Expect(page.GetByTestId("busy-place")).ToHaveTextAsync("1st");
        slots.Release();

        await page.WaitForPathAsync($"/concerts/{concert.Id}");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await Expect(page.Locator("#blazor-error-ui")).ToBeHiddenAsync();
        errors.Should().BeEmpty("the refused start was answered with the busy page, not a failed circuit");
        slots.Taken.Should().Be(1);
    }

    [ChromiumFact]
    public async Task Buyers_in_a_waiting_room_with_one_circuit_see_their_places_and_are_taken_to_the_concert_page_one_after_another()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["Limits:MaxCircuits"] = "1",
            ["WaitingRoom:MaxActiveBuyers"] = "1",
        });
        var url = app.StartKestrel();
        var concert = await app.CreateConcertAsync(app.GetService<TimeProvider>().GetUtcNow().AddMinutes(-1), ("GA", 1_000, 10));
        var room = $"/concerts/{concert.Id}/queue";
        var buyers = new List<IBrowserContext>();
        var pages = new List<IPage>();
        var sockets = new ConcurrentQueue<string>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                buyers.Add(await chromium.NewBuyerAsync(url));
                var page = await buyers[i].NewPageAsync();
                page.WebSocket += (_, socket) => sockets.Enqueue(socket.Url);
                await page.GotoAsync(room);
                pages.Add(page);
                if (i == 0)
                {
                    // The first in the room is let in at once and takes the only circuit.
                    await TakenInAsync(page, concert.Id);
                    sockets.Clear();
                }
                else
                {
                    await Expect(page.GetByTestId("queue-position")).ToHaveTextAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            for (var turn = 1; turn < 3; turn++)
            {
                // The buyer on the concert page books: their turn ends and the room lets the next in, who waits on the busy page
                // for the only circuit; the one after them sees their place move up, live.
                await BookAsync(pages[turn - 1]);
                await pages[turn].WaitForPathAsync(@"/busy\?return=.+");
                await Expect(pages[turn].GetByTestId("busy-place")).ToHaveTextAsync("1st");
                if (turn == 1)
                {
                    await Expect(pages[2].GetByTestId("queue-position")).ToHaveTextAsync("1");
                }

                await pages[turn - 1].CloseAsync();
                await TakenInAsync(pages[turn], concert.Id);
            }

            sockets.Should().HaveCount(2, "only the pages on the concert page opened a circuit: the room and the busy page watch a stream");
            await BookAsync(pages[2]);
        }
        finally
        {
            foreach (var buyer in buyers)
            {
                await buyer.DisposeAsync();
            }
        }

        static async Task TakenInAsync(IPage page, Guid concertId)
        {
            await page.WaitForPathAsync($"/concerts/{concertId}");
            await page.Locator("main[data-interactive=true]").WaitForAsync();
            await Expect(page.GetByTestId("onsale-admitted")).ToContainTextAsync("It's your turn");
        }

        static async Task BookAsync(IPage page)
        {
            await page.CheckOutAsync(("GA", 1));
            await BuyerJourneyTests.PayAsync(page, ApiBuyer.ApprovedCard);
            await page.WaitForPathAsync("/bookings/[^/]+");
        }
    }

    [ChromiumFact]
    public async Task A_buyer_in_checkout_whose_connection_drops_gets_back_in_while_others_wait_on_the_busy_page()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Limits:MaxCircuits"] = "1" });
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        var slots = app.GetService<CircuitSlots>();
        await using var alice = await chromium.NewBuyerAsync(url);
        await using var bob = await chromium.NewBuyerAsync(url);
        var a = await alice.OpenAsync($"/concerts/{concert.Id}");
        await a.CheckOutAsync(("VIP", 1));
        var b = await bob.NewPageAsync();
        await b.GotoAsync($"/concerts/{concert.Id}");
        await Expect(b.GetByTestId("busy-place")).ToHaveTextAsync("1st");
        var dropped = app.Log.WaitForAsync(e => e.Message.StartsWith("Connection lost: shrank 1 holds", StringComparison.Ordinal));
        await a.EvaluateAsync("""
            () => { window.reconnected = new Promise(resolve => document.getElementById('components-reconnect-modal')
                .addEventListener('components-reconnect-state-changed', e => e.detail.state === 'hide' && resolve())); }
            """);

        await a.EvaluateAsync("Blazor._internal.forceCloseConnection()");
        await dropped.WaitAsync(TimeSpan.FromSeconds(30));

        // Her circuit kept its slot while it waited for her: the reconnect needs none, and the page answers again.
        await a.EvaluateAsync("() => window.reconnected");
        await a.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await Expect(a.Locator(".mud-dialog")).ToContainTextAsync("Release your tickets?");
        await Expect(b.GetByTestId("busy-place")).ToHaveTextAsync("1st");
        (slots.Taken, slots.Waiting).Should().Be((1, 1));
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("VIP")!.Held.Should().Be(1);
    }

    /// <summary>Console errors and uncaught exceptions of the page.</summary>
    private static ConcurrentQueue<string> Errors(IPage page)
    {
        var errors = new ConcurrentQueue<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                errors.Enqueue(message.Text);
            }
        };
        page.PageError += (_, error) => errors.Enqueue(error);
        return errors;
    }
}
