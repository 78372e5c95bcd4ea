using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

public sealed class AdminApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly TicketBookingApp _app = fixture.App;

    private static object NewConcert(string name = "Summer Nights") => new
    {
        name,
        artist = "The Examples",
        venue = "Riverside Arena",
        city = "Berlin",
        timeZone = "Europe/Berlin",
        startsAt = DateTimeOffset.UtcNow.AddDays(60),
        description = "An open-air evening.",
        tiers = new[] { new { code = "VIP", name = "VIP", priceCents = 10_000, capacity = 10 }, new { code = "GA", name = "General Admission", priceCents = 1_000, capacity = 100 } },
    };

    [Fact]
    public async Task Organizer_endpoints_are_401_without_a_session_and_403_for_a_buyer()
    {
        using var anonymous = _app.CreateClient(new() { HandleCookies = false });
        using var buyer = ApiBuyer.For(_app);
        await buyer.FirstConcertAsync();
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));

        await (await anonymous.PostAsJsonAsync("/api/admin/concerts", NewConcert())).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await anonymous.GetAsync(new Uri($"/api/admin/concerts/{concert.Id}/sales", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await buyer.Client.PostAsJsonAsync("/api/admin/concerts", NewConcert())).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await buyer.Client.PutAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/VIP/capacity", new { capacity = 1 })).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await buyer.Client.GetAsync(new Uri($"/api/admin/concerts/{concert.Id}/sales", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await (await buyer.SignInAsOrganizerAsync("wrong password")).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        await (await buyer.Client.PostAsJsonAsync("/api/admin/concerts", NewConcert())).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await _app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().ListAsync()).Should().NotContain(c => c.Name == "Summer Nights");
    }

    [Fact]
    public async Task A_signed_in_organizer_creates_a_concert_that_buyers_see_and_reads_its_sales()
    {
        using var organizer = ApiBuyer.For(_app);
        using var buyer = ApiBuyer.For(_app);
        (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);

        var created = await (await organizer.Client.PostAsJsonAsync("/api/admin/concerts", NewConcert("Created by organizer")))
            .ShouldBeAsync<ConcertResponse>(HttpStatusCode.Created);
        await buyer.HoldAsync(created.Id, ("VIP", 2));
        await buyer.ConfirmAsync(created.Id, "k");
        await buyer.HoldAsync(created.Id, ("GA", 3));
        var sales = await (await organizer.Client.GetAsync(new Uri($"/api/admin/concerts/{created.Id}/sales", UriKind.Relative)))
            .ShouldBeAsync<SalesResponse>(HttpStatusCode.OK);

        created.Tiers.Select(t => (t.Code, t.PriceCents, t.Capacity)).Should().Equal(("VIP", 10_000L, 10), ("GA", 1_000L, 100));
        (await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{created.Id}", UriKind.Relative))).ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK)).Name
            .Should().Be("Created by organizer");
        sales.Tiers.Should().Equal(
            new TierSalesResponse("VIP", "VIP", 10_000, 10, 2, 0, 8, 20_000),
            new TierSalesResponse("GA", "General Admission", 1_000, 100, 0, 3, 97, 0));
        sales.RevenueCents.Should().Be(20_000);
    }

    [Fact]
    public async Task Capacity_can_be_raised_but_never_below_sold_plus_held()
    {
        using var organizer = ApiBuyer.For(_app);
        using var buyer = ApiBuyer.For(_app);
        await organizer.SignInAsOrganizerAsync();
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await buyer.HoldAsync(concert.Id, ("VIP", 2));
        await buyer.ConfirmAsync(concert.Id, "k");
        await buyer.HoldAsync(concert.Id, ("VIP", 3));

        var tooLow = await (await organizer.Client.PutAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/VIP/capacity", new { capacity = 4 }))
            .ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var exact = await organizer.Client.PutAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/VIP/capacity", new { capacity = 5 });
        var raised = await (await organizer.Client.PutAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/VIP/capacity", new { capacity = 50 }))
            .ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK);

        tooLow["detail"]!.GetValue<string>().Should().Contain("2 sold and 3 held");
        exact.StatusCode.Should().Be(HttpStatusCode.OK);
        raised.Tiers.Single().Should().Match<TierResponse>(t => t.Capacity == 50 && t.Available == 45);
        await (await organizer.Client.PutAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/NOPE/capacity", new { capacity = 5 })).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Signing_out_drops_the_role_but_keeps_the_buyers_hold()
    {
        using var person = ApiBuyer.For(_app);
        var concert = await _app.CreateConcertAsync(("VIP", 10_000, 10));
        await person.HoldAsync(concert.Id, ("VIP", 1));
        await person.SignInAsOrganizerAsync();
        (await person.Client.GetAsync(new Uri($"/api/admin/concerts/{concert.Id}/sales", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        (await person.Client.DeleteAsync(new Uri("/api/admin/session", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        await (await person.Client.GetAsync(new Uri($"/api/admin/concerts/{concert.Id}/sales", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await person.HeartbeatAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.OK, "the buyer identity survived signing in and out");
    }
}

public sealed class OrganizerFormSignInTests
{
    [Fact]
    public async Task The_sign_in_form_post_is_refused_without_an_antiforgery_token()
    {
        await using var app = new TicketBookingApp();
        using var client = app.CreateBuyerClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["password"] = TicketBookingApp.OrganizerPassword });

        var response = await client.PostAsync(new Uri("/organizer/sign-in", UriKind.Relative), form);

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        response.Headers.Location.Should().BeNull();
        // The refused post set no session at all, let alone an organizer one.
        await (await client.GetAsync(new Uri($"/api/admin/concerts/{Guid.NewGuid()}/sales", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
    }
}
