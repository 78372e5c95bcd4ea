using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Web.Components.Pages.Checkout;

/// <summary>What the buyer types at checkout. The engine validates again; these rules give instant feedback.</summary>
public sealed class CheckoutForm
{
    [Required(ErrorMessage = "Enter the name the tickets are for.")]
    [StringLength(100, ErrorMessage = "The name must be at most 100 characters.")]
    public string Name { get; set; } = "";

    [Required(ErrorMessage = "Enter an e-mail address for the confirmation.")]
    [EmailAddress(ErrorMessage = "Enter a valid e-mail address, like name@example.com.")]
    public string Email { get; set; } = "";

    [Required(ErrorMessage = "Enter the card number.")]
    [RegularExpression(@"^[0-9 \-]{12,23}$", ErrorMessage = "Enter the card number: 12 to 19 digits.")]
    public string CardNumber { get; set; } = "";

    [Required(ErrorMessage = "Enter the expiry date as MM/YY.")]
    [RegularExpression(@"^\s*\d{1,2}\s*/\s*(\d{2}|\d{4})\s*$", ErrorMessage = "Enter the expiry date as MM/YY.")]
    public string Expiry { get; set; } = "";

    [Required(ErrorMessage = "Enter the 3 or 4 digit security code.")]
    [RegularExpression(@"^\d{3,4}$", ErrorMessage = "Enter the 3 or 4 digit security code.")]
    public string Cvc { get; set; } = "";

    /// <summary>Maps the engine's field names (<c>buyer.email</c>) to this form's properties.</summary>
    public static string? FieldFor(string engineField) => engineField switch
    {
        "buyer.name" => nameof(Name),
        "buyer.email" => nameof(Email),
        "card.number" => nameof(CardNumber),
        "card.expiry" => nameof(Expiry),
        "card.cvc" => nameof(Cvc),
        _ => null,
    };
}
