using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Storage;
using TicketBooking.Core.Tickets;
using static TicketBooking.Core.Bookings.BookingCommands;

namespace TicketBooking.Core.Bookings;

/// <summary>
/// Confirms bookings (docs/architecture.md, "Confirming a booking"): validate, record the attempt, charge outside any transaction,
/// then convert the hold in one write transaction, voiding the charge if no booking results.
/// Never a charge without a booking, never a booking without a charge; one idempotency key gives
/// one outcome and at most one charge.
/// </summary>
public sealed partial class BookingService(
    GroupCommitWriter writer,
    ConnectionFactory connections,
    IPaymentGateway gateway,
    AppSecrets secrets,
    IOptions<PaymentOptions> paymentOptions,
    TimeProvider time,
    Diagnostics.TicketBookingMetrics metrics,
    Email.OutboxSignal outbox,
    ILogger<BookingService> logger)
{
    private readonly PaymentOptions _payments = paymentOptions.Value;

    public const int MaxIdempotencyKeyLength = 128;

    /// <summary>How long a finished request's key keeps giving the same answer.</summary>
    public static readonly TimeSpan IdempotencyRetention = TimeSpan.FromHours(24);

    private readonly ConcurrentDictionary<(BuyerId Buyer, string Key), InFlight> _inFlight = new();

    public async Task<ConfirmResult> ConfirmAsync(BuyerId buyer, ConfirmRequest request, string? idempotencyKey)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (ConfirmInput.Validate(request, idempotencyKey, time.GetUtcNow()) is { } errors)
        {
            return new ConfirmResult.Invalid(errors);
        }

        var key = idempotencyKey!;
        var fingerprint = Fingerprint(request);
        var mine = new InFlight(fingerprint);
        var running = _inFlight.GetOrAdd((buyer, key), mine);
        if (running != mine)
        {
            // A double click: the same key is being processed right now in this process.
            return running.Fingerprint == fingerprint ? Replayed(await running.Result.Task.ConfigureAwait(false)) : new ConfirmResult.KeyReused();
        }

        try
        {
            var result = await RunAsync(buyer, request, key, fingerprint).ConfigureAwait(false);
            mine.Result.SetResult(result);
            return result;
        }
        catch (Exception exception)
        {
            mine.Result.SetException(exception);
            throw;
        }
        finally
        {
            _inFlight.TryRemove(new KeyValuePair<(BuyerId, string), InFlight>((buyer, key), mine));
        }
    }

    private async Task<ConfirmResult> RunAsync(BuyerId buyer, ConfirmRequest request, string key, string fingerprint)
    {
        var paymentId = Guid.CreateVersion7(time.GetUtcNow());
        var beginCommand = new BeginCommand(buyer, request, key, fingerprint, paymentId, _payments, connections.InstanceName);
        var begin = await writer.ExecuteAsync(c => Begin(c, beginCommand)).ConfigureAwait(false);
        switch (begin)
        {
            case BeginResult.Changed:
                return new ConfirmResult.CheckoutChanged();
            case BeginResult.Wait wait:
                return new ConfirmResult.TryLater(wait.RetryAfter);
            case BeginResult.Replay replay:
                return await ReplayAsync(buyer, replay).ConfigureAwait(false);
            case BeginResult.InProgress:
                return new ConfirmResult.InProgress();
            case BeginResult.KeyReused:
                return new ConfirmResult.KeyReused();
            case BeginResult.NoHold:
                return new ConfirmResult.NoHold();
        }

        var (checkout, pin) = (BeginResult.Ready)begin;

        // Past this point the request finishes whatever the caller does: a charge must end as a booking or a void.
        var charge = await ChargeAsync(new ChargeRequest(paymentId, checkout.AmountCents, "USD", request.Card)).ConfigureAwait(false);
        if (!charge.Approved)
        {
            var outcome = charge.Status switch
            {
                ChargeStatus.Declined => Outcome.Declined,
                ChargeStatus.InsufficientFunds => Outcome.InsufficientFunds,
                ChargeStatus.InvalidCard => Outcome.InvalidCard,
                _ => Outcome.GatewayError,
            };
            var failed = new FailedCharge(buyer, request.ConcertId, checkout.HoldId, key, paymentId, outcome, pin);
            await writer.ExecuteAsync(c =>
            {
                RecordFailedCharge(c, failed);
                return true;
            }).ConfigureAwait(false);
            LogPaymentFailed(request.ConcertId, outcome);
            metrics.PaymentDeclined(outcome);
            return Failure(outcome);
        }

        var chargeId = charge.ChargeId!;
        var command = new CompleteCommand(buyer, request.ConcertId, checkout, paymentId, chargeId, ConfirmInput.Normalize(request.Buyer), key, Guid.CreateVersion7(time.GetUtcNow()));
        CompleteResult completed;
        try
        {
            completed = await writer.ExecuteAsync(c => Complete(c, command)).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // The booking was not written; the money must go back. The payment row stays 'pending'
            // if even that cannot be recorded, and start-up recovery voids it.
            LogBookingWriteFailed(exception, request.ConcertId);
            await VoidAsync(paymentId, chargeId).ConfigureAwait(false);
            throw;
        }

        if (completed is CompleteResult.Refused refused)
        {
            await VoidAsync(paymentId, chargeId).ConfigureAwait(false);
            LogChargeVoided(request.ConcertId, refused.Outcome);
            return await ReplayAsync(buyer, new BeginResult.Replay(refused.Outcome, refused.ExistingBookingId)).ConfigureAwait(false);
        }

        outbox.Notify(); // the confirmation e-mail was committed with the booking
        var booking = await GetAsync(buyer, command.BookingId).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Booking {command.BookingId} was committed but cannot be read.");
        var tickets = booking.Items.Sum(i => i.Quantity);
        LogBooked(booking.Reference, request.ConcertId, tickets, booking.TotalCents);
        metrics.Booked(tickets);
        return new ConfirmResult.Booked(booking);
    }

    private async Task<ChargeResult> ChargeAsync(ChargeRequest charge)
    {
        try
        {
            return await gateway.ChargeAsync(charge, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // Any gateway fault is a failed payment to the buyer; the pending row records the attempt.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogGatewayFailed(exception);
            return new ChargeResult(ChargeStatus.Error, null, "The payment service did not answer.");
        }
    }

    private async Task VoidAsync(Guid paymentId, string chargeId)
    {
        await gateway.VoidAsync(chargeId, CancellationToken.None).ConfigureAwait(false);
        await writer.ExecuteAsync(c =>
        {
            MarkVoided(c, paymentId);
            return true;
        }).ConfigureAwait(false);
    }

    private async Task<ConfirmResult> ReplayAsync(BuyerId buyer, BeginResult.Replay replay)
    {
        switch (replay.Outcome)
        {
            case Outcome.Booked or Outcome.AlreadyBooked when replay.BookingId is { } bookingId:
                var booking = await GetAsync(buyer, bookingId).ConfigureAwait(false)
                    ?? throw new InvalidOperationException($"Booking {bookingId} is recorded for a key but cannot be read.");
                return replay.Outcome == Outcome.Booked ? new ConfirmResult.Booked(booking) : new ConfirmResult.AlreadyBooked(booking);
            case Outcome.SoldOut:
                return new ConfirmResult.SoldOut();
            case Outcome.CheckoutChanged:
                return new ConfirmResult.CheckoutChanged();
            default:
                return Failure(replay.Outcome) with { Replayed = true };
        }
    }

    /// <summary>A failure handed to a second caller of the same request: no second card was tried.</summary>
    private static ConfirmResult Replayed(ConfirmResult result) =>
        result is ConfirmResult.PaymentFailed failed ? failed with { Replayed = true } : result;

    private static ConfirmResult.PaymentFailed Failure(string outcome) => outcome switch
    {
        // Declined and insufficient funds read the same to the buyer: telling them apart helps card testers, not buyers.
        Outcome.Declined or Outcome.InsufficientFunds => new(PaymentFailure.Declined, "Your card was declined. Your tickets are still held: try another card."),
        Outcome.InvalidCard => new(PaymentFailure.InvalidCard, "The card number is not valid. Check it, or try another card."),
        _ => new(PaymentFailure.GatewayError, "The payment could not be completed and you were not charged. Please try again."),
    };

    /// <summary>
    /// What makes two requests "the same" for an idempotency key: every field, the full card number included, so a
    /// retry with another card is a new request; never the security code. Keyed (HMAC-SHA-256) with
    /// <see cref="PaymentOptions.FingerprintKey"/> when it is set, which keeps the key out of the database, else with a secret
    /// of this database. Kept only as long as the idempotency key (a day).
    /// </summary>
    private string Fingerprint(ConfirmRequest request)
    {
        var text = string.Join('\n',
            request.ConcertId, request.Buyer.Name.Trim(), request.Buyer.Email.Trim(),
            request.Card.Digits, request.Card.Expiry.Trim(),
            request.HoldId?.ToString() ?? "", request.ExpectedTotalCents?.ToString(CultureInfo.InvariantCulture) ?? "");
        return Convert.ToHexString(HMACSHA256.HashData(FingerprintKey(), Encoding.UTF8.GetBytes(text)));
    }

    private byte[] FingerprintKey() =>
        _payments.FingerprintKey is { Length: > 0 } configured ? Convert.FromBase64String(configured) : secrets.Get(AppSecrets.RequestFingerprint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Booked {Reference} for concert {ConcertId}: {Tickets} tickets, {TotalCents} cents")]
    private partial void LogBooked(string reference, Guid concertId, int tickets, long totalCents);

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment for concert {ConcertId} failed: {Outcome}; the hold is kept")]
    private partial void LogPaymentFailed(Guid concertId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No booking for concert {ConcertId} after an approved charge ({Outcome}); the charge was voided")]
    private partial void LogChargeVoided(Guid concertId, string outcome);

    [LoggerMessage(Level = LogLevel.Error, Message = "Writing the booking for concert {ConcertId} failed after an approved charge; voiding it")]
    private partial void LogBookingWriteFailed(Exception exception, Guid concertId);

    [LoggerMessage(Level = LogLevel.Error, Message = "The payment gateway failed")]
    private partial void LogGatewayFailed(Exception exception);

    private sealed class InFlight(string fingerprint)
    {
        public string Fingerprint { get; } = fingerprint;

        public TaskCompletionSource<ConfirmResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
