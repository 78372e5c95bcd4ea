using Microsoft.AspNetCore.Components.Endpoints;
using Microsoft.AspNetCore.Components.Routing;
using Microsoft.AspNetCore.Diagnostics;
using TicketBooking.Core.Holds;
using TicketBooking.Web.Identity;

namespace TicketBooking.Web.Limits;

/// <summary>
/// Never a dead page (docs/scaling.md §5): a request for an interactive page (one that will open a circuit) when this instance has
/// no circuit slot for it is sent to the static busy page, where the visitor waits in line (<see cref="CircuitSlots"/>)
/// and is taken back in by the page itself. Pages without a circuit (the concert list, a waiting room) are always served.
/// </summary>
internal static class CircuitGate
{
    /// <summary>The visitor's entry in the line for circuits: a random token, for this browser session.</summary>
    public const string LineCookie = "tb_line";

    public const string BusyPage = "/busy";

    private const string LineTokenItem = "ticketbooking.line-token";

    /// <summary>The busy page, taking the visitor back to <paramref name="returnTo"/> (a local path) at their turn.</summary>
    public static string BusyPath(string? returnTo)
    {
        var back = SafeReturn(returnTo);
        return back == "/" ? BusyPage : $"{BusyPage}?return={Uri.EscapeDataString(back)}";
    }

    /// <summary>A path on this site to go back to (not the busy page itself); anything else becomes the home page.</summary>
    public static string SafeReturn(string? path) =>
        LocalUrl.IsLocal(path) && !path!.StartsWith(BusyPage, StringComparison.OrdinalIgnoreCase) ? path : "/";

    /// <summary>The line token of this request: the one the busy page just gave, or the browser's cookie.</summary>
    public static string? LineToken(HttpContext context) =>
        context.Items.TryGetValue(LineTokenItem, out var token) ? (string?)token : context.Request.Cookies[LineCookie];

    public static IApplicationBuilder UseCircuitGate(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if ((HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
                && context.GetEndpoint()?.Metadata.GetMetadata<ComponentTypeMetadata>() is not null
                && context.Features.Get<IStatusCodeReExecuteFeature>() is null)
            {
                if (context.Request.Path.Equals(BusyPage, StringComparison.OrdinalIgnoreCase))
                {
                    await JoinLineAsync(context);
                }
                else if (context.AcceptsInteractiveRouting() && !context.User.IsInRole(OrganizerSession.Role)
                    && !context.RequestServices.GetRequiredService<CircuitSlots>().Admits(LineToken(context)))
                {
                    context.Response.Headers.CacheControl = "no-store";
                    context.Response.Redirect(BusyPath(context.Request.Path + context.Request.QueryString));
                    return;
                }
            }

            await next(context);
        });

    /// <summary>The busy page: the visitor's place in line, kept across reloads; a buyer holding tickets goes ahead.</summary>
    private static async Task JoinLineAsync(HttpContext context)
    {
        var known = context.Request.Cookies[LineCookie];
        var buyer = context.User.FindBuyerId();
        var priority = buyer is not null && await context.RequestServices.GetRequiredService<HoldService>().HoldsAnythingAsync(buyer.Value, context.RequestAborted);
        var token = context.RequestServices.GetRequiredService<CircuitSlots>().Join(known, priority);
        context.Items[LineTokenItem] = token;
        if (token != known)
        {
            context.Response.Cookies.Append(LineCookie, token, new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Lax,
                Secure = context.Request.IsHttps,
                IsEssential = true,
            });
        }

        context.Response.Headers.CacheControl = "no-store";
    }
}
