using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using TicketBooking.Core.Seating;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

/// <summary>
/// Request bodies over real HTTP (finding 4 of issue 34): each route's own size limit, 413 for more, and authorization
/// before a body is read, so nobody who may not use a route can make the server read, buffer or fail on its body.
/// </summary>
public sealed class RequestBodyLimitTests : IAsyncLifetime
{
    private readonly TicketBookingApp _app = new();
    private Uri _address = null!;

    public Task InitializeAsync()
    {
        _address = _app.StartKestrel();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_valid_layout_of_a_megabyte_and_more_uploads_and_one_over_four_megabytes_is_413()
    {
        var concert = await _app.CreateConcertAsync(("HALL", 4_000, 10));
        using var organizer = ApiBuyer.For(_app);
        (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var hall = SeatLayouts.Generate(new LayoutPlan([new SectionPlan("L", 100, 100), new SectionPlan("R", 100, 100)], Curved: true)).Seats;
        var layout = JsonSerializer.Serialize(new { seats = hall.Select(s => new { s.Section, s.Row, s.Number, s.X, s.Y }) }, ApiBuyer.Json);
        Encoding.UTF8.GetByteCount(layout).Should().BeGreaterThan(1_200_000, "a 20,000-seat hall is over a megabyte");
        var tooBig = layout.Insert(1, $"\"padding\":\"{new string(' ', (5 * 1024 * 1024) - Encoding.UTF8.GetByteCount(layout))}\",");

        var address = new Uri($"/api/admin/concerts/{concert.Id}/tiers/HALL/layout", UriKind.Relative);
        using var uploaded = await organizer.Client.PutAsync(address, Json(layout));
        using var declared = await SendExpectingContinueAsync(organizer.Client, HttpMethod.Put, address, Json(tooBig));
        using var chunked = await SendExpectingContinueAsync(organizer.Client, HttpMethod.Put, address, Chunked(tooBig));

        (await uploaded.ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK)).Tiers.Single().Capacity.Should().Be(20_000);
        (await declared.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge))["detail"]!.GetValue<string>().Should().Contain("at most 4 MB");
        await chunked.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        (await _app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("HALL")!.Capacity.Should().Be(20_000, "the oversized uploads changed nothing");
    }

    [Fact]
    public async Task Layout_uploads_by_anyone_but_an_organizer_are_refused_before_their_body_is_read_and_nothing_is_logged_as_an_error()
    {
        // Finding 4 of issue 34: 200 unauthenticated 40 KB PUTs made 200 × 500 and 200 error stack traces.
        var concert = await _app.CreateConcertAsync(("HALL", 4_000, 10));
        using var buyer = ApiBuyer.For(_app);
        await buyer.StartSessionAsync();
        using var stranger = new HttpClient { BaseAddress = _address };
        var body = $$"""{"seats":[{{string.Join(',', Enumerable.Repeat("""{"section":"A","row":"B","number":1,"x":0,"y":1}""", 900))}}]}""";
        Encoding.UTF8.GetByteCount(body).Should().BeGreaterThan(40 * 1024);
        var address = new Uri($"/api/admin/concerts/{concert.Id}/tiers/HALL/layout", UriKind.Relative);

        var answers = new List<(HttpStatusCode Stranger, HttpStatusCode Buyer)>();
        for (var i = 0; i < 100; i++)
        {
            using var fromStranger = await stranger.PutAsync(address, i % 2 == 0 ? Json(body) : Chunked(body));
            using var fromBuyer = await buyer.Client.PutAsync(address, i % 2 == 0 ? Json(body) : Chunked(body));
            answers.Add((fromStranger.StatusCode, fromBuyer.StatusCode));
        }

        answers.Should().AllBeEquivalentTo((HttpStatusCode.Unauthorized, HttpStatusCode.Forbidden));
        _app.Log.Entries.Should().NotContain(e => e.Level >= LogLevel.Error, "no request from outside can make the log cry wolf");
        (await _app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("HALL")!.Reserved.Should().BeFalse();
    }

    [Fact]
    public async Task A_buyer_route_keeps_its_32_kilobytes_whether_the_length_is_declared_or_not()
    {
        var concert = await _app.CreateConcertAsync(("GA", 1_000, 10));
        using var buyer = ApiBuyer.For(_app);
        await buyer.StartSessionAsync();
        var big = $$"""{"concertId":"{{concert.Id}}","items":[{"tier":"GA","quantity":1}],"admission":"{{new string('a', 40 * 1024)}}"}""";

        using var declared = await buyer.Client.PostAsync(new Uri("/api/holds", UriKind.Relative), Json(big));
        using var chunked = await buyer.Client.PostAsync(new Uri("/api/holds", UriKind.Relative), Chunked(big));

        (await declared.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge))["detail"]!.GetValue<string>().Should().Contain("at most 32 KB");
        await chunked.ShouldBeProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(0);
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>As curl sends a large body: the headers first, the body only once the server asks for it (100 Continue).</summary>
    private static async Task<HttpResponseMessage> SendExpectingContinueAsync(HttpClient client, HttpMethod method, Uri address, HttpContent content)
    {
        using var request = new HttpRequestMessage(method, address) { Content = content };
        request.Headers.ExpectContinue = true;
        return await client.SendAsync(request);
    }

    /// <summary>The same body sent without a Content-Length, so only reading it can tell its size.</summary>
    private static ChunkedContent Chunked(string json) => new(json);

    private sealed class ChunkedContent : HttpContent
    {
        private readonly string _text;

        public ChunkedContent(string text)
        {
            _text = text;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(Encoding.UTF8.GetBytes(_text)).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
