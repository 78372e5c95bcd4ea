using System.Net;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

public sealed class IsolationApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly TicketBookingApp _app = fixture.App;

    [Fact]
    public async Task Another_buyer_gets_404_for_a_buyers_hold_and_booking_and_never_lists_them()
    {
        using var alice = ApiBuyer.For(_app);
        using var bob = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        var other = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await alice.HoldAsync(other.Id, ("VIP", 3));
        await alice.HoldAsync(concert.Id, ("VIP", 2));
        var booking = await (await alice.ConfirmAsync(concert.Id, "alice-key")).ShouldBeAsync<BookingResponse>(HttpStatusCode.Created);

        await (await bob.HeartbeatAsync(other.Id)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await bob.ReleaseAsync(other.Id)).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await bob.ConfirmAsync(other.Id, "bob-key")).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await bob.Client.GetAsync(new Uri($"/api/holds/{other.Id}", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        await (await bob.Client.GetAsync(new Uri($"/api/bookings/{booking.Id}", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        var bobsBookings = await (await bob.Client.GetAsync(new Uri("/api/bookings", UriKind.Relative))).ShouldBeAsync<BookingResponse[]>(HttpStatusCode.OK);

        bobsBookings.Should().BeEmpty();
        (await alice.AvailabilityAsync(other.Id)).Tiers.Single().Held.Should().Be(3, "Bob's release and confirm touched nothing of Alice's");
        (await (await alice.HeartbeatAsync(other.Id)).ShouldBeAsync<HeartbeatResponse>(HttpStatusCode.OK)).ExpiresAt.Should().BeAfter(DateTimeOffset.UtcNow);
        (await (await alice.Client.GetAsync(new Uri($"/api/bookings/{booking.Id}", UriKind.Relative))).ShouldBeAsync<BookingResponse>(HttpStatusCode.OK)).Reference
            .Should().Be(booking.Reference);
    }
}
