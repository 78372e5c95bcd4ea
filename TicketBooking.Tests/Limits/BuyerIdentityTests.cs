using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Limits;

/// <summary>A buyer identity comes from a page load or a first GET, never from a write, and one address mints only so many.</summary>
public sealed class BuyerIdentityTests
{
    public static TheoryData<string, string, string> Writes => new()
    {
        { "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":2}]}""" },
        { "POST", "/api/holds/heartbeat", """{"concertId":"{concert}","active":true,"visible":true}""" },
        { "DELETE", "/api/holds/{concert}", "" },
        { "POST", "/api/bookings", """{"concertId":"{concert}","buyer":{"name":"Ada","email":"ada@example.com"},"card":{"number":"4242 4242 4242 4242","expiry":"12/39","cvc":"123"}}""" },
        { "POST", "/api/bookings/claim", """{"reference":"ABCD-2345","email":"ada@example.com"}""" },
    };

    [Theory]
    [MemberData(nameof(Writes))]
    public async Task A_write_without_a_buyer_cookie_is_401_and_creates_nothing(string method, string path, string body)
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var client = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{concert}", concert.Id.ToString(), StringComparison.Ordinal));
        if (body.Length > 0)
        {
            request.Content = new StringContent(body.Replace("{concert}", concert.Id.ToString(), StringComparison.Ordinal), System.Text.Encoding.UTF8, "application/json");
            request.Headers.Add("Idempotency-Key", "k1");
        }

        using var response = await client.SendAsync(request);

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.Unauthorized);
        problem["detail"]!.GetValue<string>().Should().Contain("concert page");
        response.Headers.Contains("Set-Cookie").Should().BeFalse("a write never mints a buyer");
        await using var connection = await app.GetService<TicketBooking.Core.Storage.ConnectionFactory>().OpenAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT (SELECT COUNT(*) FROM holds) + (SELECT COUNT(*) FROM payments) + (SELECT COUNT(*) FROM idempotency_keys)")).Should().Be(0);
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tiers.Single().Held.Should().Be(0);
    }

    [Fact]
    public async Task One_address_minting_identities_past_its_limit_gets_429_while_its_buyers_and_other_addresses_carry_on()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(("Limits:NewBuyersPerMinute", "3")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        var minted = new List<ApiBuyer>();
        for (var i = 0; i < 3; i++)
        {
            var buyer = new ApiBuyer(app.CreateClientAt("198.51.100.7"));
            minted.Add(buyer);
            using var first = await buyer.Client.GetAsync(new Uri("/api/concerts", UriKind.Relative));
            first.StatusCode.Should().Be(HttpStatusCode.OK);
            first.Headers.Contains("Set-Cookie").Should().BeTrue();
        }

        using var scripted = app.CreateClientAt("198.51.100.7");
        using var refused = await scripted.GetAsync(new Uri("/api/concerts", UriKind.Relative));
        using var neighbour = app.CreateClientAt("198.51.100.8");
        using var elsewhere = await neighbour.GetAsync(new Uri("/api/concerts", UriKind.Relative));

        var problem = await refused.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem["limit"]!.GetValue<string>().Should().Be("new-buyers");
        refused.Headers.RetryAfter!.Delta!.Value.TotalSeconds.Should().BeInRange(1, 60);
        refused.Headers.Contains("Set-Cookie").Should().BeFalse();
        elsewhere.StatusCode.Should().Be(HttpStatusCode.OK, "the limit is per address");
        (await minted[0].HoldAsync(concert.Id, ("VIP", 1))).StatusCode.Should().Be(HttpStatusCode.Created, "buyers who already have a cookie are not new");
        app.Log.Entries.Should().ContainSingle(e => e.Message.StartsWith("Limit new-buyers refused client 198.51.100.7", StringComparison.Ordinal));
        minted.ForEach(b => b.Dispose());
    }

    [Fact]
    public async Task A_person_opening_a_page_past_the_limit_gets_a_page_saying_when_to_try_again()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["RateLimits:Enabled"] = "true", ["Limits:NewBuyersPerMinute"] = "1" });
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var first = app.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });
        (await first.GetAsync(new Uri($"/concerts/{concert.Id}", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        using var refused = await first.GetAsync(new Uri($"/concerts/{concert.Id}?from=link", UriKind.Relative));
        var page = await refused.Content.ReadAsStringAsync();

        refused.StatusCode.Should().Be(HttpStatusCode.TooManyRequests);
        refused.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        refused.Headers.RetryAfter.Should().NotBeNull();
        page.Should().Contain("Too many new visitors from your network").And.Contain($"href=\"/concerts/{concert.Id}?from=link\"").And.NotContain("<script");
    }

    [Fact]
    public async Task X_Forwarded_For_from_an_unconfigured_proxy_is_ignored_so_a_forged_header_changes_nothing()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?>
        {
            ["RateLimits:Enabled"] = "true",
            ["Limits:NewBuyersPerMinute"] = "2",
        });
        app.StartKestrel();

        var statuses = new List<HttpStatusCode>();
        foreach (var forged in new[] { "203.0.113.1", "203.0.113.2", "203.0.113.3" })
        {
            using var client = app.CreateClientAt(forged);
            using var response = await client.GetAsync(new Uri("/api/concerts", UriKind.Relative));
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public void IPv6_clients_are_counted_by_their_64_bit_prefix()
    {
        TicketBooking.Web.Limits.ClientAddress.Of(IPAddress.Parse("2001:db8:1:2:aaaa::1")).Should().Be("2001:db8:1:2::/64");
        TicketBooking.Web.Limits.ClientAddress.Of(IPAddress.Parse("2001:db8:1:2:bbbb::9")).Should().Be("2001:db8:1:2::/64");
        TicketBooking.Web.Limits.ClientAddress.Of(IPAddress.Parse("::ffff:198.51.100.7")).Should().Be("198.51.100.7");
        TicketBooking.Web.Limits.ClientAddress.Of((IPAddress?)null).Should().Be("unknown");
    }
}
