using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TicketBooking.Core.Availability;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

/// <summary>Runs alone (see <see cref="SerialTests"/>): "within 1 s" is measured without other tests competing for the two cores.</summary>
[Collection(SerialTests.Name)]
public sealed class AvailabilityStreamTests
{
    [Fact]
    public async Task A_subscriber_gets_the_current_snapshot_then_each_change_and_is_unsubscribed_when_it_disconnects()
    {
        await using var app = new TicketBookingApp();
        var baseAddress = app.StartKestrel();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        var broadcaster = app.GetService<AvailabilityBroadcaster>();
        using var buyer = new ApiBuyer(app.CreateBuyerClient());
        using var viewer = new HttpClient { BaseAddress = baseAddress };

        using var response = await viewer.GetAsync(new Uri($"/api/concerts/{concert.Id}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        var initial = await events.NextAsync();
        (await buyer.HoldAsync(concert.Id, ("VIP", 2))).StatusCode.Should().Be(HttpStatusCode.Created);
        var update = await events.NextAsync().WaitAsync(TimeSpan.FromSeconds(1));

        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        initial.Event.Should().Be("availability");
        initial.Data.Tiers.Single().Available.Should().Be(10);
        update.Event.Should().Be("availability");
        update.Data.Version.Should().BeGreaterThan(initial.Data.Version);
        update.Data.Tiers.Single().Should().Be(new TierAvailabilityResponse("VIP", 10, 0, 2, 8));
        broadcaster.SubscriberCountFor(concert.Id).Should().Be(1);

        var unsubscribed = WaitForSubscribersAsync(broadcaster, concert.Id, 0);
        response.Dispose();
        await unsubscribed.WaitAsync(TimeSpan.FromSeconds(10));
        broadcaster.SubscriberCountFor(concert.Id).Should().Be(0);
    }

    [Fact]
    public async Task A_quiet_stream_sends_a_keep_alive_comment_every_15_seconds()
    {
        var time = new TestClock();
        await using var app = new TicketBookingApp(time: time);
        var concert = (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().ListAsync())[0];
        using var viewer = app.CreateClient();
        _ = app.Services;
        await time.WaitForTimersAsync(); // the sweeper
        var timers = time.ActiveTimers;
        using var response = await viewer.GetAsync(new Uri($"/api/concerts/{concert.Id}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        await events.NextAsync();

        await time.WaitForTimersAsync(timers + 1); // the stream's keep-alive delay
        time.Advance(ConcertEndpoints.KeepAliveInterval);

        (await events.NextLineAsync()).Should().Be(": keep-alive");
    }

    [Fact]
    public async Task A_stream_ends_after_its_lifetime_and_a_reconnect_with_Last_Event_ID_gets_only_what_changed_since()
    {
        var time = new TestClock();
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Limits:EventStreamLifetime"] = "00:10:00" }, time);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        var stream = new Uri($"/api/concerts/{concert.Id}/availability/stream", UriKind.Relative);
        using var viewer = app.CreateClient();
        using var buyer = ApiBuyer.For(app);

        using var first = await viewer.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await first.Content.ReadAsStreamAsync());
        var current = (await events.NextEventAsync())!.Value;
        time.Advance(TimeSpan.FromMinutes(12)); // past the lifetime, a tenth more or less
        var ended = await DrainAsync(events).WaitAsync(TimeSpan.FromSeconds(10));

        using var again = new HttpRequestMessage(HttpMethod.Get, stream);
        again.Headers.Add("Last-Event-ID", current.Id);
        using var second = await viewer.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
        using var resumed = new SseReader(await second.Content.ReadAsStreamAsync());
        var nextEvent = resumed.NextEventAsync();
        (await buyer.HoldAsync(concert.Id, ("VIP", 2))).StatusCode.Should().Be(HttpStatusCode.Created);
        var change = (await nextEvent.WaitAsync(TimeSpan.FromSeconds(10)))!.Value;

        ended.Should().BeTrue("the server ends a stream when its lifetime is up");
        current.Id.Should().Be(current.Data.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        change.Data.Version.Should().BeGreaterThan(current.Data.Version, "the snapshot the client already had is not sent again");
        change.Data.Tiers.Single().Held.Should().Be(2);
    }

    [Fact]
    public async Task A_client_claiming_a_version_the_server_never_reached_gets_the_current_snapshot()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var viewer = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/concerts/{concert.Id}/availability/stream");
        request.Headers.Add("Last-Event-ID", "999999"); // from before the database was restored

        using var response = await viewer.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var events = new SseReader(await response.Content.ReadAsStreamAsync());
        var first = (await events.NextEventAsync().WaitAsync(TimeSpan.FromSeconds(10)))!.Value;

        first.Data.Version.Should().Be(concert.Version);
        first.Data.Tiers.Single().Available.Should().Be(10);
    }

    /// <summary>True once the stream ends (keep-alive comments are skipped).</summary>
    private static async Task<bool> DrainAsync(SseReader events)
    {
        while (await events.NextEventAsync() is not null)
        {
        }

        return true;
    }

    private static Task WaitForSubscribersAsync(AvailabilityBroadcaster broadcaster, Guid concertId, int count)
    {
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        broadcaster.SubscribersChanged += (_, _) =>
        {
            if (broadcaster.SubscriberCountFor(concertId) == count)
            {
                reached.TrySetResult();
            }
        };
        return reached.Task;
    }
}
