using System.Net;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

public sealed class BookingApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly TicketBookingApp _app = fixture.App;

    private SimulatedPaymentGateway Gateway => _app.GetService<SimulatedPaymentGateway>();

    [Fact]
    public async Task Paying_for_a_hold_is_201_with_the_booking_which_the_buyer_can_list_and_fetch()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        await buyer.HoldAsync(concert.Id, ("VIP", 2), ("GA", 1));

        var response = await buyer.ConfirmAsync(concert.Id, Guid.NewGuid().ToString());
        var booking = await response.ShouldBeAsync<BookingResponse>(HttpStatusCode.Created);

        response.Headers.Location!.ToString().Should().Be($"/api/bookings/{booking.Id}");
        booking.Reference.Should().MatchRegex("^[A-Z2-9]{4}-[A-Z2-9]{4}$");
        booking.Items.Should().BeEquivalentTo([new BookingItemResponse("VIP", 2, 10_000), new BookingItemResponse("GA", 1, 1_000)]);
        booking.TotalCents.Should().Be(21_000);
        booking.Status.Should().Be("confirmed");
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Select(t => (t.Sold, t.Held)).Should().Equal((2, 0), (1, 0));
        var listed = await (await buyer.Client.GetAsync(new Uri("/api/bookings", UriKind.Relative))).ShouldBeAsync<BookingResponse[]>(HttpStatusCode.OK);
        listed.Should().ContainEquivalentOf(booking);
        (await (await buyer.Client.GetAsync(new Uri($"/api/bookings/{booking.Id}", UriKind.Relative))).ShouldBeAsync<BookingResponse>(HttpStatusCode.OK))
            .Should().BeEquivalentTo(booking);
    }

    [Fact]
    public async Task A_declined_card_is_402_the_hold_is_kept_and_another_card_books()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await buyer.HoldAsync(concert.Id, ("VIP", 2));

        var declined = await (await buyer.ConfirmAsync(concert.Id, "attempt-1", ApiBuyer.DeclinedCard)).ShouldBeProblemAsync(HttpStatusCode.PaymentRequired);
        var heldAfterDecline = (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held;
        var booked = await buyer.ConfirmAsync(concert.Id, "attempt-2");

        declined["detail"]!.GetValue<string>().Should().Contain("declined").And.Contain("still held");
        heldAfterDecline.Should().Be(2);
        booked.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task The_same_idempotency_key_twice_gives_one_booking_one_charge_and_equal_bodies()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await buyer.HoldAsync(concert.Id, ("VIP", 1));
        var key = Guid.NewGuid().ToString();
        var chargesBefore = Gateway.Charges.Count;

        var first = await buyer.ConfirmAsync(concert.Id, key);
        var second = await buyer.ConfirmAsync(concert.Id, key);

        first.StatusCode.Should().Be(HttpStatusCode.Created);
        second.StatusCode.Should().Be(HttpStatusCode.Created);
        (await second.Content.ReadAsStringAsync()).Should().Be(await first.Content.ReadAsStringAsync());
        (Gateway.Charges.Count - chargesBefore).Should().Be(1);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Sold.Should().Be(1);
    }

    [Fact]
    public async Task Another_buyer_reusing_a_key_does_not_see_the_first_buyers_booking()
    {
        using var first = ApiBuyer.For(_app);
        using var second = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await first.HoldAsync(concert.Id, ("VIP", 1));
        var key = Guid.NewGuid().ToString();
        var booking = await (await first.ConfirmAsync(concert.Id, key)).ShouldBeAsync<BookingResponse>(HttpStatusCode.Created);

        var replayByOther = await second.ConfirmAsync(concert.Id, key);

        var body = await replayByOther.Content.ReadAsStringAsync();
        replayByOther.StatusCode.Should().Be(HttpStatusCode.NotFound, "the second buyer holds nothing");
        body.Should().NotContain(booking.Reference).And.NotContain(booking.Id.ToString());
    }

    [Fact]
    public async Task A_hold_taken_by_others_after_it_expired_is_404_and_nothing_is_charged()
    {
        var time = new TestClock();
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Holds:SweepInterval"] = "01:00:00" }, time);
        using var late = ApiBuyer.For(app);
        using var other = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 2));
        var hold = await (await late.HoldAsync(concert.Id, ("VIP", 2))).ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);
        time.SetUtcNow(hold.ExpiresAt.AddSeconds(1));
        await other.HoldAsync(concert.Id, ("VIP", 2));
        await other.ConfirmAsync(concert.Id, "other");

        var problem = await (await late.ConfirmAsync(concert.Id, "late")).ShouldBeProblemAsync(HttpStatusCode.NotFound);

        problem["detail"]!.GetValue<string>().Should().Contain("hold no tickets");
        (await late.AvailabilityAsync(concert.Id)).Tiers.Single().Sold.Should().Be(2);
        app.GetService<SimulatedPaymentGateway>().Charges.Should().ContainSingle("only the other buyer was charged");
    }

    [Fact]
    public async Task A_hold_that_expires_during_payment_and_is_taken_meanwhile_is_409_and_the_charge_is_voided()
    {
        var time = new TestClock();
        await using var app = new TicketBookingApp(
            new Dictionary<string, string?>
            {
                ["Holds:SweepInterval"] = "01:00:00",
                ["Holds:Duration"] = "00:03:00",
                ["Payments:Delay"] = "00:05:00", // longer than the hold, which expires while the card is charged
            },
            time);
        using var late = ApiBuyer.For(app);
        using var other = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 2));
        var hold = await (await late.HoldAsync(concert.Id, ("VIP", 2))).ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);
        var chargeStarted = time.GetUtcNow();

        var timers = time.ActiveTimers;
        var paying = late.ConfirmAsync(concert.Id, "late");
        await time.WaitForTimersAsync(timers + 1); // the gateway's delay: the charge is under way
        time.SetUtcNow(hold.ExpiresAt.AddSeconds(1));
        (await other.HoldAsync(concert.Id, ("VIP", 2))).StatusCode.Should().Be(HttpStatusCode.Created);
        time.SetUtcNow(chargeStarted.AddMinutes(5)); // the charge completes while the other buyer's hold is active
        var problem = await (await paying).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().Should().Contain("not charged");
        app.GetService<SimulatedPaymentGateway>().Charges.Should().ContainSingle().Which.Voided.Should().BeTrue();
        (await late.AvailabilityAsync(concert.Id)).Tiers.Single().Should().Match<TierAvailabilityResponse>(t => t.Sold == 0 && t.Held == 2);
    }

    [Fact]
    public async Task A_booking_without_an_idempotency_key_or_with_bad_fields_is_400_and_charges_nothing()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await buyer.HoldAsync(concert.Id, ("VIP", 1));
        var attempts = Gateway.Attempts;

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { concertId = concert.Id, buyer = new { name = "", email = "not-an-email" }, card = new { number = "123", expiry = "13/20", cvc = "1" } }),
        };
        var problem = await (await buyer.Client.SendAsync(request)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        problem["errors"]!.AsObject().Select(e => e.Key).Should().BeEquivalentTo("idempotencyKey", "buyer.name", "buyer.email", "card.number", "card.expiry", "card.cvc");
        Gateway.Attempts.Should().Be(attempts);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(1);
    }
}
