using System.Net;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Limits;

/// <summary>Whole seat maps are megabytes for a big hall: an address gets a budget of them; deltas and 304s are free.</summary>
public sealed class SeatMapBudgetTests
{
    [Fact]
    public async Task Whole_maps_count_against_the_address_but_unchanged_maps_and_deltas_do_not()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(("Limits:SeatMapsPerMinutePerAddress", "3"), ("Limits:NewBuyersPerMinute", "1000")));
        app.StartKestrel();
        var concert = await app.CreateSeatedConcertAsync();
        var map = new Uri($"/api/concerts/{concert.Id}/seats", UriKind.Relative);
        using var scraper = new ApiBuyer(app.CreateClientAt("203.0.113.80"));
        using var neighbour = new ApiBuyer(app.CreateClientAt("203.0.113.81"));
        await scraper.StartSessionAsync();

        var whole = new List<HttpResponseMessage>();
        for (var i = 0; i < 4; i++)
        {
            whole.Add(await scraper.Client.GetAsync(map));
        }

        using var revalidate = new HttpRequestMessage(HttpMethod.Get, map);
        revalidate.Headers.IfNoneMatch.Add(whole[0].Headers.ETag!);
        using var notModified = await scraper.Client.SendAsync(revalidate);
        using var delta = await scraper.Client.GetAsync(new Uri($"{map}?since=0", UriKind.Relative));
        await neighbour.StartSessionAsync();
        using var theirs = await neighbour.Client.GetAsync(map);

        whole.Take(3).Should().OnlyContain(r => r.StatusCode == HttpStatusCode.OK);
        var refused = await whole[3].ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        refused["limit"]!.GetValue<string>().Should().Be("seat-maps");
        whole[3].Headers.RetryAfter.Should().NotBeNull();
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified, "asking whether it changed costs nothing");
        delta.StatusCode.Should().Be(HttpStatusCode.OK, "deltas are not counted");
        theirs.StatusCode.Should().Be(HttpStatusCode.OK, "the budget is the address's");
        whole.ForEach(r => r.Dispose());
    }
}
