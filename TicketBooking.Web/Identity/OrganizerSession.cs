using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using TicketBooking.Core;
using TicketBooking.Core.Organizers;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Identity;

/// <summary>What an organizer sign-in came to.</summary>
internal abstract record SignInOutcome
{
    private SignInOutcome()
    {
    }

    public sealed record SignedIn : SignInOutcome;

    public sealed record WrongPassword : SignInOutcome;

    /// <summary>No <c>Organizer:Password</c> is configured: nobody can sign in.</summary>
    public sealed record NotConfigured : SignInOutcome;

    /// <summary>Too many wrong passwords; the password was not even checked.</summary>
    public sealed record Limited(Refusal Refusal) : SignInOutcome;
}

/// <summary>
/// Signing in and out as an organizer. The role rides on the buyer's own cookie together with a session token; the
/// session itself lives in the database (<see cref="OrganizerSessions"/>) and is checked on every request, so signing
/// out, a new password or a start without a password ends it at once, whatever cookie a browser still has.
/// A browser that signed in before carries a device cookie: wrong passwords are then counted for that device, not
/// for its network, so a guesser sharing the organizer's address cannot lock the organizer out.
/// </summary>
internal sealed partial class OrganizerSession(
    IOptions<OrganizerOptions> options,
    OrganizerSessions sessions,
    FairUse fairUse,
    IDataProtectionProvider dataProtection,
    ILogger<OrganizerSession> logger)
{
    public const string Role = "organizer";
    public const string Policy = "organizer";
    public const string SessionClaim = "organizer_session";
    public const string DeviceCookie = "tb_organizer_device";

    private readonly IDataProtector _devices = dataProtection.CreateProtector("TicketBooking.OrganizerDevice.v1");

    private string? Password => options.Value.Password is { Length: > 0 } password ? password : null;

    public bool IsConfigured => Password is not null;

    public async Task<SignInOutcome> SignInAsync(HttpContext context, string? password)
    {
        if (Password is not { } configured)
        {
            return new SignInOutcome.NotConfigured();
        }

        var address = ClientAddress.Of(context);
        var device = ReadDevice(context);
        if (await fairUse.StartSignInAsync(device, address) is { } refused)
        {
            return new SignInOutcome.Limited(refused);
        }

        var correct = password is not null
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(password)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
        await fairUse.EndSignInAsync(device, address, failed: !correct);
        if (!correct)
        {
            LogSignInFailed(address, device is not null);
            return new SignInOutcome.WrongPassword();
        }

        var token = await sessions.StartAsync(configured, options.Value.SessionLength, address);
        var buyer = context.User.FindBuyerId() ?? BuyerId.New();
        await BuyerSession.SignInAsync(context, BuyerSession.CreatePrincipal(buyer, [new Claim(ClaimTypes.Role, Role), new Claim(SessionClaim, token)]));
        WriteDevice(context, device ?? Guid.NewGuid().ToString("N"));
        LogSignedIn(address);
        return new SignInOutcome.SignedIn();
    }

    /// <summary>Ends the organizer session and drops the role; the buyer identity and its holds and bookings stay.</summary>
    public async Task SignOutAsync(HttpContext context)
    {
        await sessions.EndAsync(context.User.FindFirst(SessionClaim)?.Value);
        if (context.User.FindBuyerId() is { } buyer)
        {
            await BuyerSession.SignInAsync(context, BuyerSession.CreatePrincipal(buyer));
        }
    }

    /// <summary>True unless the user claims the organizer role and its session is no longer active.</summary>
    public async Task<bool> IsValidAsync(ClaimsPrincipal user, CancellationToken cancellationToken = default) =>
        !user.IsInRole(Role) || await sessions.IsActiveAsync(user.FindFirst(SessionClaim)?.Value, Password, cancellationToken);

    /// <summary>Cookie validation: a role whose session ended is removed from the principal and from the cookie.</summary>
    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        if (context.Principal is { } user && !await IsValidAsync(user, context.HttpContext.RequestAborted))
        {
            if (user.FindBuyerId() is { } buyer)
            {
                context.ReplacePrincipal(BuyerSession.CreatePrincipal(buyer));
                context.ShouldRenew = true;
            }
            else
            {
                context.RejectPrincipal();
            }
        }
    }

    private string? ReadDevice(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(DeviceCookie, out var value) || value is not { Length: > 0 and < 512 })
        {
            return null;
        }

        try
        {
            return _devices.Unprotect(value);
        }
        catch (CryptographicException)
        {
            return null; // forged, or from a key ring this site no longer has: an unknown device
        }
    }

    private void WriteDevice(HttpContext context, string device) =>
        context.Response.Cookies.Append(DeviceCookie, _devices.Protect(device), new CookieOptions
        {
            HttpOnly = true,
            SameSite = SameSiteMode.Strict,
            Secure = context.Request.IsHttps,
            IsEssential = true,
            MaxAge = TimeSpan.FromDays(365),
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Organizer sign-in failed from {Client} (device signed in before: {KnownDevice})")]
    private partial void LogSignInFailed(string client, bool knownDevice);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organizer signed in from {Client}")]
    private partial void LogSignedIn(string client);
}
