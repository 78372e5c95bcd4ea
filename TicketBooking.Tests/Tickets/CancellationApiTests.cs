using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Tickets;

/// <summary>Buyers and organizers cancel tickets; refunds go through the gateway once; seats come back and admit nobody.</summary>
public sealed class CancellationApiTests
{
    private static async Task<int> SoldAsync(TicketBookingApp app, Guid concertId, string tier) =>
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concertId))!.Tier(tier)!.Sold;

    [Fact]
    public async Task Cancelling_refunds_once_puts_the_seats_back_live_and_the_door_refuses_the_tickets()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(app);
        var booking = await buyer.BookAsync(concert.Id, ("VIP", 2), ("GA", 1));
        var gateway = app.GetService<SimulatedPaymentGateway>();
        // Snapshots reach a subscriber on its own delivery loop, after the answer: wait for the one that gives the seats back.
        var seatsBack = new TaskCompletionSource<AvailabilitySnapshot>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var watching = app.GetService<AvailabilityBroadcaster>().Subscribe(concert.Id, s =>
        {
            if (s.Tiers.Single(t => t.Code == "VIP").Available == 10)
            {
                seatsBack.TrySetResult(s);
            }

            return Task.CompletedTask;
        });

        var cancelled = await (await buyer.CancelAsync(booking.Id)).ShouldBeAsync<BookingResponse>(HttpStatusCode.OK);
        var again = await (await buyer.CancelAsync(booking.Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        cancelled.Status.Should().Be("cancelled");
        cancelled.RefundedCents.Should().Be(21_000);
        cancelled.Tickets.Should().OnlyContain(t => t.Status == "cancelled");
        again["detail"]!.GetValue<string>().Should().Contain("already cancelled");
        gateway.Refunds.Should().ContainSingle().Which.AmountCents.Should().Be(21_000);
        (await SoldAsync(app, concert.Id, "VIP")).Should().Be(0);
        (await SoldAsync(app, concert.Id, "GA")).Should().Be(0);
        var pushed = await seatsBack.Task.WaitAsync(TimeSpan.FromSeconds(10)); // the seats are pushed back to open pages
        pushed.ConcertId.Should().Be(concert.Id);

        using var organizer = ApiBuyer.For(app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();
        await (await organizer.CheckInAsync(booking.Tickets[0].Code)).ShouldBeProblemAsync(HttpStatusCode.Gone);
    }

    [Fact]
    public async Task A_partial_cancel_refunds_only_the_chosen_tickets_and_leaves_the_rest_valid()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(app);
        var booking = await buyer.BookAsync(concert.Id, ("VIP", 2), ("GA", 2));
        var chosen = new[] { booking.Tickets[1].Id, booking.Tickets[3].Id };

        var partly = await (await buyer.CancelAsync(booking.Id, chosen)).ShouldBeAsync<BookingResponse>(HttpStatusCode.OK);

        partly.Status.Should().Be("partiallyCancelled");
        partly.RefundedCents.Should().Be(11_000);
        partly.Tickets.Select(t => t.Status).Should().Equal("valid", "cancelled", "valid", "cancelled");
        (await SoldAsync(app, concert.Id, "VIP")).Should().Be(1);
        (await SoldAsync(app, concert.Id, "GA")).Should().Be(1);
        await (await buyer.CancelAsync(booking.Id, booking.Tickets[1].Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await buyer.CancelAsync(booking.Id, Guid.NewGuid())).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_same_cancel_sent_many_times_at_once_refunds_once()
    {
        await using var app = new TicketBookingApp();
        app.StartKestrel(); // real HTTP: the parallel requests race over real connections
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(app);
        var booking = await buyer.BookAsync(concert.Id, ("GA", 3));
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var sending = Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            await gate.Task;
            using var response = await buyer.CancelAsync(booking.Id);
            return response.StatusCode;
        })).ToList();
        gate.SetResult();
        var answers = await Task.WhenAll(sending);

        answers.Count(a => a == HttpStatusCode.OK).Should().Be(1);
        answers.Count(a => a == HttpStatusCode.Conflict).Should().Be(19);
        app.GetService<SimulatedPaymentGateway>().Refunds.Should().ContainSingle().Which.AmountCents.Should().Be(3_000);
        (await SoldAsync(app, concert.Id, "GA")).Should().Be(0);
    }

    [Fact]
    public async Task After_the_deadline_buyers_get_409_and_the_organizer_can_still_cancel_any_booking()
    {
        // Concerts made by the test start a month ahead: a 60-day deadline has passed for them.
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Cancellation:Deadline"] = "60.00:00:00" });
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(app);
        using var stranger = ApiBuyer.For(app);
        var booking = await buyer.BookAsync(concert.Id, ("GA", 2));
        await stranger.StartSessionAsync();

        var late = await (await buyer.CancelAsync(booking.Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        await (await stranger.CancelAsync(booking.Id)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await buyer.Client.PostAsJsonAsync($"/api/admin/bookings/{booking.Id}/cancel", new { })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        using var organizer = ApiBuyer.For(app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();
        var byOrganizer = await (await organizer.Client.PostAsJsonAsync($"/api/admin/bookings/{booking.Id}/cancel", new { }))
            .ShouldBeAsync<BookingResponse>(HttpStatusCode.OK);

        late["title"]!.GetValue<string>().Should().Be("Too late to cancel.");
        byOrganizer.Status.Should().Be("cancelled");
        (await buyer.Client.GetFromJsonAsync<BookingResponse>($"/api/bookings/{booking.Id}", ApiBuyer.Json))!.RefundedCents.Should().Be(2_000);
    }

    [Fact]
    public async Task A_refund_the_gateway_refuses_leaves_the_booking_and_its_tickets_as_they_were()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(app);
        var booking = await buyer.BookWithAsync("4000 0000 0000 5126", concert.Id, ("GA", 2));

        var failed = await (await buyer.CancelAsync(booking.Id)).ShouldBeProblemAsync(HttpStatusCode.BadGateway);

        failed["detail"]!.GetValue<string>().Should().Contain("nothing was cancelled");
        var after = await buyer.Client.GetFromJsonAsync<BookingResponse>($"/api/bookings/{booking.Id}", ApiBuyer.Json);
        after!.Status.Should().Be("confirmed");
        after.Tickets.Should().OnlyContain(t => t.Status == "valid");
        (await SoldAsync(app, concert.Id, "GA")).Should().Be(2);
        using var organizer = ApiBuyer.For(app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();
        (await organizer.CheckInAsync(booking.Tickets[0].Code)).StatusCode.Should().Be(HttpStatusCode.OK, "a ticket whose refund failed still admits");
    }

    [Fact]
    public async Task A_refund_the_gateway_does_not_answer_is_finished_by_recovery_once_and_the_tickets_admit_nobody_meanwhile()
    {
        SilentOnceGateway? gateway = null;
        await using var app = new TicketBookingApp(configure: services => services.AddSingleton<IPaymentGateway>(sp =>
            gateway = new SilentOnceGateway(sp.GetRequiredService<SimulatedPaymentGateway>())));
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));
        using var buyer = ApiBuyer.For(app);
        var booking = await buyer.BookAsync(concert.Id, ("GA", 2));
        using var organizer = ApiBuyer.For(app);
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();

        var pending = await (await buyer.CancelAsync(booking.Id)).ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        await (await organizer.CheckInAsync(booking.Tickets[0].Code)).ShouldBeProblemAsync(HttpStatusCode.Gone);
        await (await buyer.CancelAsync(booking.Id)).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var finished = await app.GetService<TicketBooking.Core.Bookings.CancellationService>().RecoverAsync(TimeSpan.Zero);

        pending["title"]!.GetValue<string>().Should().Be("Refund in progress.");
        finished.Should().Be(1);
        var after = await buyer.Client.GetFromJsonAsync<BookingResponse>($"/api/bookings/{booking.Id}", ApiBuyer.Json);
        after!.Status.Should().Be("cancelled");
        after.RefundedCents.Should().Be(2_000);
        gateway!.Simulated.Refunds.Should().ContainSingle("the gateway was asked again with the same refund id");
        (await SoldAsync(app, concert.Id, "GA")).Should().Be(0);
    }

    /// <summary>The simulated gateway, except that its first refund times out (the money moves, the answer never comes).</summary>
    private sealed class SilentOnceGateway(SimulatedPaymentGateway simulated) : IPaymentGateway
    {
        private int _refunds;

        public SimulatedPaymentGateway Simulated => simulated;

        public Task<ChargeResult> ChargeAsync(ChargeRequest request, CancellationToken cancellationToken) => simulated.ChargeAsync(request, cancellationToken);

        public Task VoidAsync(string chargeId, CancellationToken cancellationToken) => simulated.VoidAsync(chargeId, cancellationToken);

        public async Task<RefundResult> RefundAsync(RefundRequest request, CancellationToken cancellationToken)
        {
            var result = await simulated.RefundAsync(request, cancellationToken);
            return Interlocked.Increment(ref _refunds) == 1 ? throw new TimeoutException("The card processor did not answer.") : result;
        }
    }
}
