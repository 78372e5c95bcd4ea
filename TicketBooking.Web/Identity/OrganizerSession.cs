using System.Globalization;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace TicketBooking.Web.Identity;

/// <summary>
/// Signing in and out as an organizer. The role rides on the buyer's own cookie with its own expiry
/// (<see cref="OrganizerOptions.SessionLength"/>), checked on every request.
/// </summary>
internal sealed class OrganizerSession(IOptions<OrganizerOptions> options, TimeProvider time)
{
    public const string Role = "organizer";
    public const string Policy = "organizer";
    private const string UntilClaim = "organizer_until";

    public bool IsConfigured => !string.IsNullOrEmpty(options.Value.Password);

    public bool IsPasswordCorrect(string? password)
    {
        if (!IsConfigured || password is null)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(password)),
            SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.Password!)));
    }

    /// <summary>Re-issues the caller's cookie with the organizer role, keeping (or creating) the buyer identity.</summary>
    public async Task SignInAsync(HttpContext context)
    {
        var buyer = context.User.FindBuyerId() ?? Core.BuyerId.New();
        var until = time.GetUtcNow().Add(options.Value.SessionLength).ToUnixTimeSeconds();
        var principal = BuyerSession.CreatePrincipal(buyer,
        [
            new Claim(ClaimTypes.Role, Role),
            new Claim(UntilClaim, until.ToString(CultureInfo.InvariantCulture), ClaimValueTypes.Integer64),
        ]);
        await BuyerSession.SignInAsync(context, principal);
    }

    /// <summary>Drops the organizer role; the buyer identity and its holds and bookings stay.</summary>
    public static async Task SignOutAsync(HttpContext context)
    {
        var buyer = context.User.FindBuyerId() ?? Core.BuyerId.New();
        var principal = BuyerSession.CreatePrincipal(buyer);
        await BuyerSession.SignInAsync(context, principal);
    }

    public bool IsOrganizer(ClaimsPrincipal user) =>
        user.IsInRole(Role)
        && long.TryParse(user.FindFirst(UntilClaim)?.Value, CultureInfo.InvariantCulture, out var until)
        && time.GetUtcNow().ToUnixTimeSeconds() < until;

    /// <summary>Cookie validation: an expired organizer role is removed from the principal and the cookie.</summary>
    public void DropExpiredRole(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } user && user.IsInRole(Role) && !IsOrganizer(user) && user.FindBuyerId() is { } buyer)
        {
            context.ReplacePrincipal(BuyerSession.CreatePrincipal(buyer));
            context.ShouldRenew = true;
        }
    }
}
