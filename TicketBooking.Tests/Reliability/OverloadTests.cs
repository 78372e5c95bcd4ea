using System.Net;
using TicketBooking.Bench;
using TicketBooking.Tests.Support;
using Xunit.Abstractions;

namespace TicketBooking.Tests.Reliability;

/// <summary>Far more buyers at once than the server will run: it must shed, stay small, never oversell and recover.</summary>
[Collection(SerialTests.Name)]
public sealed class OverloadTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Two_thousand_concurrent_buyers_are_shed_with_503s_without_overselling_and_the_server_recovers()
    {
        // A small limit so this machine can overload it with 2,000 clients inside a test; the shipped default is 256 + 1,024 queued.
        await using var app = await AppUnderTest.StartAsync(BuiltApp.Configuration, settings: new Dictionary<string, string>
        {
            ["Overload:MaxConcurrentRequests"] = "16",
            ["Overload:QueueLimit"] = "64",
        });
        using var api = new TicketApi(app.BaseAddress, 2_100);
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 100), ("VIP", 10_000, 10));
        var rssBefore = app.ResidentMegabytes()!.Value;

        using var start = new ManualResetEventSlim();
        var json = TicketApi.HoldJson(concertId, "GA", 1);
        var cookies = new List<string>();
        for (var i = 0; i < 2_000; i++)
        {
            cookies.Add(await api.NewBuyerAsync()); // each buyer opened the page first
        }

        var requests = cookies.Select(cookie => Task.Run(async () =>
        {
            start.Wait();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/holds") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
            using var response = await api.Http.SendAsync(request);
            return (response.StatusCode, RetryAfter: response.Headers.RetryAfter is not null);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(requests);
        var rssAfter = app.ResidentMegabytes()!.Value;

        var byStatus = results.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        output.WriteLine($"{string.Join(", ", byStatus.Select(s => $"{(int)s.Key}: {s.Value}"))}; RSS {rssBefore:0} MB -> {rssAfter:0} MB");
        byStatus.Keys.Should().BeSubsetOf([HttpStatusCode.Created, HttpStatusCode.Conflict, HttpStatusCode.ServiceUnavailable]);
        byStatus.GetValueOrDefault(HttpStatusCode.ServiceUnavailable).Should().BePositive("the overload is shed");
        results.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).Should().OnlyContain(r => r.RetryAfter);
        var ga = (await api.AvailabilityAsync(concertId))["tiers"]!.AsArray().Single(t => t!["code"]!.GetValue<string>() == "GA")!;
        ga["held"]!.GetValue<int>().Should().Be(byStatus.GetValueOrDefault(HttpStatusCode.Created)).And.BeLessThanOrEqualTo(100);
        rssAfter.Should().BeLessThan(rssBefore + 300, "memory stays bounded under the burst");

        var afterwards = await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 1), await api.NewBuyerAsync());
        afterwards.Status.Should().Be(HttpStatusCode.Created, "the server recovers once the burst is over");
        (await api.SendAsync(HttpMethod.Get, "/health")).Status.Should().Be(HttpStatusCode.OK);
    }
}
