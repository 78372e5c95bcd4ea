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

    /// <summary>What a venue's clock shows at <paramref name="instant"/>.</summary>
    public static DateTimeOffset ToLocal(DateTimeOffset instant, string timeZone) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone));
}
