using Microsoft.Extensions.Options;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Organizers;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Every <see cref="HoldOptions.SweepInterval"/>, deletes expired holds (which publishes the concerts'
/// new availability), forgets old idempotency keys and failed payment attempts, and ends expired organizer
/// sessions. A failed sweep is logged and the next one runs as usual (<see cref="PeriodicService"/>).
/// </summary>
internal sealed partial class ExpirySweeper(
    HoldService holds,
    BookingService bookings,
    OrganizerSessions organizers,
    TimeProvider time,
    IOptions<HoldOptions> options,
    Core.Cluster.ClusterLeader leader,
    ILogger<ExpirySweeper> logger) : PeriodicService(time, logger, leader)
{
    protected override TimeSpan Interval => options.Value.SweepInterval;

    protected override string Work => "Sweeping expired holds";

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var swept = await holds.SweepExpiredAsync();
        if (swept.HoldsRemoved > 0)
        {
            LogSwept(swept.HoldsRemoved, swept.TicketsReleased, swept.Concerts.Count);
        }

        await bookings.PurgeAsync();
        await organizers.PurgeExpiredAsync();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Holds} holds, releasing {Tickets} tickets in {Concerts} concerts")]
    private partial void LogSwept(int holds, int tickets, int concerts);
}
