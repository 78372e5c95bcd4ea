using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Web.Limits;

/// <summary>
/// Per-client limits (docs/architecture.md, "Fair use"), bound from <c>Limits</c>. "Per address" means per client address as
/// <see cref="ClientAddress"/> reads it: an IPv4 address or an IPv6 /64, honouring X-Forwarded-For only from
/// the proxies in <c>ForwardedHeaders</c>. <c>RateLimits:Enabled=false</c> turns the per-buyer and per-address
/// limits off; the server-wide caps (<see cref="MaxEventStreams"/>, <see cref="MaxCircuits"/>), the organizer
/// sign-in guard and the request deadlines stay on.
/// </summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>New buyer identities (first visits without a cookie) per address.</summary>
    [Range(1, 1_000_000)]
    public int NewBuyersPerMinute { get; set; } = 30;

    /// <summary>Hold requests per address, over all the buyers behind it.</summary>
    [Range(1, 1_000_000)]
    public int HoldsPerMinutePerAddress { get; set; } = 120;

    /// <summary>Waiting-list sign-ups per address: a script cycling identities cannot fill a line or send e-mail without end.</summary>
    [Range(1, 1_000_000)]
    public int WaitlistJoinsPerHourPerAddress { get; set; } = 30;

    /// <summary>Waiting-list sign-ups naming one e-mail address, from anywhere: nobody can use the list to flood someone's inbox.</summary>
    [Range(1, 1_000_000)]
    public int WaitlistJoinsPerHourPerEmail { get; set; } = 10;

    /// <summary>
    /// Whole seat maps fetched per address (a map of a big hall is megabytes; <c>?since=</c> deltas and answers of 304 Not
    /// Modified are not counted).
    /// </summary>
    [Range(1, 1_000_000)]
    public int SeatMapsPerMinutePerAddress { get; set; } = 20;

    /// <summary>Checkout heartbeats per buyer; an open checkout sends two a minute plus one per visibility change.</summary>
    [Range(1, 1_000_000)]
    public int HeartbeatsPerMinute { get; set; } = 30;

    /// <summary>Failed payment attempts (declined, invalid card) per address.</summary>
    [Range(1, 1_000_000)]
    public int PaymentFailuresPerHour { get; set; } = 20;

    /// <summary>Failed payment attempts per buyer.</summary>
    [Range(1, 1_000_000)]
    public int PaymentFailuresPerHourPerBuyer { get; set; } = 10;

    /// <summary>"Find my booking" attempts that matched nothing, per address.</summary>
    [Range(1, 1_000_000)]
    public int ClaimFailuresPerHour { get; set; } = 20;

    /// <summary>Wrong organizer passwords per address (or per organizer device that signed in before).</summary>
    [Range(1, 10_000)]
    public int SignInFailuresPerMinute { get; set; } = 10;

    /// <summary>Wrong organizer passwords from all devices that never signed in, together: what slows a guesser with many addresses.</summary>
    [Range(1, 100_000)]
    public int SignInFailuresPerMinuteServerWide { get; set; } = 60;

    /// <summary>Availability event streams open at once from one address.</summary>
    [Range(1, 1_000_000)]
    public int EventStreamsPerAddress { get; set; } = 100;

    /// <summary>
    /// Event streams open at once on the server: with <see cref="MaxCircuits"/> kept below Kestrel's connection limit
    /// (19,000: a process may open 20,000 files on the machine it was measured on), so a full waiting room still leaves
    /// every circuit slot its WebSocket and pages, the API and <c>/health</c> connections to spare.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxEventStreams { get; set; } = 13_000;

    /// <summary>An event stream ends after this long (a tenth more or less, so reconnects spread out); clients reconnect with Last-Event-ID.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan EventStreamLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Blazor circuits (open page connections) at once from one address.</summary>
    [Range(1, 1_000_000)]
    public int CircuitsPerAddress { get; set; } = 20;

    /// <summary>
    /// Blazor circuits alive at once on this instance (a circuit costs about 250–300 KB). Beyond it a visitor to an
    /// interactive page waits on the busy page, in line for the next slot (<see cref="CircuitSlots"/>).
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxCircuits { get; set; } = 5_000;

    /// <summary>How long a freed circuit slot is kept for the first in line while their busy page takes them in.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CircuitSlotHold { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Disconnected circuits kept for a reconnect; beyond this the oldest are dropped (Blazor's default is 100).</summary>
    [Range(0, 100_000)]
    public int DisconnectedCircuitsRetained { get; set; } = 500;

    /// <summary>
    /// How long a disconnected circuit waits for its browser (Blazor's default is 3 minutes). One minute matches
    /// <c>Holds:HiddenGrace</c>: a checkout whose connection is gone longer has lost its hold anyway.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:05", "01:00:00")]
    public TimeSpan DisconnectedCircuitRetention { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>An API request body must have arrived within this; a slower one is cut before it takes an API slot.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan RequestBodyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>An API request is cancelled after this (request timeouts middleware); a charge already under way still finishes.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan ApiRequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
