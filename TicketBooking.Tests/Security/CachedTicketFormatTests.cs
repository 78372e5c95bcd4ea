using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.DataProtection;
using TicketBooking.Core;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Identity;

namespace TicketBooking.Tests.Security;

/// <summary>The session cookie is decrypted once a minute at most, and only a genuine one is ever remembered.</summary>
public sealed class CachedTicketFormatTests
{
    private readonly TestClock _time = new();
    private readonly CountingFormat _decrypting = new(new TicketDataFormat(new EphemeralDataProtectionProvider().CreateProtector("cookie tests")));

    [Fact]
    public void A_genuine_cookie_is_decrypted_once_a_minute_and_every_request_gets_a_ticket_of_its_own()
    {
        var format = new CachedTicketFormat(_decrypting, _time);
        var buyer = BuyerId.New();
        var cookie = format.Protect(new AuthenticationTicket(BuyerSession.CreatePrincipal(buyer), BuyerSession.Scheme));

        var first = format.Unprotect(cookie)!;
        var second = format.Unprotect(cookie)!;

        _decrypting.Unprotects.Should().Be(1, "the second read is remembered");
        first.Principal.FindBuyerId().Should().Be(buyer);
        second.Principal.FindBuyerId().Should().Be(buyer);
        ((ClaimsIdentity)first.Principal.Identity!).AddClaim(new Claim(ClaimTypes.Role, "organizer"));
        second.Principal.IsInRole("organizer").Should().BeFalse("one request's changes to its principal stay its own");
        format.Unprotect(cookie)!.Principal.IsInRole("organizer").Should().BeFalse();

        _time.Advance(CachedTicketFormat.Lifetime);
        format.Unprotect(cookie)!.Principal.FindBuyerId().Should().Be(buyer);
        _decrypting.Unprotects.Should().Be(2, "after a minute the cookie is decrypted again");
    }

    [Fact]
    public void A_tampered_cookie_is_refused_every_time_it_comes_and_is_never_remembered()
    {
        var format = new CachedTicketFormat(_decrypting, _time);
        var cookie = format.Protect(new AuthenticationTicket(BuyerSession.CreatePrincipal(BuyerId.New()), BuyerSession.Scheme));
        var middle = cookie.Length / 2;
        var tampered = cookie[..middle] + (cookie[middle] == 'A' ? 'B' : 'A') + cookie[(middle + 1)..];

        format.Unprotect(tampered).Should().BeNull();
        format.Unprotect(tampered).Should().BeNull();

        _decrypting.Unprotects.Should().Be(2, "a refused cookie is checked afresh each time");
        format.Unprotect(cookie).Should().NotBeNull("the genuine cookie still reads");
    }

    /// <summary>The real format, counting how often it is asked to decrypt.</summary>
    private sealed class CountingFormat(ISecureDataFormat<AuthenticationTicket> inner) : ISecureDataFormat<AuthenticationTicket>
    {
        public int Unprotects { get; private set; }

        public string Protect(AuthenticationTicket data) => inner.Protect(data);

        public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

        public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

        public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
        {
            Unprotects++;
            return inner.Unprotect(protectedText, purpose);
        }
    }
}
