using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using TicketBooking.Core;

namespace TicketBooking.Web.Identity;

/// <summary>
/// Every visitor is a buyer: an anonymous principal carried in an authentication cookie, created on the first
/// request to a page or a buyer API. Holds and bookings belong to its <see cref="BuyerId"/>. Signing in as an
/// organizer adds a role to the same principal, so a buyer's checkout survives signing in and out.
/// </summary>
internal static class BuyerSession
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string CookieName = "tb_session";
    public const string BuyerClaim = "buyer";

    /// <summary>Endpoints with this metadata give a visitor without a session a new buyer identity.</summary>
    public static readonly object EndpointMetadata = new BuyerSessionMetadata();

    public static ClaimsPrincipal CreatePrincipal(BuyerId buyer, IEnumerable<Claim>? extraClaims = null)
    {
        var identity = new ClaimsIdentity(
            [new Claim(BuyerClaim, buyer.Value.ToString()), .. extraClaims ?? []],
            authenticationType: Scheme,
            nameType: BuyerClaim,
            roleType: ClaimTypes.Role);
        return new ClaimsPrincipal(identity);
    }

    /// <summary>The buyer behind the request, if its session is valid.</summary>
    public static BuyerId? FindBuyerId(this ClaimsPrincipal user) =>
        BuyerId.TryParse(user.FindFirst(BuyerClaim)?.Value, out var buyer) ? buyer : null;

    /// <summary>The buyer behind the request. Buyer endpoints always have one: the session middleware ran first.</summary>
    public static BuyerId GetBuyerId(this ClaimsPrincipal user) =>
        user.FindBuyerId() ?? throw new InvalidOperationException("The request has no buyer session; is the endpoint missing BuyerSession metadata?");

    public static TBuilder WithBuyerSession<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder => builder.WithMetadata(EndpointMetadata);

    /// <summary>
    /// Writes the session cookie. Persistent: a buyer's bookings must still be theirs after the browser restarts
    /// (the cookie lasts 30 days, renewed while used).
    /// </summary>
    public static async Task SignInAsync(HttpContext context, ClaimsPrincipal principal)
    {
        await context.SignInAsync(Scheme, principal, new AuthenticationProperties { IsPersistent = true });
        context.User = principal;
    }

    /// <summary>Issues a buyer cookie to a visitor who has none (or whose cookie was tampered with or expired).</summary>
    public static IApplicationBuilder UseBuyerSessions(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.User.FindBuyerId() is null && context.GetEndpoint()?.Metadata.GetMetadata<BuyerSessionMetadata>() is not null)
            {
                var principal = CreatePrincipal(BuyerId.New());
                await SignInAsync(context, principal);
            }

            await next(context);
        });

    private sealed class BuyerSessionMetadata;
}
