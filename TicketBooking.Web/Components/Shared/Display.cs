using System.Globalization;

namespace TicketBooking.Web.Components.Shared;

/// <summary>
/// How money and times read on screen. Prices are always US dollars in one format (<c>$1,234.00</c>),
/// whatever the server's or the browser's culture.
/// </summary>
public static class Display
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en-US");

    public static string Usd(long cents) => (cents / 100m).ToString("C2", English);

    public static string Number(int value) => value.ToString("N0", English);

    /// <summary>"Sat, Mar 13, 2027 · 8:00 PM" in the given IANA time zone.</summary>
    public static string DateTime(DateTimeOffset instant, string timeZone) => Core.Concerts.VenueTime.Describe(instant, timeZone);

    public static string Time(DateTimeOffset instant, string timeZone) =>
        InZone(instant, timeZone).ToString("h:mm tt", English);

    /// <summary>"1st", "2nd", "3rd", "4th", "11th", "22nd".</summary>
    public static string Ordinal(int value)
    {
        var suffix = (value % 100) is 11 or 12 or 13 ? "th" : (value % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" };
        return string.Create(English, $"{value:N0}{suffix}");
    }

    /// <summary>Minutes and seconds left, never negative: "09:58".</summary>
    public static string Countdown(TimeSpan left)
    {
        var seconds = Math.Max(0, (long)Math.Ceiling(left.TotalSeconds));
        return string.Create(English, $"{seconds / 60:00}:{seconds % 60:00}");
    }

    /// <summary>Time left to an on-sale, never negative: "2 days 03:04:05", "1:02:03", "02:03".</summary>
    public static string LongCountdown(TimeSpan left)
    {
        var seconds = Math.Max(0, (long)Math.Ceiling(left.TotalSeconds));
        var (days, hours, minutes) = (seconds / 86_400, seconds / 3_600 % 24, seconds / 60 % 60);
        return days > 0 ? string.Create(English, $"{days} {(days == 1 ? "day" : "days")} {hours:00}:{minutes:00}:{seconds % 60:00}")
            : hours > 0 ? string.Create(English, $"{hours}:{minutes:00}:{seconds % 60:00}")
            : Countdown(left);
    }

    /// <summary>An estimated wait in words: "less than a minute", "about 4 minutes", "about 1 hour 10 minutes".</summary>
    public static string Wait(int seconds)
    {
        var minutes = (int)Math.Round(seconds / 60d);
        return seconds < 60 ? "less than a minute"
            : minutes < 60 ? string.Create(English, $"about {minutes} {(minutes == 1 ? "minute" : "minutes")}")
            : string.Create(English, $"about {minutes / 60} {(minutes / 60 == 1 ? "hour" : "hours")}{(minutes % 60 == 0 ? "" : $" {minutes % 60} min")}");
    }

    /// <summary>The same instant on a clock in <paramref name="timeZone"/>; an unknown zone shows UTC.</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, string? timeZone) => Core.Concerts.VenueTime.OnClock(instant, timeZone);
}
