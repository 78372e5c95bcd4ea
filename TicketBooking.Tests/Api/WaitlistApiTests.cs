using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

/// <summary>The waiting list over HTTP (docs/architecture.md, "The waiting list"): its answers, its refusals, and what it pushes.</summary>
public sealed class WaitlistApiTests : IAsyncLifetime
{
    private readonly TicketBookingApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task Joining_while_tickets_are_for_sale_is_409_with_how_many_and_a_duplicate_is_409()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 3));
        using var seller = ApiBuyer.For(_app);
        using var fan = ApiBuyer.For(_app);
        (await seller.HoldAsync(concert.Id, ("GA", 2))).EnsureSuccessStatusCode();

        var early = await (await fan.JoinWaitlistAsync(concert.Id, "GA", 2)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        early["available"]!.GetValue<int>().Should().Be(1);
        early["detail"]!.GetValue<string>().Should().Contain("buy them instead");

        (await seller.HoldAsync(concert.Id, ("GA", 3))).EnsureSuccessStatusCode();
        var joined = await (await fan.JoinWaitlistAsync(concert.Id, "ga", 2, "Fan@Example.com")).ShouldBeAsync<WaitlistEntryResponse>(HttpStatusCode.Created);
        joined.Should().BeEquivalentTo(new { Tier = "GA", Quantity = 2, Status = "waiting", Position = 1, TicketsAhead = 0, OfferExpiresAt = (DateTimeOffset?)null });

        var twice = await (await fan.JoinWaitlistAsync(concert.Id, "GA", 4, "fan@example.com")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        twice["entry"]!["id"]!.GetValue<Guid>().Should().Be(joined.Id);
        (await fan.WaitlistAsync()).Should().ContainSingle();
    }

    [Fact]
    public async Task Bad_input_is_a_problem_that_names_each_field_and_a_stranger_cannot_see_or_leave_an_entry()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 1));
        using var seller = ApiBuyer.For(_app);
        (await seller.HoldAsync(concert.Id, ("GA", 1))).EnsureSuccessStatusCode();
        using var fan = ApiBuyer.For(_app);
        await fan.StartSessionAsync();

        var bad = await (await fan.Client.PostAsJsonAsync("/api/waitlist", new { concertId = concert.Id, tier = "GA", quantity = 0, email = "nope" })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        bad["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["quantity", "email"]);
        var empty = await (await fan.Client.PostAsJsonAsync("/api/waitlist", new { })).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        empty["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo(["concertId", "tier", "quantity", "email"]);
        (await fan.JoinWaitlistAsync(Guid.NewGuid(), "GA", 1)).StatusCode.Should().Be(HttpStatusCode.NotFound);

        var entry = await (await fan.JoinWaitlistAsync(concert.Id, "GA", 1)).ShouldBeAsync<WaitlistEntryResponse>(HttpStatusCode.Created);
        using var stranger = ApiBuyer.For(_app);
        await stranger.StartSessionAsync();
        (await stranger.Client.GetAsync(new Uri($"/api/waitlist/{entry.Id}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.LeaveWaitlistAsync(entry.Id)).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await stranger.WaitlistAsync()).Should().BeEmpty();
        (await fan.WaitlistAsync()).Single().Status.Should().Be("waiting");

        using var cookieless = _app.CreateBuyerClient();
        (await cookieless.PostAsJsonAsync("/api/waitlist", new { concertId = concert.Id, tier = "GA", quantity = 1, email = "x@example.com" }))
            .StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Leaving_is_204_and_the_positions_behind_move_up_pushed_on_the_availability_stream()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 2));
        using var seller = ApiBuyer.For(_app);
        (await seller.HoldAsync(concert.Id, ("GA", 2))).EnsureSuccessStatusCode();
        var fans = Enumerable.Range(0, 3).Select(_ => ApiBuyer.For(_app)).ToList();
        var entries = new List<WaitlistEntryResponse>();
        foreach (var (fan, quantity) in fans.Zip([3, 1, 2]))
        {
            entries.Add(await (await fan.JoinWaitlistAsync(concert.Id, "GA", quantity)).ShouldBeAsync<WaitlistEntryResponse>(HttpStatusCode.Created));
        }

        entries.Select(e => (e.Position, e.TicketsAhead)).Should().Equal((1, 0), (2, 3), (3, 4));
        using var viewer = _app.CreateBuyerClient();
        using var response = await viewer.GetAsync(new Uri($"/api/concerts/{concert.Id}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        (await events.NextAsync()).Data.Tiers.Single().Should().BeEquivalentTo(new { Waiting = 3, WaitingTickets = 6, Available = 0 });

        (await fans[0].LeaveWaitlistAsync(entries[0].Id)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        (await events.NextAsync()).Data.Tiers.Single().Should().BeEquivalentTo(new { Waiting = 2, WaitingTickets = 3 });
        (await fans[1].WaitlistAsync()).Single().Should().BeEquivalentTo(new { Position = 1, TicketsAhead = 0 });
        (await fans[2].WaitlistAsync()).Single().Should().BeEquivalentTo(new { Position = 2, TicketsAhead = 1 });
        (await fans[0].WaitlistAsync()).Single().Status.Should().Be("left");
        (await fans[0].LeaveWaitlistAsync(entries[0].Id)).StatusCode.Should().Be(HttpStatusCode.NoContent, "leaving twice is no error");
        fans.ForEach(f => f.Dispose());
    }

    [Fact]
    public async Task An_offer_is_the_callers_hold_paid_with_an_ordinary_booking()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 2));
        using var seller = ApiBuyer.For(_app);
        (await seller.HoldAsync(concert.Id, ("GA", 2))).EnsureSuccessStatusCode();
        using var fan = ApiBuyer.For(_app);
        var entry = await (await fan.JoinWaitlistAsync(concert.Id, "GA", 2)).ShouldBeAsync<WaitlistEntryResponse>(HttpStatusCode.Created);

        (await seller.ReleaseAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var offered = (await fan.WaitlistAsync()).Single();
        offered.Status.Should().Be("offered");
        var hold = await (await fan.Client.GetAsync(new Uri($"/api/holds/{concert.Id}", UriKind.Relative))).ShouldBeAsync<HoldResponse>(HttpStatusCode.OK);
        hold.Items.Single().Quantity.Should().Be(2);
        hold.ExpiresAt.Should().Be(offered.OfferExpiresAt!.Value);
        var availability = await fan.AvailabilityAsync(concert.Id);
        availability.Tiers.Single().Should().BeEquivalentTo(new { Held = 2, Available = 0, Waiting = 0 });

        (await fan.ConfirmAsync(concert.Id, "pay-offer")).StatusCode.Should().Be(HttpStatusCode.Created);
        (await fan.WaitlistAsync()).Single(e => e.Id == entry.Id).Status.Should().Be("converted");
        (await fan.LeaveWaitlistAsync(entry.Id)).StatusCode.Should().Be(HttpStatusCode.Conflict);
    }
}
