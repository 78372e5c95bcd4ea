using System.Net;
using System.Net.Http.Json;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;
using TicketBooking.Web.Limits;

namespace TicketBooking.Tests.Limits;

/// <summary>
/// The page gate and the line for circuits over HTTP (docs/scaling.md §5): at the cap a page that would open a circuit is the busy
/// page, pages without a circuit are always served, the line's stream takes the first in line in, and a buyer holding
/// tickets goes ahead. Each test fills the only slot itself, as a circuit would.
/// </summary>
public sealed class CircuitLineTests : IAsyncLifetime
{
    private readonly TicketBookingApp _app = new(new Dictionary<string, string?> { ["Limits:MaxCircuits"] = "1" });

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private CircuitSlots Slots => _app.GetService<CircuitSlots>();

    private static Uri At(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task At_the_cap_a_page_with_a_circuit_is_the_busy_page_and_pages_without_one_are_served()
    {
        var concert = await _app.FirstConcertAsync();
        var onSale = await _app.CreateConcertAsync(_app.GetService<TimeProvider>().GetUtcNow().AddMinutes(-1), ("GA", 1_000, 10));
        using var visitor = ApiBuyer.For(_app);
        using (var free = await visitor.Client.GetAsync(At($"/concerts/{concert.Id}")))
        {
            free.StatusCode.Should().Be(HttpStatusCode.OK, "a slot is free");
        }

        Slots.TryTake(null).Should().BeTrue();
        using var full = await visitor.Client.GetAsync(At($"/concerts/{concert.Id}?tier=VIP"));
        using var list = await visitor.Client.GetAsync(At("/"));
        using var room = await visitor.Client.GetAsync(At($"/concerts/{onSale.Id}/queue"));
        using var signIn = await visitor.Client.GetAsync(At("/organizer/sign-in"));

        full.StatusCode.Should().Be(HttpStatusCode.Redirect);
        full.Headers.Location!.OriginalString.Should().Be($"/busy?return={Uri.EscapeDataString($"/concerts/{concert.Id}?tier=VIP")}");
        full.Headers.CacheControl!.NoStore.Should().BeTrue();
        (list.StatusCode, room.StatusCode, signIn.StatusCode).Should().Be((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK));
        using var busy = await visitor.Client.GetAsync(full.Headers.Location);
        var page = await busy.Content.ReadAsStringAsync();
        busy.StatusCode.Should().Be(HttpStatusCode.OK, "the crowd's page is a page, not an error");
        page.Should().Contain("The site is very busy").And.Contain("You&#x27;re next in line; this page takes you in by itself.")
            .And.Contain($"data-return=\"/concerts/{concert.Id}?tier=VIP\"").And.NotContain("_framework/blazor.web.js");
        (await visitor.Client.GetFromJsonAsync<CircuitLineResponse>("/api/circuits/line", ApiBuyer.Json))
            .Should().BeEquivalentTo(new CircuitLineResponse("waiting", 1, 1, null));
    }

    [Fact]
    public async Task The_stream_tells_the_first_in_line_their_turn_and_the_kept_slot_is_theirs_alone()
    {
        var concert = await _app.FirstConcertAsync();
        Slots.TryTake(null).Should().BeTrue();
        using var first = ApiBuyer.For(_app);
        using var second = ApiBuyer.For(_app);
        (await first.Client.GetAsync(At("/busy"))).EnsureSuccessStatusCode();
        (await second.Client.GetAsync(At("/busy"))).EnsureSuccessStatusCode();
        using var firstStream = await first.Client.GetAsync(At("/api/circuits/line/stream"), HttpCompletionOption.ResponseHeadersRead);
        using var secondStream = await second.Client.GetAsync(At("/api/circuits/line/stream"), HttpCompletionOption.ResponseHeadersRead);
        using var firstEvents = new SseReader(await firstStream.Content.ReadAsStreamAsync());
        using var secondEvents = new SseReader(await secondStream.Content.ReadAsStreamAsync());
        (await firstEvents.NextOfAsync<CircuitLineResponse>(CircuitLineEndpoints.LineEvent)).Should().BeEquivalentTo(new { State = "waiting", Place = 1, InLine = 2 });
        (await secondEvents.NextOfAsync<CircuitLineResponse>(CircuitLineEndpoints.LineEvent)).Should().BeEquivalentTo(new { State = "waiting", Place = 2, InLine = 2 });

        Slots.Release();

        var turn = await firstEvents.NextOfAsync<CircuitLineResponse>(CircuitLineEndpoints.LineEvent);
        turn.State.Should().Be("admitted");
        turn.KeptUntil.Should().BeCloseTo(DateTimeOffset.UtcNow.AddSeconds(30), TimeSpan.FromSeconds(10));
        (await firstEvents.NextRawAsync()).Should().BeNull("the stream ends: the page goes in");
        (await secondEvents.NextOfAsync<CircuitLineResponse>(CircuitLineEndpoints.LineEvent)).Should().BeEquivalentTo(new { State = "waiting", Place = 1, InLine = 1 });
        using var secondTries = await second.Client.GetAsync(At($"/concerts/{concert.Id}"));
        using var stranger = await ApiBuyer.For(_app).Client.GetAsync(At($"/concerts/{concert.Id}"));
        using var firstComes = await first.Client.GetAsync(At($"/concerts/{concert.Id}"));
        (secondTries.StatusCode, stranger.StatusCode, firstComes.StatusCode).Should().Be((HttpStatusCode.Redirect, HttpStatusCode.Redirect, HttpStatusCode.OK));
    }

    [Fact]
    public async Task A_buyer_holding_tickets_goes_ahead_of_those_without()
    {
        var concert = await _app.FirstConcertAsync();
        Slots.TryTake(null).Should().BeTrue();
        using var browsing = ApiBuyer.For(_app);
        using var checkingOut = ApiBuyer.For(_app);
        (await browsing.Client.GetAsync(At("/busy"))).EnsureSuccessStatusCode();
        (await checkingOut.HoldAsync(concert.Id, ("VIP", 1))).StatusCode.Should().Be(HttpStatusCode.Created);

        (await checkingOut.Client.GetAsync(At("/busy"))).EnsureSuccessStatusCode();

        (await checkingOut.Client.GetFromJsonAsync<CircuitLineResponse>("/api/circuits/line", ApiBuyer.Json))!.Place.Should().Be(1);
        (await browsing.Client.GetFromJsonAsync<CircuitLineResponse>("/api/circuits/line", ApiBuyer.Json))!.Place.Should().Be(2);
    }

    [Fact]
    public async Task A_signed_in_organizer_is_never_sent_to_the_busy_page()
    {
        Slots.TryTake(null).Should().BeTrue();
        using var organizer = ApiBuyer.For(_app);
        await organizer.StartSessionAsync();
        (await organizer.SignInAsOrganizerAsync()).EnsureSuccessStatusCode();

        using var dashboard = await organizer.Client.GetAsync(At("/organizer"));

        dashboard.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("https://evil.example/", "/")]
    [InlineData("//evil.example/concerts", "/")]
    [InlineData("/\\evil.example", "/")]
    [InlineData("/busy?return=/busy", "/")]
    [InlineData("/bookings", "/bookings")]
    public async Task The_busy_page_only_takes_the_visitor_back_to_a_page_of_this_site(string asked, string back)
    {
        using var visitor = ApiBuyer.For(_app);

        var page = await visitor.Client.GetStringAsync(At($"/busy?return={Uri.EscapeDataString(asked)}"));

        page.Should().Contain($"data-return=\"{back}\"");
    }

    [Fact]
    public async Task The_lines_stream_is_404_for_a_visitor_not_in_line()
    {
        using var visitor = ApiBuyer.For(_app);

        using var stream = await visitor.Client.GetAsync(At("/api/circuits/line/stream"));

        (await stream.ShouldBeProblemAsync(HttpStatusCode.NotFound))["detail"]!.GetValue<string>().Should().StartWith("You are not in line.");
        (await visitor.Client.GetFromJsonAsync<CircuitLineResponse>("/api/circuits/line", ApiBuyer.Json)).Should().BeEquivalentTo(new CircuitLineResponse("none", null, 0, null));
    }
}
