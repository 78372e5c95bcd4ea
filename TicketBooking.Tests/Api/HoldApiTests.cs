using System.Net;
using System.Text.Json.Nodes;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

public sealed class HoldApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly TicketBookingApp _app = fixture.App;

    [Fact]
    public async Task A_hold_is_201_with_its_items_expiry_and_location_and_shows_in_availability()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));

        var response = await buyer.HoldAsync(concert.Id, ("VIP", 2), ("GA", 3));
        var hold = await response.ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);

        response.Headers.Location!.ToString().Should().Be($"/api/holds/{concert.Id}");
        hold.ConcertId.Should().Be(concert.Id);
        hold.Items.Should().Equal(new HoldItemResponse("VIP", 2), new HoldItemResponse("GA", 3));
        hold.ExpiresAt.Should().BeAfter(DateTimeOffset.UtcNow.AddMinutes(9));
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Select(t => (t.Code, t.Held, t.Available)).Should().Equal(("VIP", 2, 8), ("GA", 3, 97));
        (await (await buyer.Client.GetAsync(new Uri($"/api/holds/{concert.Id}", UriKind.Relative))).ShouldBeAsync<HoldResponse>(HttpStatusCode.OK))
            .Should().BeEquivalentTo(hold);
    }

    [Fact]
    public async Task Not_enough_tickets_is_a_409_problem_listing_what_is_available_per_tier_and_holds_nothing()
    {
        using var first = ApiBuyer.For(_app);
        using var second = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 5), ("GA", 1_000, 100));
        (await first.HoldAsync(concert.Id, ("VIP", 4))).StatusCode.Should().Be(HttpStatusCode.Created);

        var problem = await (await second.HoldAsync(concert.Id, ("VIP", 2), ("GA", 1))).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().Should().Contain("VIP: 2 requested, 1 available");
        problem["tiers"]!.AsArray().Select(t => (t!["tier"]!.GetValue<string>(), t["available"]!.GetValue<int>())).Should().Contain(("VIP", 1));
        (await second.AvailabilityAsync(concert.Id)).Tiers.Select(t => t.Held).Should().Equal(4, 0);
    }

    [Fact]
    public async Task Holding_again_replaces_the_checkout_and_release_frees_it_at_once()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await buyer.HoldAsync(concert.Id, ("VIP", 5));

        var replaced = await (await buyer.HoldAsync(concert.Id, ("VIP", 1))).ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(1);
        var released = await buyer.ReleaseAsync(concert.Id);
        var releasedAgain = await buyer.ReleaseAsync(concert.Id);

        replaced.Items.Single().Quantity.Should().Be(1);
        released.StatusCode.Should().Be(HttpStatusCode.NoContent);
        await releasedAgain.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Available.Should().Be(10);
        await (await buyer.Client.GetAsync(new Uri($"/api/holds/{concert.Id}", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Heartbeat_returns_the_expiry_for_an_active_hold_and_404_without_one()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await (await buyer.HeartbeatAsync(concert.Id)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var hold = await (await buyer.HoldAsync(concert.Id, ("VIP", 1))).ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);

        var active = await (await buyer.HeartbeatAsync(concert.Id)).ShouldBeAsync<HeartbeatResponse>(HttpStatusCode.OK);
        var hidden = await (await buyer.HeartbeatAsync(concert.Id, active: false, visible: false)).ShouldBeAsync<HeartbeatResponse>(HttpStatusCode.OK);

        active.ExpiresAt.Should().BeOnOrAfter(hold.ExpiresAt);
        hidden.ExpiresAt.Should().BeBefore(active.ExpiresAt, "a hidden tab shrinks the hold to the grace period");
    }

    [Theory]
    [InlineData("VIP", 0, "items")]
    [InlineData("VIP", -1, "items")]
    [InlineData("VIP", 11, "items")]
    [InlineData("NOPE", 1, "items")]
    public async Task Invalid_or_over_the_limit_quantities_and_unknown_tiers_are_400_and_hold_nothing(string tier, int quantity, string field)
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 100));

        var problem = await (await buyer.HoldAsync(concert.Id, (tier, quantity))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(k => k.StartsWith(field, StringComparison.Ordinal));
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(0);
    }

    [Fact]
    public async Task A_hold_on_an_unknown_concert_is_a_404_problem()
    {
        using var buyer = ApiBuyer.For(_app);

        var problem = await (await buyer.HoldAsync(Guid.NewGuid(), ("VIP", 1))).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        problem["detail"]!.GetValue<string>().Should().Contain("no concert");
    }
}

public sealed class HoldExpiryApiTests
{
    [Fact]
    public async Task A_hold_past_its_expiry_frees_its_tickets_for_another_buyer_before_any_sweep()
    {
        var time = new TestClock();
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Holds:SweepInterval"] = "01:00:00" }, time);
        using var first = ApiBuyer.For(app);
        using var second = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 4));
        var hold = await (await first.HoldAsync(concert.Id, ("VIP", 4))).ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);
        await (await second.HoldAsync(concert.Id, ("VIP", 4))).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        time.SetUtcNow(hold.ExpiresAt);
        var afterExpiry = await second.HoldAsync(concert.Id, ("VIP", 4));

        afterExpiry.StatusCode.Should().Be(HttpStatusCode.Created);
        app.Log.Entries.Should().NotContain(e => e.Message.StartsWith("Expired", StringComparison.Ordinal), "no sweep ran");
        await (await first.HeartbeatAsync(concert.Id)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }
}

public sealed class RateLimitApiTests
{
    [Fact]
    public async Task Hold_creation_beyond_the_per_buyer_limit_is_429_with_retry_after_and_other_buyers_are_unaffected()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "true",
            ["RateLimits:HoldsPerMinute"] = "2",
        });
        using var greedy = ApiBuyer.For(app);
        using var other = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 100));

        (await greedy.HoldAsync(concert.Id, ("VIP", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await greedy.HoldAsync(concert.Id, ("VIP", 2))).StatusCode.Should().Be(HttpStatusCode.Created);
        var limited = await greedy.HoldAsync(concert.Id, ("VIP", 3));
        var otherBuyer = await other.HoldAsync(concert.Id, ("VIP", 1));

        await limited.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        int.Parse(limited.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture).Should().BeInRange(1, 60);
        otherBuyer.StatusCode.Should().Be(HttpStatusCode.Created);
        app.Log.Entries.Should().ContainSingle(e => e.Message.StartsWith("Limit holds refused client", StringComparison.Ordinal), "one line per client and minute");
        (await greedy.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(3, "the limited request held nothing: 2 + 1");
    }
}

public sealed class MalformedHoldBudgetTests
{
    [Fact]
    public async Task A_malformed_hold_is_a_400_naming_the_field_and_costs_nothing_from_the_buyers_hold_budget()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["RateLimits:Enabled"] = "true", ["RateLimits:HoldsPerMinute"] = "2" });
        using var buyer = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));

        for (var i = 0; i < 5; i++)
        {
            var problem = await (await buyer.HoldAsync(concert.Id, ("", 2))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
            problem["errors"]!["items[0].tier"].Should().NotBeNull();
        }

        (await buyer.HoldAsync(concert.Id, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created, "five malformed requests spent none of the two a minute");
        (await buyer.HoldAsync(concert.Id, ("GA", 2))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await buyer.HoldAsync(concert.Id, ("GA", 3))).StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "the budget itself still applies");
    }
}
