using Microsoft.Extensions.Options;
using TicketBooking.Core.Email;

namespace TicketBooking.Web.Email;

/// <summary>
/// Sends what the outbox holds: woken when a booking or cancellation commits a message, and every
/// <see cref="EmailOptions.PollInterval"/> for retries. A failed delivery waits <see cref="EmailOptions.RetryAfter"/>,
/// doubling up to an hour; a message is marked sent only after its transport accepted it, so a crash in between sends
/// it again — as the same message (same file, same Message-ID).
/// </summary>
public sealed partial class OutboxSender(
    Outbox outbox, OutboxSignal signal, IEmailTransport transport, TimeProvider time, IOptions<EmailOptions> options, Core.Cluster.ClusterLeader leader,
    ILogger<OutboxSender> logger)
    : BackgroundService
{
    private const int Batch = 50;
    private static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);

    /// <summary>Raised after each pass over the due messages (tests wait on it instead of sleeping).</summary>
    public event Action? Passed;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // One instance sends for the database (another takes over if it goes), so no message goes out twice.
                if (await leader.IsLeaderAsync(stoppingToken).ConfigureAwait(false))
                {
                    await SendDueAsync(stoppingToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // The sender must outlive a bad pass (the database briefly unavailable): it tries again.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogPassFailed(exception);
            }

            try
            {
                Passed?.Invoke();
            }
#pragma warning disable CA1031 // A listener's fault must not stop the sender.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogPassFailed(exception);
            }

            using var wake = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
            var poll = Task.Delay(options.Value.PollInterval, time, wake.Token);
            var woken = signal.WaitAsync(Timeout.InfiniteTimeSpan, wake.Token);
            await Task.WhenAny(poll, woken).ConfigureAwait(false);
            await wake.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(poll, woken).ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    private async Task SendDueAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<OutboxMessage> due;
        do
        {
            due = await outbox.DueAsync(time.GetUtcNow(), Batch, cancellationToken).ConfigureAwait(false);
            foreach (var message in due)
            {
                try
                {
                    await transport.SendAsync(message, cancellationToken).ConfigureAwait(false);
                    await outbox.MarkSentAsync(message.Id).ConfigureAwait(false);
                    LogSent(message.Kind, message.Id);
                }
                catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    var wait = TimeSpan.FromTicks(Math.Min(MaxWait.Ticks, options.Value.RetryAfter.Ticks * (1L << Math.Min(message.Attempts, 20))));
                    await outbox.MarkFailedAsync(message.Id, exception.Message, time.GetUtcNow() + wait).ConfigureAwait(false);
                    LogSendFailed(exception, message.Kind, message.Id, message.Attempts + 1, wait);
                }
            }
        }
        while (due.Count == Batch);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "E-mail {Kind} {MessageId} sent")]
    private partial void LogSent(string kind, Guid messageId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "E-mail {Kind} {MessageId} not sent (attempt {Attempt}); trying again in {Wait}")]
    private partial void LogSendFailed(Exception exception, string kind, Guid messageId, int attempt, TimeSpan wait);

    [LoggerMessage(Level = LogLevel.Error, Message = "The e-mail sender's pass failed; it tries again")]
    private partial void LogPassFailed(Exception exception);
}
