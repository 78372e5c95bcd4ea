using System.Globalization;
using System.Net.Mail;
using TicketBooking.Core.Payments;

namespace TicketBooking.Core.Bookings;

/// <summary>What a payment request must look like before anything is recorded or charged: fields, card, e-mail.</summary>
public static class ConfirmInput
{
    /// <summary>Null when the request can be paid; else the problems, by field.</summary>
    public static Dictionary<string, string[]>? Validate(ConfirmRequest request, string? key, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ConcertId == Guid.Empty)
        {
            errors["concertId"] = ["Choose a concert."];
        }

        if (request.HoldId == Guid.Empty)
        {
            errors["holdId"] = ["The holdId must be the id of your hold, as GET /api/holds/{concertId} gives it."];
        }

        if (request.ExpectedTotalCents < 0)
        {
            errors["expectedTotalCents"] = ["The expected total cannot be negative."];
        }

        if (string.IsNullOrEmpty(key))
        {
            errors["idempotencyKey"] = ["An Idempotency-Key is required so that a repeated request cannot pay twice."];
        }
        else if (key.Length > BookingService.MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            errors["idempotencyKey"] = [$"The Idempotency-Key must be 1 to {BookingService.MaxIdempotencyKeyLength} visible ASCII characters."];
        }

        var name = request.Buyer?.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["buyer.name"] = ["Enter the name the tickets are for."];
        }
        else if (name.Length > 100 || name.Any(char.IsControl))
        {
            errors["buyer.name"] = ["The name must be at most 100 characters, without control characters."];
        }

        var email = request.Buyer?.Email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors["buyer.email"] = ["Enter an e-mail address for the confirmation."];
        }
        else if (!IsEmail(email))
        {
            errors["buyer.email"] = ["Enter a valid e-mail address, like name@example.com."];
        }

        var card = request.Card;
        var number = card?.Number ?? "";
        if (card is null || number.Any(c => !char.IsAsciiDigit(c) && c is not (' ' or '-')) || card.Digits.Length is < 12 or > 19)
        {
            errors["card.number"] = ["Enter the card number: 12 to 19 digits."];
        }
        else if (!Luhn.IsValid(card.Digits))
        {
            // A typo, caught before any payment is recorded or the processor is asked: it costs the buyer no attempt.
            errors["card.number"] = ["This card number is not valid. Check it for a typo."];
        }

        if (!TryParseExpiry(card?.Expiry, out var year, out var month))
        {
            errors["card.expiry"] = ["Enter the expiry date as MM/YY."];
        }
        else
        {
            if (year < now.Year || (year == now.Year && month < now.Month))
            {
                errors["card.expiry"] = ["The card has expired."];
            }
        }

        if (card?.Cvc is not { Length: 3 or 4 } cvc || !cvc.All(char.IsAsciiDigit))
        {
            errors["card.cvc"] = ["Enter the 3 or 4 digit security code."];
        }

        return errors.Count > 0 ? errors : null;
    }

    public static bool IsEmail(string email) =>
        email.Length <= 254
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !address.Host.EndsWith('.');

    /// <summary>Accepts MM/YY and MM/YYYY, with or without spaces around the slash.</summary>
    public static bool TryParseExpiry(string? expiry, out int year, out int month)
    {
        year = month = 0;
        var parts = (expiry ?? "").Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || parts[0].Length is < 1 or > 2 || !parts[0].All(char.IsAsciiDigit)
            || parts[1].Length is not (2 or 4) || !parts[1].All(char.IsAsciiDigit))
        {
            return false;
        }

        month = int.Parse(parts[0], CultureInfo.InvariantCulture);
        year = int.Parse(parts[1], CultureInfo.InvariantCulture);
        if (parts[1].Length == 2)
        {
            year += 2000;
        }

        return month is >= 1 and <= 12;
    }

    public static BuyerDetails Normalize(BuyerDetails buyer) => new(buyer.Name.Trim(), buyer.Email.Trim());
}
