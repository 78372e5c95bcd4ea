using TicketBooking.Core.Bookings;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Every minute, finishes refunds left pending for more than two minutes (a gateway that did not answer, a completion
/// write that failed), so tickets are never stuck "being cancelled" until the next restart. Start-up recovery covers
/// the ones a crash left.
/// </summary>
public sealed partial class RefundRecovery(CancellationService cancellations, TimeProvider time, ILogger<RefundRecovery> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Age = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (await cancellations.RecoverAsync(Age, stoppingToken).ConfigureAwait(false) is var finished and > 0)
                    {
                        LogFinished(finished);
                    }
                }
#pragma warning disable CA1031 // A bad round (the database briefly unavailable) must not stop the next one.
                catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    LogRoundFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Finished {Count} pending refunds")]
    private partial void LogFinished(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A refund recovery round failed; the next one tries again")]
    private partial void LogRoundFailed(Exception exception);
}
