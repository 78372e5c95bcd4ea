using Microsoft.AspNetCore.Components.Forms;

namespace TicketBooking.Web.Components.Pages.Organizer;

/// <summary>Shows the engine's validation errors (keyed <c>name</c>, <c>tiers[0].code</c> …) on an organizer form.</summary>
internal static class EngineErrors
{
    public static void Show(EditContext context, ValidationMessageStore store, ConcertDraftForm form, IReadOnlyDictionary<string, string[]> errors)
    {
        store.Clear();
        foreach (var (key, messages) in errors)
        {
            store.Add(FieldFor(context, form, key), messages);
        }

        context.NotifyValidationStateChanged();
    }

    /// <summary>A refusal in words, for a form without fields of its own to put them on.</summary>
    public static string Describe(Core.Concerts.AdminResult result) => result switch
    {
        Core.Concerts.AdminResult.Invalid invalid => string.Join(" ", invalid.Errors.Values.SelectMany(m => m)),
        Core.Concerts.AdminResult.Conflict conflict => conflict.Message,
        Core.Concerts.AdminResult.NotFound missing => missing.Message,
        _ => "Saved.",
    };

    private static FieldIdentifier FieldFor(EditContext context, ConcertDraftForm form, string key)
    {
        if (key.StartsWith("tiers[", StringComparison.Ordinal) && key.IndexOf(']', StringComparison.Ordinal) is var end and > 6
            && int.TryParse(key[6..end], System.Globalization.CultureInfo.InvariantCulture, out var index) && index < form.Tiers.Count)
        {
            var property = key[(end + 2)..] switch
            {
                "priceCents" => nameof(TierForm.Price),
                var other => char.ToUpperInvariant(other[0]) + other[1..],
            };
            return new FieldIdentifier(form.Tiers[index], property);
        }

        var field = key switch
        {
            "startsAt" => nameof(ConcertDraftForm.StartsInput),
            "onSaleAt" => nameof(ConcertDraftForm.OnSaleInput),
            "timeZone" => nameof(ConcertDraftForm.TimeZone),
            "tiers" => nameof(ConcertDraftForm.Tiers),
            _ => char.ToUpperInvariant(key[0]) + key[1..],
        };
        return context.Field(field);
    }
}
