using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;

namespace TicketBooking.Web.Identity;

/// <summary>
/// The session cookie's format, remembering what it read. Every request carries the buyer's cookie, and reading one costs a
/// key derivation, an HMAC and an AES decryption (Data Protection's managed encryptor): 8 % of a hold's time in the
/// profile (docs/performance.md), spent decrypting the same few thousand cookies over and over. A cookie that decrypted is
/// remembered for <see cref="Lifetime"/>, keyed by its exact text, so only a cookie that was genuine can be found; each
/// request gets its own copy of the ticket, so nothing one request does to its principal reaches another. Expiry is still
/// checked by the cookie handler on every request; a revoked key stops being honoured within <see cref="Lifetime"/>.
/// </summary>
internal sealed class CachedTicketFormat(ISecureDataFormat<AuthenticationTicket> inner, TimeProvider time) : ISecureDataFormat<AuthenticationTicket>
{
    /// <summary>How long a decrypted cookie is remembered.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(1);

    /// <summary>Most cookies remembered at once; past it the memory is dropped and refills (a flood of fresh cookies buys nothing).</summary>
    public const int MaxEntries = 20_000;

    private readonly ConcurrentDictionary<(string Text, string? Purpose), (AuthenticationTicket Ticket, long ReadAt)> _read = new();

    public string Protect(AuthenticationTicket data) => inner.Protect(data);

    public string Protect(AuthenticationTicket data, string? purpose) => inner.Protect(data, purpose);

    public AuthenticationTicket? Unprotect(string? protectedText) => Unprotect(protectedText, null);

    public AuthenticationTicket? Unprotect(string? protectedText, string? purpose)
    {
        if (protectedText is null)
        {
            return null;
        }

        var now = time.GetTimestamp();
        if (_read.TryGetValue((protectedText, purpose), out var remembered) && time.GetElapsedTime(remembered.ReadAt, now) < Lifetime)
        {
            return Copy(remembered.Ticket);
        }

        var ticket = inner.Unprotect(protectedText, purpose);
        if (ticket is null)
        {
            _read.TryRemove((protectedText, purpose), out _);
            return null;
        }

        if (_read.Count >= MaxEntries)
        {
            _read.Clear();
        }

        _read[(protectedText, purpose)] = (ticket, now);
        return Copy(ticket);
    }

    // ClaimsPrincipal.Clone shares its identities; each identity is cloned so a claim added by one request stays there.
    private static AuthenticationTicket Copy(AuthenticationTicket ticket) =>
        new(new System.Security.Claims.ClaimsPrincipal(ticket.Principal.Identities.Select(i => i.Clone())), ticket.Properties.Clone(), ticket.AuthenticationScheme);
}
