namespace TicketBooking.Web.Hosting;

/// <summary>
/// Response headers that keep the app out of frames, stop MIME sniffing and limit what a page may load.
/// The CSP allows exactly what Blazor Server and MudBlazor need: scripts only from this origin (no inline script, no
/// eval), the circuit's WebSocket to this origin, nothing from any other origin.
/// </summary>
/// <remarks>
/// Styles are the one exception, and only as far as MudBlazor requires: it writes its theme as a <c>&lt;style&gt;</c>
/// element (different for light and dark), one per chart and per snackbar (with random keyframe names), and sets inline
/// <c>style</c> attributes for transitions, popover positions and progress values. Nonces cannot be passed to those, and
/// hashes change with every theme or MudBlazor change, so inline styles are allowed (<c>style-src-elem</c> and
/// <c>style-src-attr</c>); style sheets still come only from this origin. Inline styles cannot run code.
/// </remarks>
internal static class SecurityHeaders
{
    public const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-elem 'self' 'unsafe-inline'; style-src-attr 'unsafe-inline'; " +
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "strict-origin-when-cross-origin";
                // The door page scans tickets with the camera. Allowed for this origin on every page, because Blazor moves
                // between pages without a new document (a door page reached from the dashboard keeps the dashboard's
                // policy); only this origin's own scripts can ask, and the browser still asks the person.
                headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=(), payment=()";
                headers["Cross-Origin-Opener-Policy"] = "same-origin";
                // Bookings carry ticket codes, which admit whoever shows them: no cache, shared or private, may keep them.
                if (context.Request.Path.StartsWithSegments("/bookings") || context.Request.Path.StartsWithSegments("/api/bookings"))
                {
                    headers.CacheControl = "private, no-store";
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
}
