using Microsoft.Extensions.Options;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Every ten seconds, finishes refunds and payments left pending for longer than any request could take (a gateway that did
/// not answer, a completion write that failed, an instance that died mid-payment), so tickets are never stuck "being
/// cancelled" and a charge is never left unvoided until the next restart. Start-up recovery covers the ones a crash left.
/// On PostgreSQL it runs on the leading instance only.
/// </summary>
public sealed partial class RefundRecovery(
    CancellationService cancellations,
    BookingService bookings,
    IOptions<PaymentOptions> payments,
    TimeProvider time,
    Core.Cluster.ClusterLeader leader,
    ILogger<RefundRecovery> logger)
    : PeriodicService(time, logger, leader)
{
    private static readonly TimeSpan Age = TimeSpan.FromMinutes(2);

    /// <summary>Older than this, a pending payment or refund is no running request's: a charge cannot take so long.</summary>
    public static TimeSpan InFlightAge(PaymentOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Age > options.MaxChargeTime * 2 ? Age : options.MaxChargeTime * 2;
    }

    // Often enough that a buyer whose payment died with its instance gets a definite answer within seconds on retry.
    protected override TimeSpan Interval => TimeSpan.FromSeconds(10);

    protected override string Work => "A refund recovery round";

    protected override async Task RunOnceAsync(CancellationToken stoppingToken)
    {
        var age = InFlightAge(payments.Value);
        if (await cancellations.RecoverAsync(age, stoppingToken).ConfigureAwait(false) is var finished and > 0)
        {
            LogFinished(finished);
        }

        // A payment cut off by an instance that died (on PostgreSQL the others go on serving, and none restarts to do it):
        // at once when its instance is gone, else once it is older than any charge.
        await bookings.RecoverAsync(age).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Finished {Count} pending refunds")]
    private partial void LogFinished(int count);
}
