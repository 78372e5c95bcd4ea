using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TicketBooking.Core;
using TicketBooking.Core.Organizers;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Identity;

namespace TicketBooking.Tests.Security;

/// <summary>The organizer role lasts as long as its server-side session: sign-out, a new password or no password end it.</summary>
public sealed class OrganizerSessionTests
{
    [Fact]
    public async Task An_old_organizer_cookie_is_refused_after_sign_out()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var organizer = ApiBuyer.For(app);
        (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
        var signedInCookie = await CookieAsync(organizer);
        (await SetCapacityAsync(app, signedInCookie, concert.Id, 20)).StatusCode.Should().Be(HttpStatusCode.OK);

        (await organizer.Client.DeleteAsync(new Uri("/api/admin/session", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NoContent);
        using var replayed = await SetCapacityAsync(app, signedInCookie, concert.Id, 30);

        await replayed.ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        (await app.GetService<TicketBooking.Core.Concerts.ConcertCatalog>().GetAsync(concert.Id))!.Tiers.Single().Capacity.Should().Be(20);
    }

    [Fact]
    public async Task A_password_change_or_a_start_without_a_password_ends_every_session_but_keeps_the_buyer()
    {
        using var database = new TempDatabase();
        Guid concertId;
        string cookie;
        await using (var before = new TicketBookingApp(database: database))
        {
            concertId = (await before.CreateConcertAsync(("VIP", 10_000, 10))).Id;
            using var organizer = ApiBuyer.For(before);
            (await organizer.HoldAsync(concertId, ("VIP", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
            (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
            cookie = await CookieAsync(organizer);
        }

        await using (var newPassword = new TicketBookingApp(new Dictionary<string, string?> { ["Organizer:Password"] = "a-brand-new-password" }, database: database))
        {
            await (await SetCapacityAsync(newPassword, cookie, concertId, 20)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
            using var buyerView = await GetAsync(newPassword, cookie, $"/api/holds/{concertId}");
            buyerView.StatusCode.Should().Be(HttpStatusCode.OK, "the buyer identity and its hold outlive the organizer role");
        }

        await using (var sameAgain = new TicketBookingApp(database: database))
        {
            // Back to the first password: the session was ended for good by the change, not just hidden.
            await (await SetCapacityAsync(sameAgain, cookie, concertId, 20)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        }

        string stillSignedIn;
        await using (var again = new TicketBookingApp(database: database))
        {
            using var organizer = ApiBuyer.For(again);
            (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
            stillSignedIn = await CookieAsync(organizer);
        }

        await using var noPassword = new TicketBookingApp(new Dictionary<string, string?> { ["Organizer:Password"] = null }, database: database);
        await (await SetCapacityAsync(noPassword, stillSignedIn, concertId, 30)).ShouldBeProblemAsync(HttpStatusCode.Forbidden);
        await using var connection = await noPassword.GetService<ConnectionFactory>().OpenAsync();
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM organizer_sessions")).Should().Be(0, "a start without a password ends them all");
    }

    [Fact]
    public async Task A_guesser_on_the_organizers_network_is_slowed_but_the_organizers_own_browser_still_signs_in()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Limits:SignInFailuresPerMinute"] = "5" });
        using var organizer = ApiBuyer.For(app);
        (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await organizer.Client.DeleteAsync(new Uri("/api/admin/session", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.NoContent);

        // In-process every client shares one address, as an office behind one router does.
        using var guesser = ApiBuyer.For(app);
        var guesses = new List<HttpStatusCode>();
        for (var i = 0; i < 7; i++)
        {
            guesses.Add((await guesser.SignInAsOrganizerAsync($"guess-number-{i:00}")).StatusCode);
        }

        using var rightPasswordWrongBrowser = await guesser.SignInAsOrganizerAsync();
        using var organizerAgain = await organizer.SignInAsOrganizerAsync();

        guesses.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]);
        rightPasswordWrongBrowser.StatusCode.Should().Be(HttpStatusCode.TooManyRequests, "while locked, the password is not even checked");
        rightPasswordWrongBrowser.Headers.RetryAfter.Should().NotBeNull();
        organizerAgain.StatusCode.Should().Be(HttpStatusCode.NoContent, "a browser that signed in before is counted on its own");
        app.Log.Entries.Count(e => e.Message.StartsWith("Organizer sign-in failed from unknown", StringComparison.Ordinal)).Should().Be(5);
    }

    [Fact]
    public async Task Guesses_from_many_addresses_are_slowed_together()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(("Limits:SignInFailuresPerMinuteServerWide", "4")));
        app.StartKestrel();
        var statuses = new List<HttpStatusCode>();
        for (var i = 1; i <= 6; i++)
        {
            using var client = app.CreateClientAt($"203.0.113.{i}");
            using var response = await client.PostAsJsonAsync("/api/admin/session", new { password = "not-the-password" });
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 4), HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests]);
        app.Log.Entries.Should().Contain(e => e.Message.StartsWith("Organizer sign-in failed from 203.0.113.4", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_open_page_loses_the_organizer_role_within_the_recheck_interval_once_the_session_ends()
    {
        await using var engine = TestEngine.Start();
        var sessions = engine.Services.GetRequiredService<OrganizerSessions>();
        var password = "the-organizer-password";
        var token = await sessions.StartAsync(password, TimeSpan.FromHours(8), "test");
        var organizer = new OrganizerSession(
            Options.Create(new OrganizerOptions { Password = password }), sessions, null!,
            new Microsoft.AspNetCore.DataProtection.EphemeralDataProtectionProvider(), NullLogger<OrganizerSession>.Instance);
        using var state = new CircuitAuthenticationState(organizer, engine.Time, NullLogger<CircuitAuthenticationState>.Instance);
        var buyer = BuyerId.New();
        var changed = new TaskCompletionSource<AuthenticationState>(TaskCreationOptions.RunContinuationsAsynchronously);
        state.SetAuthenticationState(Task.FromResult(new AuthenticationState(BuyerSession.CreatePrincipal(buyer,
            [new Claim(ClaimTypes.Role, OrganizerSession.Role), new Claim(OrganizerSession.SessionClaim, token)]))));
        state.AuthenticationStateChanged += async task => changed.TrySetResult(await task);

        await engine.Time.WaitForTimersAsync();
        engine.Time.Advance(CircuitAuthenticationState.Interval);
        var stillOrganizer = (await state.GetAuthenticationStateAsync()).User.IsInRole(OrganizerSession.Role);
        await sessions.EndAsync(token);
        await engine.Time.WaitForTimersAsync();
        engine.Time.Advance(CircuitAuthenticationState.Interval);
        var after = await changed.Task.WaitAsync(TimeSpan.FromSeconds(10));

        stillOrganizer.Should().BeTrue();
        after.User.IsInRole(OrganizerSession.Role).Should().BeFalse();
        after.User.FindBuyerId().Should().Be(buyer, "the page keeps its buyer");
    }

    private static async Task<string> CookieAsync(ApiBuyer buyer)
    {
        using var probe = await buyer.Client.GetAsync(new Uri("/api/bookings", UriKind.Relative));
        return probe.RequestMessage!.Headers.GetValues("Cookie").Single();
    }

    private static async Task<HttpResponseMessage> SetCapacityAsync(TicketBookingApp app, string cookie, Guid concertId, int capacity)
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/concerts/{concertId}/tiers/VIP/capacity") { Content = JsonContent.Create(new { capacity }) };
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }

    private static async Task<HttpResponseMessage> GetAsync(TicketBookingApp app, string cookie, string path)
    {
        using var client = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return await client.SendAsync(request);
    }
}
