using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Api;

[Collection(SerialTests.Name)]
public sealed class HoldContentionApiTests
{
    [Fact]
    public async Task A_thousand_concurrent_http_holds_by_distinct_buyers_on_100_tickets_give_exactly_100_created_and_900_conflicts()
    {
        await using var app = new TicketBookingApp();
        var baseAddress = app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));

        // 1,000 distinct buyers, each with the session cookie their first page view gave them, all pressing at once.
        using var handler = new SocketsHttpHandler { UseCookies = false, MaxConnectionsPerServer = 1_000 };
        using var http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
        var cookies = new List<string>();
        for (var i = 0; i < 1_000; i++)
        {
            using var page = await http.GetAsync(new Uri("/api/concerts", UriKind.Relative));
            cookies.Add(page.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        }

        using var start = new ManualResetEventSlim();
        var requests = cookies.Select(cookie => Task.Run(async () =>
        {
            start.Wait();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds")
            {
                Content = JsonContent.Create(new { concertId = concert.Id, items = new[] { new { tier = "GA", quantity = 1 } } }),
            };
            request.Headers.Add("Cookie", cookie);
            using var response = await http.SendAsync(request);
            return response.StatusCode;
        })).ToList();
        start.Set();
        var statuses = await Task.WhenAll(requests);

        statuses.Count(s => s == HttpStatusCode.Created).Should().Be(100);
        statuses.Count(s => s == HttpStatusCode.Conflict).Should().Be(900);
        statuses.Should().NotContain(s => (int)s >= 500);
        var availability = await http.GetFromJsonAsync<Web.Api.AvailabilityResponse>($"/api/concerts/{concert.Id}/availability", ApiBuyer.Json);
        availability!.Tiers.Single().Should().Match<Web.Api.TierAvailabilityResponse>(t => t.Held == 100 && t.Sold == 0 && t.Available == 0);
    }
}
