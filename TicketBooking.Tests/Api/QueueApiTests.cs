using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

/// <summary>The on-sale and its waiting room over HTTP (docs/architecture.md, "The on-sale and its waiting room"): the refusals, the admission, and what the stream pushes.</summary>
public sealed class QueueApiTests : IAsyncLifetime
{
    private readonly TicketBookingApp _app = new(new Dictionary<string, string?> { ["WaitingRoom:MaxActiveBuyers"] = "1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private DateTimeOffset Now => _app.GetService<TimeProvider>().GetUtcNow();

    [Fact]
    public async Task Before_the_sale_a_hold_is_409_with_the_time_and_the_room_and_holds_nothing()
    {
        var concert = await _app.CreateConcertAsync(Now.AddMinutes(10), ("GA", 1_000, 10));
        using var buyer = ApiBuyer.For(_app);

        var refused = await (await buyer.HoldAsync(concert.Id, ("GA", 2))).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var listed = (await buyer.Client.GetFromJsonAsync<ConcertResponse>($"/api/concerts/{concert.Id}", ApiBuyer.Json))!;
        var inLine = await (await buyer.JoinQueueAsync(concert.Id)).ShouldBeAsync<QueueResponse>(HttpStatusCode.OK);
        var waitlist = await (await buyer.JoinWaitlistAsync(concert.Id, "GA", 2)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        refused["title"]!.GetValue<string>().Should().Be("Not on sale yet.");
        refused["onSaleAt"]!.GetValue<DateTimeOffset>().Should().Be(concert.OnSaleAt!.Value);
        refused["room"]!.GetValue<string>().Should().Be($"/concerts/{concert.Id}/queue");
        listed.OnSaleAt.Should().Be(concert.OnSaleAt);
        listed.Tiers.Single().Held.Should().Be(0);
        inLine.Should().BeEquivalentTo(new { State = "waiting", Position = (int?)null, InLine = 1, Admission = (string?)null });
        waitlist["title"]!.GetValue<string>().Should().Be("Not on sale yet.", "nothing is sold out before the sale, so there is no line to wait in");
    }

    [Fact]
    public async Task In_an_open_room_joining_a_waiting_list_without_an_admission_is_403_with_the_rooms_address()
    {
        var concert = await _app.CreateConcertAsync(Now.AddMinutes(-1), ("GA", 1_000, 2));
        using var buyer = ApiBuyer.For(_app);
        using var skipper = ApiBuyer.For(_app);
        var turn = await (await buyer.JoinQueueAsync(concert.Id)).ShouldBeAsync<QueueResponse>(HttpStatusCode.OK);
        (await buyer.HoldAsync(concert.Id, turn.Admission, ("GA", 2))).StatusCode.Should().Be(HttpStatusCode.Created);

        var problem = await (await skipper.JoinWaitlistAsync(concert.Id, "GA", 2)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await skipper.StartSessionAsync();
        var withAdmission = await skipper.Client.PostAsJsonAsync("/api/waitlist", new { concertId = concert.Id, tier = "GA", quantity = 2, email = "skip@example.com", admission = turn.Admission });

        problem["reason"]!.GetValue<string>().Should().Be("missing");
        problem["room"]!.GetValue<string>().Should().Be($"/concerts/{concert.Id}/queue");
        (await withAdmission.ShouldBeProblemAsync(HttpStatusCode.Forbidden))["reason"]!.GetValue<string>().Should().Be("invalid", "an admission is bound to its buyer");
        (await skipper.WaitlistAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task In_an_open_room_a_hold_without_a_good_admission_of_your_own_is_403_with_the_rooms_address()
    {
        var concert = await _app.CreateConcertAsync(Now.AddMinutes(-1), ("GA", 1_000, 10));
        using var buyer = ApiBuyer.For(_app);
        using var stranger = ApiBuyer.For(_app);
        var admitted = await (await buyer.JoinQueueAsync(concert.Id)).ShouldBeAsync<QueueResponse>(HttpStatusCode.OK);
        admitted.State.Should().Be("admitted", "nobody was ahead");
        admitted.AdmissionExpiresAt.Should().BeCloseTo(Now.AddMinutes(2), TimeSpan.FromSeconds(30), "the first-hold window until the buyer holds");
        var forged = admitted.Admission![..^2] + (admitted.Admission.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA");

        foreach (var (who, admission, reason) in new[] { (buyer, (string?)null, "missing"), (buyer, forged, "invalid"), (stranger, admitted.Admission, "invalid") })
        {
            var problem = await (await who.HoldAsync(concert.Id, admission, ("GA", 2))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            problem["reason"]!.GetValue<string>().Should().Be(reason);
            problem["room"]!.GetValue<string>().Should().Be($"/concerts/{concert.Id}/queue");
            problem["queue"]!.GetValue<string>().Should().Be($"/api/concerts/{concert.Id}/queue");
        }

        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(0, "a refused hold changes nothing");
        (await buyer.HoldAsync(concert.Id, admitted.Admission, ("GA", 2))).StatusCode.Should().Be(HttpStatusCode.Created);
        var holding = await buyer.QueueAsync(concert.Id);
        holding.AdmissionExpiresAt.Should().BeCloseTo(Now.AddMinutes(10), TimeSpan.FromSeconds(30), "holding gives the turn its whole window");
        (await buyer.HoldAsync(concert.Id, admitted.Admission, ("GA", 3))).StatusCode.Should().Be(HttpStatusCode.Created, "the admission is good for the whole turn");
    }

    [Fact]
    public async Task The_stream_pushes_the_next_buyers_admission_when_the_one_shopping_books()
    {
        var concert = await _app.CreateConcertAsync(Now.AddMinutes(-1), ("GA", 1_000, 10));
        using var first = ApiBuyer.For(_app);
        using var second = ApiBuyer.For(_app);
        var turn = await (await first.JoinQueueAsync(concert.Id)).ShouldBeAsync<QueueResponse>(HttpStatusCode.OK);
        var waiting = await (await second.JoinQueueAsync(concert.Id)).ShouldBeAsync<QueueResponse>(HttpStatusCode.OK);
        waiting.Should().BeEquivalentTo(new { State = "waiting", Position = 1, AheadOfYou = 0, InLine = 1 });
        waiting.EstimatedWaitSeconds.Should().BePositive();

        using var response = await second.Client.GetAsync(new Uri($"/api/concerts/{concert.Id}/queue/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        (await events.NextOfAsync<QueueResponse>(QueueEndpoints.QueueEvent)).Should().BeEquivalentTo(new { State = "waiting", Position = 1 });

        (await first.HoldAsync(concert.Id, turn.Admission, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await first.ConfirmAsync(concert.Id, Guid.NewGuid().ToString())).StatusCode.Should().Be(HttpStatusCode.Created);

        // The room's beat (every second) admits the next in line once the booking freed the only place. A beat may first
        // push the room's other news (fewer tickets left) while they still wait; the admission follows.
        var pushed = await NextAdmissionAsync(events).WaitAsync(TimeSpan.FromSeconds(15));
        pushed.State.Should().Be("admitted");
        (await first.QueueAsync(concert.Id)).State.Should().Be("done");
        (await second.HoldAsync(concert.Id, pushed.Admission, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
    }

    private static async Task<QueueResponse> NextAdmissionAsync(SseReader events)
    {
        while (true)
        {
            var next = await events.NextOfAsync<QueueResponse>(QueueEndpoints.QueueEvent);
            if (next.State != "waiting")
            {
                return next;
            }

            next.Position.Should().Be(1, "while waiting, the second buyer is next in line");
        }
    }

    [Fact]
    public async Task Getting_in_line_answers_clearly_when_there_is_no_room_no_concert_or_no_place_yet()
    {
        var plain = await _app.CreateConcertAsync(("GA", 1_000, 10));
        var later = await _app.CreateConcertAsync(Now.AddHours(3), ("GA", 1_000, 10));
        using var buyer = ApiBuyer.For(_app);

        (await (await buyer.JoinQueueAsync(plain.Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict))["title"]!.GetValue<string>().Should().Be("No waiting room.");
        var notYet = await (await buyer.JoinQueueAsync(later.Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        notYet["opensAt"]!.GetValue<DateTimeOffset>().Should().Be(later.OnSaleAt!.Value.AddMinutes(-30));
        (await buyer.JoinQueueAsync(Guid.NewGuid())).StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await buyer.Client.GetAsync(new Uri($"/api/concerts/{later.Id}/queue", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NotFound);
        using var anonymous = _app.CreateClient();
        (await anonymous.PostAsync(new Uri($"/api/concerts/{later.Id}/queue", UriKind.Relative), null)).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
