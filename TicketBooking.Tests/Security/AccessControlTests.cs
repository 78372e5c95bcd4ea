using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Security;

public sealed class AccessControlTests
{
    [Fact]
    public async Task An_organizer_session_past_its_length_is_refused_but_the_buyer_identity_stays()
    {
        var time = new TestClock();
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Organizer:SessionLength"] = "08:00:00" }, time);
        using var person = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        await person.HoldAsync(concert.Id, ("VIP", 1));
        await person.ConfirmAsync(concert.Id, "before");
        (await person.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await person.Client.GetAsync(new Uri($"/api/admin/concerts/{concert.Id}/sales", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        time.Advance(TimeSpan.FromHours(8) + TimeSpan.FromMinutes(1));

        await (await person.Client.GetAsync(new Uri($"/api/admin/concerts/{concert.Id}/sales", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await person.Client.GetFromJsonAsync<Web.Api.BookingResponse[]>("/api/bookings", ApiBuyer.Json)).Should().ContainSingle("still the same buyer");
    }
}
