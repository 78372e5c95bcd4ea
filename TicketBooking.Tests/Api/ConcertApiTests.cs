using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

public sealed class ConcertApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly TicketBookingApp _app = fixture.App;

    [Fact]
    public async Task Concerts_are_listed_in_camel_case_with_tiers_prices_and_live_counts()
    {
        using var buyer = ApiBuyer.For(_app);

        var response = await buyer.Client.GetAsync(new Uri("/api/concerts", UriKind.Relative));
        var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        json.Count.Should().BeGreaterThanOrEqualTo(5);
        var first = json[0]!.AsObject();
        first.Select(p => p.Key).Should().Contain(["id", "name", "artist", "venue", "city", "startsAt", "timeZone", "tiers"]);
        var vip = first["tiers"]!.AsArray()[0]!.AsObject();
        vip.Select(p => p.Key).Should().Equal("code", "name", "priceCents", "currency", "capacity", "sold", "held", "available", "reserved", "waiting", "waitingTickets", "setAside");
        (vip["code"]!.GetValue<string>(), vip["priceCents"]!.GetValue<long>(), vip["currency"]!.GetValue<string>()).Should().Be(("VIP", 10_000L, "USD"));
    }

    [Fact]
    public async Task One_concert_and_its_availability_are_served_by_id_and_an_unknown_id_is_a_404_problem()
    {
        using var buyer = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        (await buyer.HoldAsync(concert.Id, ("VIP", 3))).StatusCode.Should().Be(HttpStatusCode.Created);

        var one = await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{concert.Id}", UriKind.Relative))).ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK);
        var availability = await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{concert.Id}/availability", UriKind.Relative)))
            .ShouldBeAsync<AvailabilityResponse>(HttpStatusCode.OK);

        one.Tiers.Single().Should().BeEquivalentTo(new TierResponse("VIP", "VIP", 10_000, "USD", 10, 0, 3, 7));
        availability.ConcertId.Should().Be(concert.Id);
        availability.Version.Should().BePositive();
        availability.Tiers.Should().Equal(new TierAvailabilityResponse("VIP", 10, 0, 3, 7));
        foreach (var path in new[] { $"/api/concerts/{Guid.NewGuid()}", $"/api/concerts/{Guid.NewGuid()}/availability", $"/api/concerts/{Guid.NewGuid()}/availability/stream", "/api/concerts/not-a-guid" })
        {
            await (await buyer.Client.GetAsync(new Uri(path, UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
        }
    }

    [Fact]
    public async Task The_first_request_of_a_new_client_gets_an_http_only_buyer_cookie()
    {
        using var client = _app.CreateClient(new() { HandleCookies = false });

        var response = await client.GetAsync(new Uri("/api/concerts", UriKind.Relative));

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("tb_session=", StringComparison.Ordinal));
        cookie.Should().Contain("httponly").And.Contain("samesite=lax");
    }
}
