using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.OnSale;

/// <summary>The waiting room of a scheduled on-sale (docs/architecture.md, "The on-sale and its waiting room").</summary>
public sealed class WaitingRoomOptions
{
    public const string Section = "WaitingRoom";

    /// <summary>Off: a concert with <c>onSaleAt</c> still waits for it, then anyone may hold at once.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How long before <c>onSaleAt</c> buyers may get in; everyone in by then is shuffled at <c>onSaleAt</c>.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "7.00:00:00")]
    public TimeSpan OpensBefore { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>At most this many admitted buyers shopping at once.</summary>
    [Range(1, 1_000_000)]
    public int MaxActiveBuyers { get; set; } = 500;

    /// <summary>At most this many admissions in any minute, spread over its seconds (each beat lets in the minute's share of the time since the last).</summary>
    [Range(1, 1_000_000)]
    public int AdmitPerMinute { get; set; } = 300;

    /// <summary>How long an admission lets its buyer hold tickets.</summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan AdmissionWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// An admitted buyer who holds no tickets within this loses the admission and the next in line is let in; once they
    /// hold, the turn lasts <see cref="AdmissionWindow"/>. Identities that take a turn and never buy cannot stall the room.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:30", "1.00:00:00")]
    public TimeSpan FirstHoldWindow { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Most live places (waiting or admitted) one client address may have in one room: an office or a family still fits,
    /// identities minted behind one address cannot fill the line. 0 turns it off (as <c>RateLimits:Enabled=false</c> does).
    /// </summary>
    [Range(0, 1_000_000)]
    public int PlacesPerAddress { get; set; } = 4;

    /// <summary>How often the room admits the next buyers and ends lapsed admissions.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan PumpInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>When buyers may first get in line for a sale at <paramref name="onSaleAt"/>.</summary>
    public DateTimeOffset OpensAt(DateTimeOffset onSaleAt) => onSaleAt - OpensBefore;

    /// <summary>
    /// Whether holds for a concert need an admission now: the room is on and open, from <see cref="OpensAt"/> until the
    /// show starts. After the rush nobody waits, so a newcomer is admitted the moment they get in line.
    /// </summary>
    public bool IsOpen(DateTimeOffset? onSaleAt, DateTimeOffset startsAt, DateTimeOffset now) =>
        Enabled && onSaleAt is { } sale && now >= OpensAt(sale) && now < startsAt;
}
