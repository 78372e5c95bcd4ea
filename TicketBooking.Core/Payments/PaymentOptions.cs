using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Payments;

public sealed class PaymentOptions : IValidatableObject
{
    public const string Section = "Payments";

    /// <summary>Latency the simulated gateway adds to every charge.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan Delay { get; set; } = TimeSpan.Zero;

    /// <summary>
    /// How long a charge may take. While it runs the buyer's hold is kept at least this long from its start, so a
    /// payment begun just before the hold would expire does not lose the tickets; if the charge fails the hold
    /// goes back to its own expiry. A charge slower than this can still outlive the hold (and is voided if its tickets
    /// went to someone else).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxChargeTime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Declined cards one checkout may try in a row before each further attempt must wait.</summary>
    [Range(1, 100)]
    public int DeclinesBeforeWait { get; set; } = 3;

    /// <summary>The first wait after <see cref="DeclinesBeforeWait"/> declines; it doubles with each further decline, up to ten times this.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan DeclineWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Failed payment attempts (declined, invalid card) are deleted this long after they happened.</summary>
    [Range(typeof(TimeSpan), "01:00:00", "3650.00:00:00")]
    public TimeSpan FailedRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// Base64 of at least 32 random bytes that key the fingerprints of payment requests (which cover the card number).
    /// Set it from a secret store so that a copy of the database alone cannot test card numbers against them; when empty,
    /// a key kept in the database is used.
    /// </summary>
    public string? FingerprintKey { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (FingerprintKey is { Length: > 0 } key && !(Convert.TryFromBase64String(key, new byte[key.Length], out var length) && length >= 32))
        {
            yield return new ValidationResult("Payments:FingerprintKey must be base64 of at least 32 bytes.", [nameof(FingerprintKey)]);
        }
    }
}
