using TicketBooking.Core.Bookings;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Every minute, finishes refunds left pending for more than two minutes (a gateway that did not answer, a completion
/// write that failed), so tickets are never stuck "being cancelled" until the next restart. Start-up recovery covers
/// the ones a crash left.
/// </summary>
public sealed partial class RefundRecovery(CancellationService cancellations, TimeProvider time, ILogger<RefundRecovery> logger) : PeriodicService(time, logger)
{
    private static readonly TimeSpan Age = TimeSpan.FromMinutes(2);

    protected override TimeSpan Interval => TimeSpan.FromMinutes(1);

    protected override string Work => "A refund recovery round";

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        if (await cancellations.RecoverAsync(Age, stoppingToken).ConfigureAwait(false) is var finished and > 0)
        {
            LogFinished(finished);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Finished {Count} pending refunds")]
    private partial void LogFinished(int count);
}
