using Microsoft.Extensions.Logging;
using static TicketBooking.Core.Bookings.BookingCommands;

namespace TicketBooking.Core.Bookings;

/// <summary>Finishing payments a crash interrupted, and forgetting what is kept only for a while.</summary>
public sealed partial class BookingService
{
    /// <summary>
    /// Finishes what a crash interrupted: payments being charged or voided are voided, and the keys of
    /// requests that never answered are forgotten. With one process, call it at start-up, before serving, for all of
    /// them; where other instances share the database, for those untouched for longer than any charge can take
    /// (<paramref name="olderThan"/>) and those started by an instance that is gone: neither is a live instance's.
    /// </summary>
    public async Task<int> RecoverAsync(TimeSpan? olderThan = null)
    {
        var before = (time.GetUtcNow() - (olderThan ?? TimeSpan.Zero)).ToUnixTimeMilliseconds();
        // On a shared database, a payment whose instance is gone is no running request's, however recent.
        var live = olderThan is null ? null : await connections.LiveInstancesAsync().ConfigureAwait(false);
        var unfinished = await writer.ExecuteAsync(c => TakeUnfinished(c, before, live)).ConfigureAwait(false);
        foreach (var payment in unfinished)
        {
            if (payment.ChargeId is { } chargeId)
            {
                await gateway.VoidAsync(chargeId, CancellationToken.None).ConfigureAwait(false);
            }

            await writer.ExecuteAsync(c =>
            {
                MarkVoided(c, payment.PaymentId);
                return true;
            }).ConfigureAwait(false);
        }

        if (unfinished.Count > 0)
        {
            LogRecovered(unfinished.Count);
        }

        return unfinished.Count;
    }

    /// <summary>
    /// Forgets idempotency keys older than <see cref="IdempotencyRetention"/> and failed payment attempts older than
    /// <see cref="PaymentOptions.FailedRetention"/>. Returns how many rows went.
    /// </summary>
    public Task<int> PurgeAsync() =>
        writer.ExecuteAsync(c => PurgeKeys(c, IdempotencyRetention) + PurgeFailedPayments(c, _payments.FailedRetention));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {Count} payments interrupted by a shutdown; they were voided")]
    private partial void LogRecovered(int count);
}
