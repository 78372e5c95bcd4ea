using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.Playwright;
using Npgsql;
using TicketBooking.Bench;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.Cluster;

/// <summary>
/// Three app instances as their own processes (the published app) on one PostgreSQL database behind HAProxy, started by
/// the repository's <c>deploy/cluster.sh</c> with its <c>deploy/haproxy.cfg</c>; one cluster for every test of a class.
/// </summary>
public sealed class ThreeInstances : IAsyncLifetime
{
    private readonly TempDatabase _database = new(StorageProvider.Postgres);

    public ClusterRun Cluster { get; private set; } = null!;

    public string ConnectionString => _database.ConnectionString;

    public TimeSpan StartedIn { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        Cluster = await ClusterRun.StartAsync(_database, instances: 3);
        StartedIn = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        _database.Dispose();
    }
}

/// <summary>The booking invariant across instances, and the push from one instance to another's streams and pages.</summary>
[Collection(SerialTests.Name)]
public sealed class ThreeInstanceTests(ThreeInstances three, Chromium chromium, ITestOutputHelper output) : IClassFixture<ThreeInstances>, IClassFixture<Chromium>
{
    private ClusterRun _cluster => three.Cluster;

    [Fact]
    public async Task A_thousand_buyers_spread_over_the_instances_hold_exactly_the_hundred_tickets_and_the_rest_are_told_sold_out()
    {
        using var api = new TicketApi(_cluster.Balancer, 96);
        var concertId = await api.CreateConcertAsync(ClusterRun.OrganizerPassword, ("GA", 1_000, 100));
        var buyers = await Task.WhenAll(Enumerable.Range(0, 1_000).Select(_ => api.NewBuyerAsync()));

        var replies = new ConcurrentBag<TicketApi.Reply>();
        await Parallel.ForEachAsync(buyers, new ParallelOptions { MaxDegreeOfParallelism = 96 }, async (cookie, _) =>
            replies.Add(await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 1), cookie)));

        var servedBy = replies.GroupBy(r => r.ServedBy).ToDictionary(g => g.Key ?? "?", g => g.Count());
        output.WriteLine($"holds per instance: {string.Join(", ", servedBy.OrderBy(s => s.Key).Select(s => $"{s.Key} {s.Value}"))}");
        servedBy.Keys.Should().BeEquivalentTo(["app1", "app2", "app3"], "the balancer spread the buyers over all three");
        replies.Count(r => r.Status == HttpStatusCode.Created).Should().Be(100);
        replies.Count(r => r.Status == HttpStatusCode.Conflict && r.Body.Contains("\"available\":0", StringComparison.Ordinal)).Should().Be(900, "every refusal is a true sell-out");

        await using var db = new NpgsqlConnection(three.ConnectionString);
        (await db.QuerySingleAsync<(long Held, long Sold, long Rows)>(
            "SELECT t.in_holds, t.sold, (SELECT COALESCE(SUM(quantity), 0) FROM holds h WHERE h.tier_id = t.id)::bigint FROM tiers t WHERE t.concert_id = @id",
            new { id = concertId.ToString() })).Should().Be((100L, 0L, 100L));
    }

    [Fact]
    public async Task A_hold_on_instance_one_reaches_a_stream_open_on_instance_three_within_a_second()
    {
        using var first = new TicketApi(_cluster.Instances[0], 4);
        var concertId = await first.CreateConcertAsync(ClusterRun.OrganizerPassword, ("VIP", 10_000, 10));
        using var third = new HttpClient { BaseAddress = _cluster.Instances[2] };
        using var response = await third.GetAsync(new Uri($"/api/concerts/{concertId}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        (await events.NextAsync()).Data.Tiers.Single().Available.Should().Be(10);

        var cookie = await first.NewBuyerAsync();
        var clock = Stopwatch.StartNew();
        (await first.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 4), cookie)).Status.Should().Be(HttpStatusCode.Created);
        var update = await events.NextAsync().WaitAsync(TimeSpan.FromSeconds(1));
        output.WriteLine($"hold on instance 1 → instance 3's stream: {clock.Elapsed.TotalMilliseconds:F0} ms (including the hold itself)");

        update.Data.Tiers.Single().Available.Should().Be(6);
    }

    [ChromiumFact]
    public async Task A_hold_on_instance_one_reaches_a_page_open_on_instance_three_within_a_second()
    {
        using var first = new TicketApi(_cluster.Instances[0], 4);
        var concertId = await first.CreateConcertAsync(ClusterRun.OrganizerPassword, ("VIP", 10_000, 10));
        await using var viewer = await chromium.NewBuyerAsync(_cluster.Instances[2]);
        var page = await viewer.OpenAsync($"/concerts/{concertId}");
        await Expect(page.GetByTestId("available-VIP")).ToHaveTextAsync("10");

        var cookie = await first.NewBuyerAsync();
        var clock = Stopwatch.StartNew();
        (await first.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 4), cookie)).Status.Should().Be(HttpStatusCode.Created);
        await Expect(page.GetByTestId("available-VIP")).ToHaveTextAsync("6", new() { Timeout = 1_000 });
        output.WriteLine($"hold on instance 1 → drawn on instance 3's page: {clock.Elapsed.TotalMilliseconds:F0} ms (including the hold itself)");
    }
}

/// <summary>
/// An instance killed mid-sale: no confirmed booking is lost, the API buyers go on through the other two, and a buyer
/// whose browser was on the killed instance gets their checkout back on another one. Its own cluster: it kills a member.
/// </summary>
[Collection(SerialTests.Name)]
public sealed class InstanceLossTests(Chromium chromium, ITestOutputHelper output) : IClassFixture<Chromium>, IAsyncLifetime
{
    private readonly ThreeInstances _three = new();

    private ClusterRun _cluster => _three.Cluster;

    public async Task InitializeAsync()
    {
        await _three.InitializeAsync();
        output.WriteLine($"cluster up in {_three.StartedIn.TotalSeconds:F1} s");
    }

    public Task DisposeAsync() => _three.DisposeAsync();

    [ChromiumFact]
    public async Task Killing_an_instance_mid_sale_loses_no_confirmed_booking_and_its_buyers_go_on_through_the_others()
    {
        const int Buyers = 300;
        using var api = new TicketApi(_cluster.Balancer, 48);
        var concertId = await api.CreateConcertAsync(ClusterRun.OrganizerPassword, ("GA", 1_000, 1_000));

        // A buyer in a browser, through the balancer, whose sticky cookie puts their circuit on instance 2: in checkout.
        // Instance 2 renders the page once first: a process that just started answers its first circuit slowly.
        using (var warm = new HttpClient { BaseAddress = _cluster.Instances[1] })
        {
            (await warm.GetAsync(new Uri($"/concerts/{concertId}", UriKind.Relative))).EnsureSuccessStatusCode();
        }

        await using var browser = await chromium.NewBuyerAsync(_cluster.Balancer);
        await browser.AddCookiesAsync([new Microsoft.Playwright.Cookie { Name = "tb_instance", Value = "app2", Url = _cluster.Balancer.ToString() }]);
        var page = await browser.OpenAsync($"/concerts/{concertId}");
        await page.CheckOutAsync(("GA", 2));
        var checkout = new Uri(page.Url).AbsolutePath;
        (await StickyInstanceAsync(browser)).Should().Be("app2");
        await page.EvaluateAsync("() => window.beforeTheKill = true");
        var confirmed = new ConcurrentDictionary<int, string>();
        var inDoubt = new ConcurrentDictionary<int, string>(); // cookie: paying on the killed instance when it died
        var retried = 0;
        var dropped = new HashSet<HttpStatusCode> { HttpStatusCode.BadGateway, HttpStatusCode.ServiceUnavailable, HttpStatusCode.GatewayTimeout };

        async Task BuyAsync(int buyer)
        {
            var cookie = await RetryAsync(() => api.NewBuyerAsync());
            var hold = await RetryAsync(() => api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 1), cookie), r => dropped.Contains(r.Status));
            hold.Status.Should().Be(HttpStatusCode.Created, hold.Body);

            // A payment whose answer died with its instance is sent again with the same key, as a client's retry would.
            var paid = await RetryAsync(() => api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), cookie, $"pay-{buyer}"), r => dropped.Contains(r.Status));
            if (paid.Status == HttpStatusCode.Created)
            {
                confirmed[buyer] = JsonNode.Parse(paid.Body)!["reference"]!.GetValue<string>();
            }
            else
            {
                paid.Status.Should().Be(HttpStatusCode.Conflict, paid.Body);
                paid.Body.Should().Contain("Still processing", "the only other answer: its payment was under way on the killed instance");
                inDoubt[buyer] = cookie;
            }
        }

        async Task<T> RetryAsync<T>(Func<Task<T>> send, Func<T, bool>? failed = null)
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var reply = await send();
                    if (failed?.Invoke(reply) != true || attempt == 20)
                    {
                        return reply;
                    }
                }
                catch (HttpRequestException) when (attempt < 20)
                {
                }

                Interlocked.Increment(ref retried);
            }
        }

        await Parallel.ForEachAsync(Enumerable.Range(0, Buyers), new ParallelOptions { MaxDegreeOfParallelism = 48 }, async (buyer, _) =>
        {
            if (buyer == Buyers / 3)
            {
                _cluster.Kill(2); // a third of the way in, with dozens of requests in flight
            }

            await BuyAsync(buyer);
        });

        // The browser's circuit died with instance 2: the page reconnects through the balancer to another instance, which
        // does not know that circuit, so the page reloads there: the same checkout, the hold intact, and it pays.
        await page.WaitForFunctionAsync("() => window.beforeTheKill === undefined && document.querySelector('main[data-interactive=true]') !== null",
            null, new() { Timeout = 30_000 });
        (await StickyInstanceAsync(browser)).Should().BeOneOf("app1", "app3");
        new Uri(page.Url).AbsolutePath.Should().Be(checkout);
        await Expect(page.GetByRole(AriaRole.Timer)).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Row).Filter(new() { HasText = "GA" }).Locator("td.num").First).ToHaveTextAsync("2");
        await EndToEnd.BuyerJourneyTests.PayAsync(page, "4242 4242 4242 4242");
        await page.WaitForPathAsync("/bookings/[^/]+");
        var browserReference = (await page.GetByTestId("booking-reference").TextContentAsync())!;

        // A buyer whose payment was cut off retries it with the same key, as a client would, until the answer is final:
        // the leader voids a payment whose instance is gone within a recovery round (10 s) and forgets its key, so the
        // retry runs afresh; one that became a booking before the kill is replayed as that booking.
        var retriedClock = Stopwatch.StartNew();
        var settled = new ConcurrentDictionary<int, string>();
        await Parallel.ForEachAsync(inDoubt, async (entry, cancellation) =>
        {
            while (true)
            {
                var paid = await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), entry.Value, $"pay-{entry.Key}");
                if (paid.Status == HttpStatusCode.Created)
                {
                    settled[entry.Key] = JsonNode.Parse(paid.Body)!["reference"]!.GetValue<string>();
                    return;
                }

                paid.Body.Should().Contain("Still processing", "until it is settled, the payment is only under way");
                retriedClock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(60), "the leader settles a dead instance's payments within a round or two");
                await Task.Delay(250, cancellation); // a client's retry interval
            }
        });
        output.WriteLine($"the cut-off payments were settled {retriedClock.Elapsed.TotalSeconds:F1} s after the sale's last answer");

        output.WriteLine($"{confirmed.Count} bookings confirmed, {inDoubt.Count} payments cut off by the kill and then settled by retrying, {retried} retries");
        (confirmed.Count + inDoubt.Count).Should().Be(Buyers);
        inDoubt.Count.Should().BeLessThanOrEqualTo(48, "at most the requests in flight when the instance died");
        confirmed.Count.Should().BeGreaterThan(Buyers / 2, "the buyers went on through the two instances left");
        await using var db = new NpgsqlConnection(_three.ConnectionString);
        var references = (await db.QueryAsync<string>("SELECT reference FROM bookings WHERE concert_id = @id", new { id = concertId.ToString() })).ToList();
        settled.Count.Should().Be(inDoubt.Count, "every buyer cut off by the kill got their booking in the end");
        references.Should().BeEquivalentTo(confirmed.Values.Concat(settled.Values).Append(browserReference), "every booking confirmed to a buyer is there, and no other");
        (await db.QuerySingleAsync<long>("SELECT sold FROM tiers WHERE concert_id = @id", new { id = concertId.ToString() })).Should().Be(references.Count + 1, "the browser's booking has two tickets");
        (await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM tickets WHERE concert_id = @id", new { id = concertId.ToString() })).Should().Be(references.Count + 1);
    }

    /// <summary>The instance HAProxy's sticky cookie sends this browser to.</summary>
    private async Task<string?> StickyInstanceAsync(IBrowserContext browser) =>
        (await browser.CookiesAsync([_cluster.Balancer.ToString()])).SingleOrDefault(c => c.Name == "tb_instance")?.Value;
}
