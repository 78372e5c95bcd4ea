using System.Net;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Security;

public sealed class SecurityHeadersTests(AppFixture fixture) : IClassFixture<AppFixture>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/api/concerts")]
    [InlineData("/api/holds/not-a-guid")]
    [InlineData("/health")]
    public async Task Pages_and_api_responses_carry_the_security_headers(string path)
    {
        using var client = fixture.App.CreateClient(new() { HandleCookies = false });

        using var response = await client.GetAsync(new Uri(path, UriKind.Relative));

        var csp = response.Headers.GetValues("Content-Security-Policy").Single();
        var directives = csp.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .ToDictionary(d => d.Split(' ')[0], d => d[(d.IndexOf(' ', StringComparison.Ordinal) + 1)..]);
        directives["default-src"].Should().Be("'self'");
        directives["script-src"].Should().Be("'self'", "no inline script and no eval, ever");
        directives["style-src"].Should().Be("'self'", "style sheets only from this origin");
        directives.Where(d => d.Value.Contains("unsafe-inline", StringComparison.Ordinal)).Select(d => d.Key)
            .Should().BeEquivalentTo(["style-src-elem", "style-src-attr"], "MudBlazor's theme and inline styles are the only exception");
        directives["frame-ancestors"].Should().Be("'none'");
        directives["object-src"].Should().Be("'none'");
        csp.Should().NotContain("unsafe-eval");
        response.Headers.GetValues("X-Content-Type-Options").Single().Should().Be("nosniff");
        response.Headers.GetValues("X-Frame-Options").Single().Should().Be("DENY");
        response.Headers.GetValues("Referrer-Policy").Single().Should().Be("strict-origin-when-cross-origin");
        response.Headers.GetValues("Permissions-Policy").Single().Should().Be("camera=(self), microphone=(), geolocation=(), payment=()",
            "the door page's camera is this origin's only use of a device");
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_same_site_lax_and_secure_over_https()
    {
        using var http = fixture.App.CreateClient(new() { HandleCookies = false });
        using var https = fixture.App.CreateClient(new() { HandleCookies = false, BaseAddress = new Uri("https://localhost") });

        var plain = (await http.GetAsync(new Uri("/api/concerts", UriKind.Relative))).Headers.GetValues("Set-Cookie").Single();
        var secure = (await https.GetAsync(new Uri("/api/concerts", UriKind.Relative))).Headers.GetValues("Set-Cookie").Single();

        plain.Should().StartWith("tb_session=").And.Contain("httponly").And.Contain("samesite=lax").And.NotContain("secure")
            .And.Contain("expires=", "the buyer's bookings must survive a browser restart");
        secure.Should().Contain("secure").And.Contain("httponly").And.Contain("samesite=lax");
    }

    [Fact]
    public async Task A_tampered_or_foreign_cookie_gives_no_access_and_a_fresh_buyer()
    {
        using var alice = ApiBuyer.For(fixture.App);
        var concert = await fixture.App.CreateConcertAsync(("VIP", 10_000, 10));
        await alice.HoldAsync(concert.Id, ("VIP", 2));
        var aliceCookie = (await alice.Client.GetAsync(new Uri("/api/bookings", UriKind.Relative))).RequestMessage!.Headers.GetValues("Cookie").Single();
        var tampered = aliceCookie[..^4] + (aliceCookie[^4..] == "AAAA" ? "BBBB" : "AAAA");
        using var forger = fixture.App.CreateClient(new() { HandleCookies = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/holds/{concert.Id}");
        request.Headers.Add("Cookie", tampered);

        using var response = await forger.SendAsync(request);

        await response.ShouldBeProblemAsync(HttpStatusCode.NotFound);
        response.Headers.GetValues("Set-Cookie").Single().Should().StartWith("tb_session=", "a new anonymous buyer, not Alice");
        (await alice.HeartbeatAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.OK);
    }
}
