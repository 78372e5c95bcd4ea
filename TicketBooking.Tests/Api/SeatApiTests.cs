using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

/// <summary>The seat map API (docs/architecture.md, "Reserved seating") over real HTTP: maps, deltas, seat holds, their refusals, layouts.</summary>
public sealed class SeatApiTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    private readonly TicketBookingApp _app = fixture.App;

    [Fact]
    public async Task The_map_lists_every_seat_with_the_callers_own_seats_as_yours_and_others_as_taken()
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var holder = ApiBuyer.For(_app);
        using var other = ApiBuyer.For(_app);

        var hold = await (await HoldSeatsAsync(holder, concert.Id, "A-C-5", "A-C-6")).ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);

        hold.Items.Single().Should().BeEquivalentTo(new HoldItemResponse("SEATS", 2, ["A-C-5", "A-C-6"], Together: true));
        var mine = await MapAsync(holder, concert.Id);
        var theirs = await MapAsync(other, concert.Id);
        (mine.Complete, mine.Seats.Count).Should().Be((true, 50));
        mine.Seats.Single(s => s.Label == "A-C-5").Should().Be(new SeatResponse("A-C-5", "SEATS", "A", "C", 5, mine.Seats.Single(s => s.Label == "A-C-5").X, 6.4, false, "yours"));
        theirs.Seats.Where(s => s.Status != "available").Select(s => (s.Label, s.Status)).Should().Equal(("A-C-5", "taken"), ("A-C-6", "taken"));
        (await (await holder.Client.GetAsync(new Uri($"/api/holds/{concert.Id}", UriKind.Relative))).ShouldBeAsync<HoldResponse>(HttpStatusCode.OK))
            .Items.Single().Seats.Should().Equal("A-C-5", "A-C-6");
    }

    [Fact]
    public async Task Since_a_version_the_map_lists_only_the_seats_changed_after_it()
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var buyer = ApiBuyer.For(_app);
        var before = await MapAsync(buyer, concert.Id);
        (await HoldSeatsAsync(buyer, concert.Id, "A-B-3", "A-B-4")).StatusCode.Should().Be(HttpStatusCode.Created);

        var delta = await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{concert.Id}/seats?since={before.Version}", UriKind.Relative))).ShouldBeAsync<SeatMapResponse>(HttpStatusCode.OK);
        var none = await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{concert.Id}/seats?since={delta.Version}", UriKind.Relative))).ShouldBeAsync<SeatMapResponse>(HttpStatusCode.OK);

        (delta.Complete, delta.Version).Should().Be((false, before.Version + 1));
        delta.Seats.Select(s => (s.Label, s.Status)).Should().Equal(("A-B-3", "yours"), ("A-B-4", "yours"));
        none.Seats.Should().BeEmpty();
        await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{concert.Id}/seats?since=-1", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{Guid.NewGuid()}/seats", UriKind.Relative))).ShouldBeProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_taken_seat_is_a_409_problem_naming_it_and_nothing_is_held()
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var first = ApiBuyer.For(_app);
        using var second = ApiBuyer.For(_app);
        await HoldSeatsAsync(first, concert.Id, "A-D-4", "A-D-5");

        var problem = await (await HoldSeatsAsync(second, concert.Id, "A-D-5", "A-D-6")).ShouldBeProblemAsync(HttpStatusCode.Conflict);

        problem["detail"]!.GetValue<string>().Should().Contain("A-D-5");
        problem["seats"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Equal("A-D-5");
        (await MapAsync(second, concert.Id)).Seats.Count(s => s.Status == "taken").Should().Be(2);
    }

    [Fact]
    public async Task A_pick_leaving_a_lone_seat_is_a_409_with_the_reason_and_best_available_keeps_a_group_together()
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var buyer = ApiBuyer.For(_app);

        var orphan = await (await HoldSeatsAsync(buyer, concert.Id, "A-A-2", "A-A-3")).ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var best = await (await buyer.Client.PostAsJsonAsync("/api/holds", new { concertId = concert.Id, items = new[] { new { tier = "SEATS", quantity = 3, bestAvailable = true } } }))
            .ShouldBeAsync<HoldResponse>(HttpStatusCode.Created);

        orphan["reason"]!.GetValue<string>().Should().Be("orphanSeat");
        orphan["seats"]!.AsArray().Select(s => s!.GetValue<string>()).Should().Equal("A-A-1");
        orphan["detail"]!.GetValue<string>().Should().Contain("A-A-1");
        best.Items.Single().Should().BeEquivalentTo(new HoldItemResponse("SEATS", 3, ["A-A-4", "A-A-5", "A-A-6"], Together: true));
    }

    [Theory]
    [InlineData("""{"tier":"SEATS","seats":[]}""", "items[0].seats")]
    [InlineData("""{"tier":"SEATS","seats":["A-A-1"],"quantity":2}""", "items[0].quantity")]
    [InlineData("""{"tier":"SEATS","seats":["A-A-1"],"bestAvailable":true}""", "items[0].seats")]
    [InlineData("""{"tier":"SEATS","seats":["A-Q-77"]}""", "items[0].seats")]
    [InlineData("""{"tier":"GA","seats":["A-A-1"]}""", "items")]
    public async Task Malformed_seat_requests_are_400_and_hold_nothing(string item, string field)
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var buyer = ApiBuyer.For(_app);
        await buyer.StartSessionAsync();

        var response = await buyer.Client.PostAsync("/api/holds", new StringContent($$"""{"concertId":"{{concert.Id}}","items":[{{item}}]}""", System.Text.Encoding.UTF8, "application/json"));

        var problem = await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        problem["errors"]!.AsObject().Select(e => e.Key).Should().Contain(field);
        (await MapAsync(buyer, concert.Id)).Seats.Should().OnlyContain(s => s.Status == "available");
    }

    [Fact]
    public async Task A_booking_lists_its_seats_per_item_and_on_each_ticket()
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var buyer = ApiBuyer.For(_app);
        await HoldSeatsAsync(buyer, concert.Id, "A-E-1", "A-E-2");

        var booking = await (await buyer.ConfirmAsync(concert.Id, Guid.NewGuid().ToString())).ShouldBeAsync<BookingResponse>(HttpStatusCode.Created);

        booking.Items.Single().Seats.Should().Equal("A-E-1", "A-E-2");
        booking.Tickets.Select(t => t.Seat).Should().Equal("A-E-1", "A-E-2");
        using var stranger = ApiBuyer.For(_app);
        (await MapAsync(stranger, concert.Id)).Seats.Where(s => s.Status == "taken").Select(s => s.Label).Should().Equal("A-E-1", "A-E-2");
    }

    [Fact]
    public async Task The_stream_sends_each_change_of_seats_as_a_delta_with_the_holders_own_seats_as_yours()
    {
        var concert = await _app.CreateSeatedConcertAsync();
        using var holder = ApiBuyer.For(_app);
        using var viewer = ApiBuyer.For(_app);
        await holder.StartSessionAsync();
        await viewer.StartSessionAsync();
        var start = (await MapAsync(viewer, concert.Id)).Version;
        using var theirs = await OpenStreamAsync(viewer, concert.Id);
        using var own = await OpenStreamAsync(holder, concert.Id);

        await HoldSeatsAsync(holder, concert.Id, "A-C-9", "A-C-10");
        var seen = await theirs.Events.NextOfAsync<SeatChangesResponse>("seats").WaitAsync(TimeSpan.FromSeconds(10));
        var mine = await own.Events.NextOfAsync<SeatChangesResponse>("seats").WaitAsync(TimeSpan.FromSeconds(10));
        (await holder.ReleaseAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var freed = await theirs.Events.NextOfAsync<SeatChangesResponse>("seats").WaitAsync(TimeSpan.FromSeconds(10));

        (seen.Since, seen.Version).Should().Be((start, start + 1));
        seen.Seats.Should().BeEquivalentTo([new SeatChangeResponse("A-C-9", "taken"), new SeatChangeResponse("A-C-10", "taken")]);
        mine.Seats.Should().BeEquivalentTo([new SeatChangeResponse("A-C-9", "yours"), new SeatChangeResponse("A-C-10", "yours")]);
        (freed.Since, freed.Version).Should().Be((start + 1, start + 2));
        freed.Seats.Should().BeEquivalentTo([new SeatChangeResponse("A-C-9", "available"), new SeatChangeResponse("A-C-10", "available")]);
    }

    [Fact]
    public async Task An_organizer_lays_out_a_tier_by_generator_or_upload_and_marks_seats_and_buyers_cannot()
    {
        var concert = await _app.CreateConcertAsync(("STALLS", 4_000, 10), ("GA", 1_000, 10));
        using var organizer = ApiBuyer.For(_app);
        await organizer.SignInAsOrganizerAsync();
        using var buyer = ApiBuyer.For(_app);
        await buyer.StartSessionAsync();
        var generate = new { sections = new[] { new { name = "L", rows = 2, seatsPerRow = 4 }, new { name = "R", rows = 2, seatsPerRow = 4 } }, curved = true };

        await (await buyer.Client.PostAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/STALLS/layout/generate", generate)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        var generated = await (await organizer.Client.PostAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/STALLS/layout/generate", generate)).ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK);
        var flagged = await (await organizer.Client.PostAsJsonAsync($"/api/admin/concerts/{concert.Id}/seats/flags", new { seats = new[] { "L-A-1", "R-A-4" }, notForSale = true }))
            .ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK);
        var bad = await (await organizer.Client.PutAsync(new Uri($"/api/admin/concerts/{concert.Id}/tiers/GA/layout", UriKind.Relative),
            new StringContent("""{"seats":[{"section":"G","row":"A","number":1,"x":0}]}""", System.Text.Encoding.UTF8, "application/json"))).ShouldBeProblemAsync(HttpStatusCode.BadRequest);
        var uploaded = await (await organizer.Client.PutAsync(new Uri($"/api/admin/concerts/{concert.Id}/tiers/GA/layout", UriKind.Relative),
            new StringContent("""{"seats":[{"section":"G","row":"A","number":1,"x":-0.5,"y":9},{"section":"G","row":"A","number":2,"x":0.5,"y":9,"accessible":true}]}""", System.Text.Encoding.UTF8, "application/json")))
            .ShouldBeAsync<ConcertResponse>(HttpStatusCode.OK);

        generated.Tiers.Single(t => t.Code == "STALLS").Capacity.Should().Be(16);
        flagged.Tiers.Single(t => t.Code == "STALLS").Capacity.Should().Be(14);
        bad["errors"]!["layout"]!.AsArray().Single()!.GetValue<string>().Should().Contain("section, row, number, x and y");
        uploaded.Tiers.Single(t => t.Code == "GA").Capacity.Should().Be(2);
        var map = await MapAsync(buyer, concert.Id);
        map.Seats.Should().HaveCount(18);
        map.Seats.Where(s => s.Status == "notForSale").Select(s => s.Label).Should().BeEquivalentTo(["L-A-1", "R-A-4"]);
        map.Seats.Single(s => s.Label == "G-A-2").Accessible.Should().BeTrue();
    }

    [Fact]
    public async Task A_big_map_is_serialized_once_per_version_for_every_viewer_and_a_repeat_with_its_etag_is_304()
    {
        // Finding 5 of issue 34: a 20,000-seat map was 3 MB and 85-100 ms of CPU for every request.
        var clock = new TestClock();
        await using var app = new TicketBookingApp(time: clock);
        var concert = await app.CreateSeatedConcertAsync(rows: 100, seatsPerRow: 200);
        var bodies = app.GetService<SeatMapBodies>();
        var maps = app.GetService<TicketBooking.Core.Seating.SeatMaps>();
        var viewers = Enumerable.Range(0, 10).Select(_ => ApiBuyer.For(app)).ToList();
        (await HoldSeatsAsync(viewers[0], concert.Id, "A-A-100", "A-A-101")).StatusCode.Should().Be(HttpStatusCode.Created);
        var (serialized, read) = (bodies.Serializations, maps.Reads);

        // All at once, as a crowd asks when a sale opens: one read and one serialization however many arrive together.
        var answers = (await Task.WhenAll(Enumerable.Range(0, 200).Select(i =>
            viewers[i % viewers.Count].Client.GetAsync(new Uri($"/api/concerts/{concert.Id}/seats", UriKind.Relative))))).ToList();

        (bodies.Serializations, maps.Reads).Should().Be((serialized + 1, read + 1), "two hundred requests of one version: one read, one serialization");
        answers.Should().OnlyContain(a => a.StatusCode == HttpStatusCode.OK && a.Headers.ETag != null);
        var holders = await answers[0].ShouldBeAsync<SeatMapResponse>(HttpStatusCode.OK);
        var others = await answers[1].ShouldBeAsync<SeatMapResponse>(HttpStatusCode.OK);
        holders.Seats.Should().HaveCount(20_000);
        holders.Seats.Where(s => s.Status != "available").Select(s => (s.Label, s.Status)).Should().Equal(("A-A-100", "yours"), ("A-A-101", "yours"));
        others.Seats.Where(s => s.Status != "available").Select(s => (s.Label, s.Status)).Should().Equal(("A-A-100", "taken"), ("A-A-101", "taken"));
        answers[0].Headers.ETag.Should().NotBe(answers[1].Headers.ETag, "the holder's map is not the others'");
        answers[1].Headers.ETag.Should().Be(answers[3].Headers.ETag);
        answers[0].Headers.CacheControl.Should().Match<System.Net.Http.Headers.CacheControlHeaderValue>(c => c.Private && c.NoCache);

        using var compressed = new HttpRequestMessage(HttpMethod.Get, $"/api/concerts/{concert.Id}/seats");
        compressed.Headers.AcceptEncoding.ParseAdd("gzip");
        using var gzipped = await viewers[2].Client.SendAsync(compressed);
        gzipped.Content.Headers.ContentEncoding.Should().Equal("gzip");
        gzipped.Content.Headers.ContentLength.Should().BeLessThan(answers[1].Content.Headers.ContentLength!.Value / 4);
        await using (var unzip = new System.IO.Compression.GZipStream(await gzipped.Content.ReadAsStreamAsync(), System.IO.Compression.CompressionMode.Decompress))
        {
            (await System.Text.Json.JsonSerializer.DeserializeAsync<SeatMapResponse>(unzip, ApiBuyer.Json)).Should().BeEquivalentTo(others, o => o.WithStrictOrdering());
        }

        using var again = new HttpRequestMessage(HttpMethod.Get, $"/api/concerts/{concert.Id}/seats");
        again.Headers.IfNoneMatch.Add(answers[1].Headers.ETag!);
        using var notModified = await viewers[1].Client.SendAsync(again);
        notModified.StatusCode.Should().Be(HttpStatusCode.NotModified);
        notModified.Headers.ETag.Should().Be(answers[1].Headers.ETag);

        (await HoldSeatsAsync(viewers[1], concert.Id, "A-B-1", "A-B-2")).StatusCode.Should().Be(HttpStatusCode.Created);
        clock.Advance(TicketBooking.Core.Seating.SeatMaps.LongestReuse);
        using var stale = new HttpRequestMessage(HttpMethod.Get, $"/api/concerts/{concert.Id}/seats");
        stale.Headers.IfNoneMatch.Add(answers[1].Headers.ETag!);
        using var changed = await viewers[1].Client.SendAsync(stale);
        (await changed.ShouldBeAsync<SeatMapResponse>(HttpStatusCode.OK)).Seats.Where(s => s.Status == "yours").Select(s => s.Label).Should().Equal("A-B-1", "A-B-2");
        (bodies.Serializations, maps.Reads).Should().Be((serialized + 2, read + 2), "a new version, one more of each");
        answers.ForEach(a => a.Dispose());
        viewers.ForEach(v => v.Dispose());
    }

    [Fact]
    public async Task A_generator_plan_of_28_million_seats_is_400_at_once()
    {
        var concert = await _app.CreateConcertAsync(("HALL", 4_000, 10));
        using var organizer = ApiBuyer.For(_app);
        await organizer.SignInAsOrganizerAsync();
        var plan = new { sections = Enumerable.Range(1, 700).Select(i => new { name = $"S{i}", rows = 200, seatsPerRow = 200 }), curved = true };

        var refused = await (await organizer.Client.PostAsJsonAsync($"/api/admin/concerts/{concert.Id}/tiers/HALL/layout/generate", plan)).ShouldBeProblemAsync(HttpStatusCode.BadRequest);

        refused["errors"]!["layout"]!.AsArray().Select(e => e!.GetValue<string>()).Should().Contain("A layout has at most 20,000 seats; these sections make 28,000,000.");
        (await _app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tier("HALL")!.Reserved.Should().BeFalse();
    }

    private static async Task<HttpResponseMessage> HoldSeatsAsync(ApiBuyer buyer, Guid concertId, params string[] seats)
    {
        await buyer.StartSessionAsync();
        return await buyer.Client.PostAsJsonAsync("/api/holds", new { concertId, items = new[] { new { tier = "SEATS", seats } } });
    }

    private static async Task<SeatMapResponse> MapAsync(ApiBuyer buyer, Guid concertId)
    {
        await buyer.StartSessionAsync();
        return await (await buyer.Client.GetAsync(new Uri($"/api/concerts/{concertId}/seats", UriKind.Relative))).ShouldBeAsync<SeatMapResponse>(HttpStatusCode.OK);
    }

    private static async Task<OpenStream> OpenStreamAsync(ApiBuyer buyer, Guid concertId)
    {
        var response = await buyer.Client.GetAsync(new Uri($"/api/concerts/{concertId}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        var events = new SseReader(await response.Content.ReadAsStreamAsync());
        (await events.NextAsync()).Event.Should().Be("availability");
        return new OpenStream(response, events);
    }

    private sealed record OpenStream(HttpResponseMessage Response, SseReader Events) : IDisposable
    {
        public void Dispose()
        {
            Events.Dispose();
            Response.Dispose();
        }
    }
}
