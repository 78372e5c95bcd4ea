using System.Net;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Limits;

namespace TicketBooking.Tests.Limits;

/// <summary>Event streams are capped per address and server-wide, below the connection limit, so the site keeps answering.</summary>
public sealed class EventStreamLimitTests
{
    [Fact]
    public async Task A_client_at_its_stream_cap_cannot_open_more_while_another_clients_page_hold_and_health_answer()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(("Limits:EventStreamsPerAddress", "3"), ("Limits:MaxEventStreams", "5")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        var stream = new Uri($"/api/concerts/{concert.Id}/availability/stream", UriKind.Relative);
        using var flooder = app.CreateClientAt("203.0.113.9");
        using var visitor = app.CreateClientAt("198.51.100.20");
        var open = new List<(HttpResponseMessage Response, SseReader Events)>();

        for (var i = 0; i < 3; i++)
        {
            open.Add(await OpenAsync(flooder, stream));
        }

        using var overCap = await flooder.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        using var page = await visitor.GetAsync(new Uri($"/concerts/{concert.Id}", UriKind.Relative));
        using var buyer = new ApiBuyer(visitor);
        using var hold = await buyer.HoldAsync(concert.Id, ("VIP", 1));
        using var health = await visitor.GetAsync(new Uri("/health", UriKind.Relative));

        var problem = await overCap.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem["limit"]!.GetValue<string>().Should().Be("event-streams");
        overCap.Headers.RetryAfter.Should().NotBeNull();
        page.StatusCode.Should().Be(HttpStatusCode.OK);
        hold.StatusCode.Should().Be(HttpStatusCode.Created);
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        (await open[0].Events.NextAsync().WaitAsync(TimeSpan.FromSeconds(10))).Data.Tiers.Single().Held.Should().Be(1, "the streams that are open still get changes");

        // The visitor takes the last two places on the server; the next viewer anywhere is told the server is full.
        open.Add(await OpenAsync(visitor, stream));
        open.Add(await OpenAsync(visitor, stream));
        using var stranger = app.CreateClientAt("192.0.2.44");
        using var full = await stranger.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        using var stillHealthy = await stranger.GetAsync(new Uri("/health", UriKind.Relative));

        (await full.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable))["limit"]!.GetValue<string>().Should().Be("event-streams-server-wide");
        stillHealthy.StatusCode.Should().Be(HttpStatusCode.OK);
        app.GetService<FairUse>().OpenEventStreams.Should().Be(5);

        foreach (var (response, events) in open)
        {
            events.Dispose();
            response.Dispose();
        }
    }

    private static async Task<(HttpResponseMessage, SseReader)> OpenAsync(HttpClient client, Uri stream)
    {
        var response = await client.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var events = new SseReader(await response.Content.ReadAsStreamAsync());
        await events.NextAsync(); // the current snapshot: the stream is open
        return (response, events);
    }
}
