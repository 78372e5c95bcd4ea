using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using TicketBooking.Core;
using TicketBooking.Web.Api;
using TicketBooking.Web.Limits;

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

    /// <summary>Endpoints with this metadata act for a buyer: a GET without a session gets a new buyer identity, a write gets 401.</summary>
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

    /// <summary>Who is acting in this request: its buyer (the endpoint must carry BuyerSession metadata) and client address.</summary>
    public static Requester Requester(this HttpContext context) => new(context.User.GetBuyerId(), ClientAddress.Of(context));

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

    /// <summary>
    /// Issues a buyer cookie to a visitor who has none (or whose cookie was tampered with or expired), on a page load or
    /// a GET of the buyer API, within the per-address budget for new identities. A write never mints an identity: it is
    /// refused with 401, so a script without cookies cannot spread its holds over endless fresh buyers.
    /// </summary>
    public static IApplicationBuilder UseBuyerSessions(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.User.FindBuyerId() is null && context.GetEndpoint()?.Metadata.GetMetadata<BuyerSessionMetadata>() is not null)
            {
                if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
                {
                    await Problems.Write(context, Problems.NoBuyerSession());
                    return;
                }

                if (await context.RequestServices.GetRequiredService<FairUse>().NewBuyerAsync(ClientAddress.Of(context)) is { } refused)
                {
                    await (context.Request.IsApi()
                        ? Problems.Write(context, Problems.TooManyRequests(context, refused))
                        : WriteTryAgainPageAsync(context, refused));
                    return;
                }

                await SignInAsync(context, CreatePrincipal(BuyerId.New()));
            }

            await next(context);
        });

    /// <summary>A person opening a page gets a page, not JSON: what happened and a link to try again.</summary>
    private static Task WriteTryAgainPageAsync(HttpContext context, Refusal refused)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = refused.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.ContentType = "text/html; charset=utf-8";
        var again = System.Net.WebUtility.HtmlEncode(context.Request.Path + context.Request.QueryString);
        return response.WriteAsync($$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Please try again in a moment · TicketBooking</title></head>
            <body><main><h1>Please try again in a moment</h1><p>{{System.Net.WebUtility.HtmlEncode(refused.Message)}}</p><p><a href="{{again}}">Try again</a></p></main></body>
            </html>
            """);
    }

    private sealed class BuyerSessionMetadata;
}
