using Microsoft.JSInterop;

namespace TicketBooking.Web.Components.Shared;

/// <summary>The browser's IANA time zone, asked once per circuit through <c>js/browser.js</c>.</summary>
public static class BrowserClock
{
    public const string ModulePath = "./js/browser.js";

    public static async Task<string?> TimeZoneAsync(IJSRuntime js)
    {
        ArgumentNullException.ThrowIfNull(js);
        await using var module = await js.InvokeAsync<IJSObjectReference>("import", ModulePath);
        var zone = await module.InvokeAsync<string?>("timeZone");
        return zone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _) ? zone : null;
    }
}
