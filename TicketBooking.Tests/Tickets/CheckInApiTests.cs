using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;
using TicketBooking.Web.Tickets;

namespace TicketBooking.Tests.Tickets;

/// <summary>Tickets on a booking and the door's check-in, over real HTTP.</summary>
public sealed class CheckInApiTests : IAsyncLifetime
{
    private readonly TicketBookingApp _app = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_booking_has_one_ticket_per_seat_each_with_its_own_unguessable_code()
    {
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(_app);

        var booking = await buyer.BookAsync(concert.Id, ("VIP", 2), ("GA", 3));
        var again = await buyer.Client.GetFromJsonAsync<BookingResponse>($"/api/bookings/{booking.Id}", ApiBuyer.Json);

        booking.Tickets.Select(t => t.Tier).Should().Equal("VIP", "VIP", "GA", "GA", "GA");
        booking.Tickets.Should().OnlyContain(t => t.Status == "valid" && t.CheckedInAt == null);
        booking.Tickets.Select(t => t.Code).Should().OnlyHaveUniqueItems().And.OnlyContain(c => c.Length == 32 && c.All(char.IsAsciiHexDigitUpper));
        booking.Tickets.Select(t => t.Code).Should().NotContain(c => c.Contains(booking.Id.ToString("N"), StringComparison.OrdinalIgnoreCase));
        again!.Tickets.Should().BeEquivalentTo(booking.Tickets, "the tickets are stored, not made up per answer");
    }

    [Fact]
    public async Task A_hundred_doors_scanning_one_ticket_at_once_admit_it_exactly_once()
    {
        _app.StartKestrel(); // real HTTP: the parallel requests race over real connections
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(_app);
        var code = (await buyer.BookAsync(concert.Id, ("GA", 1))).Tickets.Single().Code;
        using var organizer = ApiBuyer.For(_app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var scanning = Enumerable.Range(1, 100).Select(door => Task.Run(async () =>
        {
            await gate.Task;
            using var response = await organizer.CheckInAsync(code, $"Door {door}");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        })).ToList();

        gate.SetResult();
        var answers = await Task.WhenAll(scanning);

        answers.Count(s => s.StatusCode == HttpStatusCode.OK).Should().Be(1);
        answers.Count(s => s.StatusCode == HttpStatusCode.Conflict).Should().Be(99);
        var admitted = System.Text.Json.JsonSerializer.Deserialize<CheckInResponse>(answers.Single(s => s.StatusCode == HttpStatusCode.OK).Body, ApiBuyer.Json)!;
        answers.Where(s => s.StatusCode == HttpStatusCode.Conflict).Should().OnlyContain(s => s.Body.Contains(admitted.Door!, StringComparison.Ordinal),
            "every refusal names the door that admitted the ticket");
        var checkins = await organizer.Client.GetFromJsonAsync<TierCheckInsResponse[]>($"/api/admin/concerts/{concert.Id}/checkins", ApiBuyer.Json);
        checkins.Should().Equal(new TierCheckInsResponse("GA", 1, 1));
    }

    [Fact]
    public async Task The_second_scan_says_when_and_where_and_unknown_or_altered_codes_admit_nobody()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(_app);
        var code = (await buyer.BookAsync(concert.Id, ("GA", 1))).Tickets.Single().Code;
        using var organizer = ApiBuyer.For(_app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();
        var altered = code[..^1] + (code[^1] == 'A' ? 'B' : 'A');

        var first = await (await organizer.CheckInAsync(TicketBooking.Core.Tickets.TicketCode.Display(code).ToLowerInvariant(), "North gate"))
            .ShouldBeAsync<CheckInResponse>(HttpStatusCode.OK);
        var second = await (await organizer.CheckInAsync(code, "South gate")).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        first.Door.Should().Be("North gate");
        first.Tier.Should().Be("GA");
        first.Holder.Should().Be("Ada Lovelace");
        second["door"]!.GetValue<string>().Should().Be("North gate");
        second["checkedInAt"]!.GetValue<DateTimeOffset>().Should().Be(first.CheckedInAt);
        await (await organizer.CheckInAsync(altered)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await organizer.CheckInAsync(TicketBooking.Core.Tickets.TicketCode.New())).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await organizer.CheckInAsync("'; DROP TABLE tickets; --")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await organizer.CheckInAsync("")).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task A_door_that_names_its_concert_refuses_another_concerts_ticket_and_leaves_it_valid()
    {
        var here = await _app.CreateConcertAsync(("GA", 1_000, 100));
        var elsewhere = await _app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(_app);
        var booking = await buyer.BookAsync(elsewhere.Id, ("GA", 1));
        using var organizer = ApiBuyer.For(_app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();

        using var wrongDoor = await organizer.Client.PostAsJsonAsync("/api/checkin", new { code = booking.Tickets[0].Code, door = "A", concertId = here.Id });
        var problem = await wrongDoor.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        using var rightDoor = await organizer.Client.PostAsJsonAsync("/api/checkin", new { code = booking.Tickets[0].Code, door = "B", concertId = elsewhere.Id });

        problem["title"]!.GetValue<string>().Should().Be("Ticket for another concert.");
        rightDoor.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Only_organizers_check_in_and_a_buyer_sees_only_their_own_tickets_qr()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(_app);
        using var other = ApiBuyer.For(_app);
        using var anonymous = _app.CreateClient(new() { HandleCookies = false });
        var booking = await buyer.BookAsync(concert.Id, ("GA", 1));
        var ticket = booking.Tickets.Single();
        await other.StartSessionAsync();

        await (await anonymous.PostAsJsonAsync("/api/checkin", new { code = ticket.Code })).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await buyer.CheckInAsync(ticket.Code)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await other.Client.GetAsync(new Uri($"/api/bookings/{booking.Id}/tickets/{ticket.Id}/qr", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        using var qr = await buyer.Client.GetAsync(new Uri($"/api/bookings/{booking.Id}/tickets/{ticket.Id}/qr", UriKind.Relative));

        qr.StatusCode.Should().Be(HttpStatusCode.OK);
        qr.Content.Headers.ContentType!.MediaType.Should().Be("image/svg+xml");
        qr.Headers.CacheControl!.NoStore.Should().BeTrue();
        using var details = await buyer.Client.GetAsync(new Uri($"/api/bookings/{booking.Id}", UriKind.Relative));
        details.Headers.CacheControl!.NoStore.Should().BeTrue("the answer carries the ticket codes");
        (await buyer.Client.GetFromJsonAsync<BookingResponse>($"/api/bookings/{booking.Id}", ApiBuyer.Json))!.Tickets.Single().Status.Should().Be("valid",
            "refused check-ins change nothing");
    }
}
