using Microsoft.Extensions.Options;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Organizers;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Every <see cref="HoldOptions.SweepInterval"/>, deletes expired holds (which publishes the concerts'
/// new availability), forgets old idempotency keys and failed payment attempts, and ends expired organizer
/// sessions. A failed sweep is logged and the next one runs as usual.
/// </summary>
internal sealed partial class HoldExpirySweeper(
    HoldService holds,
    BookingService bookings,
    OrganizerSessions organizers,
    TimeProvider time,
    IOptions<HoldOptions> options,
    ILogger<HoldExpirySweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await SweepOnceAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    internal async Task SweepOnceAsync()
    {
        try
        {
            var swept = await holds.SweepExpiredAsync();
            if (swept.HoldsRemoved > 0)
            {
                LogSwept(swept.HoldsRemoved, swept.TicketsReleased, swept.Concerts.Count);
            }

            await bookings.PurgeAsync();
            await organizers.PurgeExpiredAsync();
        }
#pragma warning disable CA1031 // A failed sweep must not stop the sweeper or the host; the next tick tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogSweepFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expired {Holds} holds, releasing {Tickets} tickets in {Concerts} concerts")]
    private partial void LogSwept(int holds, int tickets, int concerts);

    [LoggerMessage(Level = LogLevel.Error, Message = "Sweeping expired holds failed; trying again at the next interval")]
    private partial void LogSweepFailed(Exception exception);
}
