using System.Text.RegularExpressions;

namespace TicketBooking.Core.Concerts;

/// <summary>What makes a concert or tier acceptable; shared by seeding and the organizer's forms.</summary>
public static partial class ConcertRules
{
    public const int MaxTextLength = 120;
    public const int MaxDescriptionLength = 2000;
    public const int MaxTiers = 10;
    public const int MaxCapacity = 1_000_000;
    public const long MaxPriceCents = 10_000_000;

    public static Dictionary<string, string[]> Validate(ConcertDraft draft, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = ValidateDetails(draft.Name, draft.Artist, draft.Venue, draft.City, draft.TimeZone, draft.StartsAt, draft.Description, now, draft.OnSaleAt);
        if (draft.Tiers is not { Count: > 0 })
        {
            errors["tiers"] = ["Add at least one ticket tier."];
            return errors;
        }

        if (draft.Tiers.Count > MaxTiers)
        {
            errors["tiers"] = [$"A concert can have at most {MaxTiers} tiers."];
        }

        for (var i = 0; i < draft.Tiers.Count; i++)
        {
            foreach (var (field, message) in ValidateTier(draft.Tiers[i]))
            {
                errors[$"tiers[{i}].{field}"] = [message];
            }
        }

        var repeated = draft.Tiers.Where(t => t?.Code is not null).GroupBy(t => t.Code, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        if (repeated.Count > 0)
        {
            errors["tiers"] = [$"Each tier code must be unique; {string.Join(", ", repeated)} is repeated."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> ValidateDetails(
        string? name, string? artist, string? venue, string? city, string? timeZone, DateTimeOffset startsAt, string? description, DateTimeOffset now, DateTimeOffset? onSaleAt = null)
    {
        var errors = new Dictionary<string, string[]>();
        Text(errors, "name", name, "concert name");
        Text(errors, "artist", artist, "artist");
        Text(errors, "venue", venue, "venue");
        Text(errors, "city", city, "city");
        if (string.IsNullOrWhiteSpace(timeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(timeZone, out _))
        {
            errors["timeZone"] = ["Choose the venue's time zone, for example Europe/London."];
        }

        if (startsAt <= now)
        {
            errors["startsAt"] = ["The concert must start in the future."];
        }

        if (onSaleAt >= startsAt)
        {
            errors["onSaleAt"] = ["Tickets must go on sale before the concert starts."];
        }

        if (description is { Length: > MaxDescriptionLength })
        {
            errors["description"] = [$"The description must be at most {MaxDescriptionLength} characters."];
        }

        return errors;
    }

    public static IEnumerable<(string Field, string Message)> ValidateTier(TierDraft? tier)
    {
        if (tier is null)
        {
            yield return ("code", "Describe the tier.");
            yield break;
        }

        if (tier.Code is null || !TierCode().IsMatch(tier.Code))
        {
            yield return ("code", "A tier code is 1 to 20 capital letters, digits or underscores, starting with a letter, like FRONT_ROW.");
        }

        if (string.IsNullOrWhiteSpace(tier.Name) || tier.Name.Length > 60 || tier.Name.Any(char.IsControl))
        {
            yield return ("name", "A tier name is 1 to 60 characters.");
        }

        if (tier.PriceCents is < 0 or > MaxPriceCents)
        {
            yield return ("priceCents", $"The price must be between $0.00 and ${MaxPriceCents / 100:N0}.00.");
        }

        if (tier.Capacity is < 1 or > MaxCapacity)
        {
            yield return ("capacity", $"The capacity must be between 1 and {MaxCapacity:N0}.");
        }
    }

    private static void Text(Dictionary<string, string[]> errors, string field, string? value, string label)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"Enter the {label}."];
        }
        else if (value.Length > MaxTextLength || value.Any(char.IsControl))
        {
            errors[field] = [$"The {label} must be at most {MaxTextLength} characters, without control characters."];
        }
    }

    [GeneratedRegex("^[A-Z][A-Z0-9_]{0,19}$")]
    private static partial Regex TierCode();
}
