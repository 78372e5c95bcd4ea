namespace TicketBooking.Web;

/// <summary>Addresses a visitor may be sent back to: paths on this site only.</summary>
internal static class LocalUrl
{
    /// <summary>A path on this site ("/organizer"), never another site's address ("https://…", "//evil.example", "/\evil.example").</summary>
    public static bool IsLocal(string? url) =>
        url is { Length: > 1 } && url[0] == '/' && url[1] != '/' && url[1] != '\\';
}
