namespace TicketBooking.Core.Concerts;

/// <summary>Converts between instants and wall-clock times at a venue (IANA time zone ids).</summary>
public static class VenueTime
{
    /// <summary>The instant at which a venue's clock shows <paramref name="local"/>.</summary>
    public static DateTimeOffset ToInstant(DateTime local, string timeZone)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(timeZone);
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            throw new ArgumentException($"{local:yyyy-MM-dd HH:mm} does not exist in {timeZone} (the clocks skip it).", nameof(local));
        }

        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    /// <summary>
    /// "Sat, Mar 13, 2027 · 8:00 PM": <paramref name="instant"/> on the venue's clock, as pages and messages show it (an
    /// unknown zone shows UTC).
    /// </summary>
    public static string Describe(DateTimeOffset instant, string? timeZone) =>
        OnClock(instant, timeZone).ToString("ddd, MMM d, yyyy · h:mm tt", System.Globalization.CultureInfo.GetCultureInfo("en-US"));

    /// <summary>The same instant on a clock in <paramref name="timeZone"/>; an unknown zone shows UTC.</summary>
    public static DateTimeOffset OnClock(DateTimeOffset instant, string? timeZone) =>
        timeZone is not null && TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out var zone)
            ? TimeZoneInfo.ConvertTime(instant, zone)
            : instant.ToUniversalTime();

    /// <summary>What a venue's clock shows at <paramref name="instant"/>.</summary>
    public static DateTimeOffset ToLocal(DateTimeOffset instant, string timeZone) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
}
