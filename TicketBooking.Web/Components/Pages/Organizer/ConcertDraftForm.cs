using System.ComponentModel.DataAnnotations;
using System.Globalization;
using TicketBooking.Core.Concerts;

namespace TicketBooking.Web.Components.Pages.Organizer;

/// <summary>The organizer's concert form. Times are typed as the venue's local time; the engine validates again.</summary>
public sealed class ConcertDraftForm
{
    [Required(ErrorMessage = "Enter the concert name.")]
    [StringLength(ConcertRules.MaxTextLength)]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Enter the artist.")]
    [StringLength(ConcertRules.MaxTextLength)]
    public string Artist { get; set; } = "";

    [Required(ErrorMessage = "Enter the venue.")]
    [StringLength(ConcertRules.MaxTextLength)]
    public string Venue { get; set; } = "";

    [Required(ErrorMessage = "Enter the city.")]
    [StringLength(ConcertRules.MaxTextLength)]
    public string City { get; set; } = "";

    [Required(ErrorMessage = "Choose the venue's time zone.")]
    public string TimeZone { get; set; } = "Europe/London";

    private const string LocalInputFormat = "yyyy-MM-dd'T'HH:mm";

    /// <summary>The start as the venue's clock shows it.</summary>
    public DateTime? StartsLocal { get; set; }

    /// <summary>
    /// <see cref="StartsLocal"/> as the browser's date-and-time field sends it (<c>2027-03-12T20:00</c>, seconds optional).
    /// Bound as text: MudBlazor 9's date converter refuses that form in a real browser.
    /// </summary>
    [Required(ErrorMessage = "Enter the start date and time.")]
    public string? StartsInput
    {
        get => StartsLocal?.ToString(LocalInputFormat, CultureInfo.InvariantCulture);
        set => StartsLocal = ParseLocal(value);
    }

    private static DateTime? ParseLocal(string? value) =>
        DateTime.TryParseExact(value, [LocalInputFormat, LocalInputFormat + ":ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var local) ? local : null;

    /// <summary>When tickets go on sale, on the venue's clock; empty: on sale at once (docs/architecture.md, "The on-sale and its waiting room").</summary>
    public DateTime? OnSaleLocal { get; set; }

    /// <summary><see cref="OnSaleLocal"/> as the browser's date-and-time field sends it; empty clears it.</summary>
    public string? OnSaleInput
    {
        get => OnSaleLocal?.ToString(LocalInputFormat, CultureInfo.InvariantCulture);
        set => OnSaleLocal = ParseLocal(value);
    }

    [StringLength(ConcertRules.MaxDescriptionLength)]
    public string? Description { get; set; }

    public List<TierForm> Tiers { get; } = [];

    public static ConcertDraftForm From(Concert concert) => new()
    {
        Name = concert.Name,
        Artist = concert.Artist,
        Venue = concert.Venue,
        City = concert.City,
        TimeZone = concert.TimeZone,
        StartsLocal = Shared.Display.InZone(concert.StartsAt, concert.TimeZone).DateTime,
        OnSaleLocal = concert.OnSaleAt is { } onSale ? Shared.Display.InZone(onSale, concert.TimeZone).DateTime : null,
        Description = concert.Description,
    };

    /// <summary>The start as an instant, or <c>null</c> when the zone is unknown.</summary>
    public DateTimeOffset? StartsAt() => Instant(StartsLocal);

    /// <summary>The on-sale as an instant, or <c>null</c>: on sale at once.</summary>
    public DateTimeOffset? OnSaleAt() => Instant(OnSaleLocal);

    private DateTimeOffset? Instant(DateTime? venueClock)
    {
        if (venueClock is not { } local || !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out var zone))
        {
            return null;
        }

        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    public ConcertDetails ToDetails() =>
        new(Name.Trim(), Artist.Trim(), Venue.Trim(), City.Trim(), TimeZone, StartsAt() ?? default, Description?.Trim(), OnSaleAt());

    public ConcertDraft ToDraft() =>
        new(Name.Trim(), Artist.Trim(), Venue.Trim(), City.Trim(), TimeZone, StartsAt() ?? default, Description?.Trim(),
            [.. Tiers.Select(t => t.ToDraft())], OnSaleAt());

    /// <summary>Time zones offered in the form: the ones .NET knows by IANA id, by region.</summary>
    public static IReadOnlyList<string> TimeZones { get; } =
        [.. TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/', StringComparison.Ordinal) && !id.StartsWith("Etc/", StringComparison.Ordinal)).Order(StringComparer.Ordinal)];
}

public sealed class TierForm
{
    [Required(ErrorMessage = "Enter a tier code, like VIP.")]
    [RegularExpression("^[A-Z][A-Z0-9_]{0,19}$", ErrorMessage = "A tier code is capital letters, digits or underscores, like FRONT_ROW.")]
    public string Code { get; set; } = "";

    [Required(ErrorMessage = "Enter the tier's name.")]
    [StringLength(60)]
    public string Name { get; set; } = "";

    [Range(0, ConcertRules.MaxPriceCents / 100, ErrorMessage = "Enter a price in dollars.")]
    public decimal Price { get; set; }

    [Range(1, ConcertRules.MaxCapacity, ErrorMessage = "Enter at least one seat.")]
    public int Capacity { get; set; } = 100;

    public long PriceCents => (long)Math.Round(Price * 100, MidpointRounding.AwayFromZero);

    public TierDraft ToDraft() => new(Code.Trim().ToUpperInvariant(), Name.Trim(), PriceCents, Capacity);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Code} {Price} {Capacity}");
}
