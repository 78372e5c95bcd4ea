using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using TicketBooking.Core.Cluster;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;
using Xunit.Abstractions;

namespace TicketBooking.Tests.Cluster;

/// <summary>
/// Two app instances on one PostgreSQL database, each on its own Kestrel port (two hosts in this process, as separate
/// machines would be, sharing nothing but the database): a change on one reaches the other's streams, a buyer's cookie
/// from one works on the other, and the background work runs on exactly one.
/// </summary>
[Collection(SerialTests.Name)] // the "within a second" below is measured without other tests competing for the cores
public sealed class SharedDatabaseTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly TempDatabase _database = new(StorageProvider.Postgres);
    private TicketBookingApp _first = null!;
    private TicketBookingApp _second = null!;

    /// <summary>The per-client limits on, with a small hold budget the tests can spend.</summary>
    private static readonly Dictionary<string, string?> Limits = new()
    {
        ["RateLimits:Enabled"] = "true",
        ["RateLimits:HoldsPerMinute"] = "4",
    };

    public async Task InitializeAsync()
    {
        _first = new TicketBookingApp(Limits, database: _database);
        _first.StartKestrel();
        _second = new TicketBookingApp(Limits, database: _database);
        _second.StartKestrel();
        await Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _second.DisposeAsync();
        await _first.DisposeAsync();
        _database.Dispose();
    }

    [Fact]
    public async Task A_hold_on_one_instance_reaches_a_stream_open_on_the_other_within_a_second()
    {
        var concert = await _first.CreateConcertAsync(("VIP", 10_000, 10));
        using var viewer = _second.CreateBuyerClient();
        using var response = await viewer.GetAsync(new Uri($"/api/concerts/{concert.Id}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        var initial = await events.NextAsync();
        initial.Data.Tiers.Single().Available.Should().Be(10);

        using var buyer = ApiBuyer.For(_first);
        var clock = Stopwatch.StartNew();
        (await buyer.HoldAsync(concert.Id, ("VIP", 3))).StatusCode.Should().Be(HttpStatusCode.Created);
        var held = clock.Elapsed;
        var update = await events.NextAsync().WaitAsync(TimeSpan.FromSeconds(1));
        output.WriteLine($"hold answered on instance 1 after {held.TotalMilliseconds:F0} ms; instance 2's stream had it after {clock.Elapsed.TotalMilliseconds:F0} ms");

        update.Data.Version.Should().BeGreaterThan(initial.Data.Version);
        update.Data.Tiers.Single().Should().Be(new TierAvailabilityResponse("VIP", 10, 0, 3, 7));
        _second.GetService<ClusterFeed>().RemoteSnapshots.Should().BeGreaterThan(0, "instance 2 read it because instance 1 announced it");
    }

    [Fact]
    public async Task A_buyer_whose_requests_land_on_either_instance_keeps_one_identity_and_one_checkout()
    {
        var concert = await _first.CreateConcertAsync(("VIP", 10_000, 10));
        var cookies = new CookieContainer();
        using var onFirst = new ApiBuyer(_first.CreateBuyerClient(cookies));
        (await onFirst.HoldAsync(concert.Id, ("VIP", 2))).StatusCode.Should().Be(HttpStatusCode.Created);

        // The same cookies, sent to the other instance: its Data Protection keys are the same ones, read from the database.
        using var onSecond = new ApiBuyer(_second.CreateBuyerClient(cookies));
        var hold = await onSecond.Client.GetFromJsonAsync<HoldResponse>(new Uri($"/api/holds/{concert.Id}", UriKind.Relative), ApiBuyer.Json);
        hold!.Items.Single().Quantity.Should().Be(2);

        var booked = await onSecond.ConfirmAsync(concert.Id, "pay-on-the-other-instance");
        booked.StatusCode.Should().Be(HttpStatusCode.Created);
        (await onFirst.Client.GetAsync(new Uri($"/api/holds/{concert.Id}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound, "the checkout became a booking, whichever instance took the payment");
    }

    [Fact]
    public async Task Exactly_one_instance_leads_the_background_work()
    {
        var leaders = new[] { await _first.GetService<ClusterLeader>().IsLeaderAsync(), await _second.GetService<ClusterLeader>().IsLeaderAsync() };

        leaders.Count(l => l).Should().Be(1);
    }

    [Fact]
    public async Task A_buyer_sending_holds_to_both_instances_has_one_budget_not_one_per_instance()
    {
        var concert = await _first.CreateConcertAsync(("VIP", 10_000, 10));
        var cookies = new CookieContainer();
        using var onFirst = new ApiBuyer(_first.CreateBuyerClient(cookies));
        using var onSecond = new ApiBuyer(_second.CreateBuyerClient(cookies));

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add((await (i % 2 == 0 ? onFirst : onSecond).HoldAsync(concert.Id, ("VIP", 1))).StatusCode);
        }

        statuses.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.Created, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            "four holds a minute in all, whichever instance each one reached");
    }

    [Fact]
    public async Task Wrong_organizer_passwords_sent_to_both_instances_are_counted_together()
    {
        using var guesser = _first.CreateBuyerClient();
        using var sameGuesser = _second.CreateBuyerClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            using var response = await (i % 2 == 0 ? guesser : sameGuesser).PostAsJsonAsync("/api/admin/session", new { password = $"guess-{i}" });
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 10), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests],
            "ten wrong passwords a minute from one address in all, not ten on each instance");
    }
}
