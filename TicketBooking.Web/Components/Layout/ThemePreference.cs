namespace TicketBooking.Web.Components.Layout;

/// <summary>
/// The buyer's colours, remembered in a cookie so the server renders the page dark from the first paint instead of
/// flashing light until the browser has been asked (js/theme.js writes it). <c>dark</c>/<c>light</c>: chosen with the toggle (kept);
/// <c>system-dark</c>/<c>system-light</c>: what the system said last time (checked again on every visit).
/// </summary>
public static class ThemePreference
{
    public const string Cookie = "tb-theme";

    /// <summary>The cookie's value on this request, if it is one of the four.</summary>
    public static string? Read(HttpContext? context) =>
        context?.Request.Cookies[Cookie] is { } value && value is "dark" or "light" or "system-dark" or "system-light" ? value : null;

    public static bool IsDark(string? value) => value is "dark" or "system-dark";

    public static bool IsChosen(string? value) => value is "dark" or "light";
}
