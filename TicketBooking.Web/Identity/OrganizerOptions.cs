using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Web.Identity;

/// <summary>The organizer sign-in, bound from <c>Organizer</c>. With no password configured nobody can sign in as organizer.</summary>
public sealed class OrganizerOptions : IValidatableObject
{
    public const string Section = "Organizer";

    /// <summary>Empty or absent: nobody can sign in as organizer.</summary>
    public string? Password { get; set; }

    /// <summary>How long an organizer stays signed in; the buyer session outlives it.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan SessionLength { get; set; } = TimeSpan.FromHours(8);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Password is { Length: > 0 and < 12 })
        {
            yield return new ValidationResult("Organizer:Password must be at least 12 characters.", [nameof(Password)]);
        }
    }
}
