using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Holds;

/// <summary>The hold policy (docs/architecture.md, "Holds"), bound from the <c>Holds</c> configuration section.</summary>
public sealed class HoldOptions : IValidatableObject
{
    public const string Section = "Holds";

    /// <summary>How long a hold lasts; activity renews it to this from now.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>With no user input for this long, heartbeats stop renewing the hold.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan InactivityTimeout { get; set; } = TimeSpan.FromMinutes(3);

    /// <summary>When the tab is hidden or the connection is lost, the hold shrinks to at most this from now.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HiddenGrace { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>No hold lives longer than this from its creation, however active the buyer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HardCap { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often an open checkout reports activity and visibility.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often expired holds are deleted and the change announced.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "1.00:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Most tickets of one tier in one order.</summary>
    [Range(1, 1000)]
    public int MaxPerTier { get; set; } = 10;

    /// <summary>Most tickets over all tiers in one order.</summary>
    [Range(1, 1000)]
    public int MaxPerOrder { get; set; } = 20;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HardCap < Duration)
        {
            yield return new ValidationResult($"{nameof(HardCap)} must be at least {nameof(Duration)}.", [nameof(HardCap)]);
        }

        if (HiddenGrace > Duration)
        {
            yield return new ValidationResult($"{nameof(HiddenGrace)} must not exceed {nameof(Duration)}.", [nameof(HiddenGrace)]);
        }

        if (Heartbeat >= InactivityTimeout)
        {
            yield return new ValidationResult($"{nameof(Heartbeat)} must be shorter than {nameof(InactivityTimeout)}, or activity could never renew a hold.", [nameof(Heartbeat)]);
        }
    }
}
