using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Bookings;

/// <summary>Who cancels: the buyer (their own bookings, before the deadline) or an organizer (any booking, any time).</summary>
public abstract record Canceller
{
    private Canceller()
    {
    }

    public sealed record Buyer(BuyerId Id) : Canceller;

    public sealed record Organizer : Canceller;
}

public abstract record CancelResult
{
    private CancelResult()
    {
    }

    /// <summary>The tickets are revoked, their seats are back on sale and <see cref="RefundedCents"/> went back to the card.</summary>
    public sealed record Cancelled(Booking Booking, long RefundedCents) : CancelResult;

    /// <summary>No booking with this id for this canceller.</summary>
    public sealed record NotFound : CancelResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : CancelResult;

    /// <summary>Buyers could cancel until <see cref="Deadline"/>; it has passed.</summary>
    public sealed record PastDeadline(DateTimeOffset Deadline) : CancelResult;

    /// <summary>Nothing asked for can be cancelled: already cancelled, being cancelled, or already used at the door.</summary>
    public sealed record NothingToCancel(string Message) : CancelResult;

    /// <summary>The gateway refused the refund. Nothing changed: the booking and its tickets stand.</summary>
    public sealed record RefundFailed(string Message) : CancelResult;

    /// <summary>
    /// The gateway did not answer in time. The tickets stay claimed (they admit nobody) and recovery finishes the refund
    /// with the same id, which then cancels them and e-mails the buyer.
    /// </summary>
    public sealed record RefundPending : CancelResult;
}

/// <summary>
/// Cancelling a booking, whole or some of its tickets (docs/architecture.md, "Cancellation and refunds"), in three steps like a payment: the writer claims the
/// tickets and records a pending refund; the gateway refunds (outside any transaction, idempotent on the refund's id);
/// the writer then revokes the tickets and puts their seats back on sale, or on failure releases them untouched.
/// A refund interrupted by a crash is finished at start-up (<see cref="RecoverAsync"/>).
/// </summary>
public sealed partial class CancellationService(
    GroupCommitWriter writer,
    BookingService bookings,
    IPaymentGateway gateway,
    TimeProvider time,
    IOptions<CancellationOptions> options,
    Email.OutboxSignal outbox,
    ILogger<CancellationService> logger)
{
    private const string BookingSql = """
        SELECT b.id AS Id, b.buyer_id AS BuyerId, b.concert_id AS ConcertId, c.starts_at AS StartsAt,
               (SELECT gateway_charge_id FROM payments p WHERE p.booking_id = b.id AND p.status = 'approved') AS ChargeId
        FROM bookings b JOIN concerts c ON c.id = b.concert_id
        WHERE b.id = @bookingId
          AND (@buyer IS NULL OR b.buyer_id = @buyer OR b.id IN (SELECT booking_id FROM booking_access WHERE buyer_id = @buyer))
        """;

    private const string TicketsSql = """
        SELECT k.id AS Id, k.status AS Status, k.refund_id AS RefundId, i.unit_price_cents AS PriceCents
        FROM tickets k JOIN booking_items i ON i.booking_id = k.booking_id AND i.tier_id = k.tier_id
        WHERE k.booking_id = @bookingId
        """;

    private const string ClaimSql = "UPDATE tickets SET refund_id = @refundId WHERE id IN @ids AND status = 'valid' AND refund_id IS NULL";

    private const string InsertRefundSql = """
        INSERT INTO refunds (id, booking_id, charge_id, amount_cents, status, by_organizer, created_at, updated_at)
        VALUES (@refundId, @bookingId, @chargeId, @amount, 'pending', @byOrganizer, @now, @now)
        """;

    /// <summary>Cancels <paramref name="ticketIds"/> of the booking (every ticket still valid when null or empty) and refunds them.</summary>
    public async Task<CancelResult> CancelAsync(Canceller canceller, Guid bookingId, IReadOnlyCollection<Guid>? ticketIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(canceller);
        var buyer = canceller is Canceller.Buyer b ? b.Id : (BuyerId?)null;
        var claim = await writer.ExecuteAsync(context => Claim(context, buyer, bookingId, ticketIds)).ConfigureAwait(false);
        if (claim is not Claimed claimed)
        {
            return ((Refused)claim).Result;
        }

        // Not the caller's token: once the tickets are claimed, a buyer who closes the tab must not strand the refund.
        RefundResult refund;
        try
        {
            refund = await RefundAsync(claimed.Refund, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or OperationCanceledException or StoreUnavailableException)
        {
            return new CancelResult.RefundPending();
        }

        if (!refund.Succeeded)
        {
            return new CancelResult.RefundFailed("The refund did not go through, so nothing was cancelled: your tickets are still valid. Please try again later.");
        }

        var booking = buyer is { } id
            ? await bookings.GetAsync(id, bookingId, cancellationToken).ConfigureAwait(false)
            : await bookings.GetAnyAsync(bookingId, cancellationToken).ConfigureAwait(false);
        return new CancelResult.Cancelled(booking!, claimed.Refund.AmountCents);
    }

    private abstract record ClaimResult;

    private sealed record Claimed(PendingRefund Refund) : ClaimResult;

    private sealed record Refused(CancelResult Result) : ClaimResult;

    private sealed record PendingRefund(Guid RefundId, Guid BookingId, Guid ConcertId, string ChargeId, long AmountCents, long ByOrganizer);

    private ClaimResult Claim(WriteContext context, BuyerId? buyer, Guid bookingId, IReadOnlyCollection<Guid>? ticketIds)
    {
        var connection = context.Connection;
        var booking = connection.QuerySingleOrDefault<BookingRow>(BookingSql, new { bookingId, buyer = buyer?.Value }, context.Transaction);
        if (booking is null)
        {
            return new Refused(new CancelResult.NotFound());
        }

        var deadline = booking.StartsAt - options.Value.Deadline;
        if (buyer is not null && context.Now >= deadline)
        {
            return new Refused(new CancelResult.PastDeadline(deadline));
        }

        var tickets = connection.Query<TicketRow>(TicketsSql, new { bookingId }, context.Transaction).ToList();
        var asked = ticketIds is { Count: > 0 } ? ticketIds.ToHashSet() : null;
        if (asked is not null && asked.Except(tickets.Select(t => t.Id)).Any())
        {
            return new Refused(new CancelResult.Invalid(new Dictionary<string, string[]> { ["ticketIds"] = ["Some of these tickets are not in this booking."] }));
        }

        var chosen = tickets.Where(t => asked?.Contains(t.Id) ?? true).ToList();
        var cancellable = chosen.Where(t => t.Status == "valid" && t.RefundId is null).ToList();
        if (cancellable.Count == 0 || (asked is not null && cancellable.Count != chosen.Count))
        {
            var message = chosen.Any(t => t.Status == "checkedIn") ? "A ticket that was used at the door cannot be cancelled."
                : chosen.Any(t => t.RefundId is not null && t.Status == "valid") ? "These tickets are being cancelled already."
                : "These tickets are already cancelled.";
            return new Refused(new CancelResult.NothingToCancel(message));
        }

        if (booking.ChargeId is null)
        {
            throw new InvalidOperationException($"Booking {bookingId} has no approved payment to refund.");
        }

        var refund = new PendingRefund(Guid.CreateVersion7(context.Now), bookingId, booking.ConcertId, booking.ChargeId, cancellable.Sum(t => t.PriceCents), buyer is null ? 1 : 0);
        connection.Execute(ClaimSql, new { refundId = refund.RefundId, ids = cancellable.Select(t => t.Id.ToString()).ToList() }, context.Transaction);
        connection.Execute(InsertRefundSql, new
        {
            refundId = refund.RefundId,
            bookingId,
            chargeId = refund.ChargeId,
            amount = refund.AmountCents,
            byOrganizer = refund.ByOrganizer,
            now = context.NowMs,
        }, context.Transaction);
        return new Claimed(refund);
    }

    /// <summary>Asks the gateway, then records the answer: revoked tickets and seats back on sale, or the tickets released.</summary>
    private async Task<RefundResult> RefundAsync(PendingRefund refund, CancellationToken cancellationToken)
    {
        RefundResult result;
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(GatewayTimeout);
            result = await gateway.RefundAsync(new RefundRequest(refund.RefundId, refund.ChargeId, refund.AmountCents), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is HttpRequestException or TimeoutException or OperationCanceledException)
        {
            // Unknown whether money moved: the refund stays pending and recovery asks again with the same id.
            LogRefundUnknown(exception, refund.RefundId);
            throw;
        }

        if (await writer.ExecuteAsync(context => result.Succeeded ? Complete(context, refund, result.GatewayRefundId) : Release(context, refund.RefundId)).ConfigureAwait(false)
            && result.Succeeded)
        {
            outbox.Notify(); // the cancellation e-mail was committed with the cancellation
        }
        if (!result.Succeeded)
        {
            LogRefundFailed(refund.RefundId, refund.BookingId, result.Message);
        }

        return result;
    }

    private const string RevokeSql = "UPDATE tickets SET status = 'cancelled', cancelled_at = @now WHERE refund_id = @refundId AND status = 'valid'";

    private const string ReturnSeatsSql = """
        UPDATE tiers SET sold = sold - r.seats, revenue_cents = revenue_cents - r.cents
        FROM (SELECT k.tier_id AS tier_id, COUNT(*) AS seats, CAST(SUM(i.unit_price_cents) AS BIGINT) AS cents
              FROM tickets k JOIN booking_items i ON i.booking_id = k.booking_id AND i.tier_id = k.tier_id
              WHERE k.refund_id = @refundId GROUP BY k.tier_id) AS r
        WHERE tiers.id = r.tier_id
        """;

    private const string RefundSucceededSql = """
        UPDATE refunds SET status = 'succeeded', gateway_refund_id = @gatewayRefundId, updated_at = @now WHERE id = @refundId AND status = 'pending'
        """;

    private const string AddRefundedSql = "UPDATE bookings SET refunded_cents = refunded_cents + @amount WHERE id = @bookingId";

    private static bool Complete(WriteContext context, PendingRefund refund, string? gatewayRefundId)
    {
        var connection = context.Connection;
        if (connection.Execute(RefundSucceededSql, new { refundId = refund.RefundId, gatewayRefundId, now = context.NowMs }, context.Transaction) == 0)
        {
            return false; // finished already (recovery and a late answer)
        }

        connection.Execute(ReturnSeatsSql, new { refundId = refund.RefundId }, context.Transaction);
        var revoked = connection.Execute(RevokeSql, new { refundId = refund.RefundId, now = context.NowMs }, context.Transaction);
        connection.Execute(AddRefundedSql, new { amount = refund.AmountCents, bookingId = refund.BookingId }, context.Transaction);
        Email.Outbox.EnqueueCancellation(context, refund.BookingId, revoked, refund.AmountCents, refund.ByOrganizer == 1);
        context.AvailabilityChanged(refund.ConcertId);
        return true;
    }

    private static bool Release(WriteContext context, Guid refundId)
    {
        context.Connection.Execute("UPDATE refunds SET status = 'failed', updated_at = @now WHERE id = @refundId AND status = 'pending'",
            new { refundId, now = context.NowMs }, context.Transaction);
        context.Connection.Execute("UPDATE tickets SET refund_id = NULL WHERE refund_id = @refundId AND status = 'valid'", new { refundId }, context.Transaction);
        return true;
    }

    private const string PendingSql = """
        SELECT r.id AS RefundId, r.booking_id AS BookingId, b.concert_id AS ConcertId, r.charge_id AS ChargeId, r.amount_cents AS AmountCents,
               r.by_organizer AS ByOrganizer
        FROM refunds r JOIN bookings b ON b.id = r.booking_id
        WHERE r.status = 'pending' AND r.created_at <= @before
        """;

    /// <summary>How long the gateway may take to answer a refund before the refund is left to recovery.</summary>
    public static readonly TimeSpan GatewayTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Finishes refunds a crash or a gateway that did not answer left pending, asking the gateway again with the same id,
    /// so nothing is refunded twice. <paramref name="olderThan"/> leaves alone refunds a live request is still finishing
    /// (at start-up nothing is live, so all are taken). A refund that fails again is logged and left for the next round.
    /// </summary>
    public async Task<int> RecoverAsync(TimeSpan? olderThan = null, CancellationToken cancellationToken = default)
    {
        var before = (time.GetUtcNow() - (olderThan ?? TimeSpan.Zero)).ToUnixTimeMilliseconds();
        var pending = await writer.ExecuteAsync(context => context.Connection.Query<PendingRefund>(PendingSql, new { before }, context.Transaction).ToList()).ConfigureAwait(false);
        var finished = 0;
        foreach (var refund in pending)
        {
            try
            {
                await RefundAsync(refund, cancellationToken).ConfigureAwait(false);
                finished++;
            }
            catch (Exception exception) when (exception is HttpRequestException or TimeoutException or OperationCanceledException or StoreUnavailableException)
            {
                LogRecoveryFailed(exception, refund.RefundId);
            }
        }

        return finished;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund {RefundId} is still pending; recovery tries it again later")]
    private partial void LogRecoveryFailed(Exception exception, Guid refundId);

    /// <summary>When buyers of a concert starting at <paramref name="startsAt"/> can no longer cancel.</summary>
    public DateTimeOffset DeadlineFor(DateTimeOffset startsAt) => startsAt - options.Value.Deadline;

    /// <summary>Whether a buyer may still cancel for a concert starting at <paramref name="startsAt"/>.</summary>
    public bool BuyerMayCancel(DateTimeOffset startsAt) => time.GetUtcNow() < DeadlineFor(startsAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund {RefundId} of booking {BookingId} was refused by the gateway: {Reason}")]
    private partial void LogRefundFailed(Guid refundId, Guid bookingId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Refund {RefundId}: the gateway did not answer; it stays pending and is asked again by recovery")]
    private partial void LogRefundUnknown(Exception exception, Guid refundId);

    private sealed record BookingRow(Guid Id, string BuyerId, Guid ConcertId, DateTimeOffset StartsAt, string? ChargeId);

    private sealed record TicketRow(Guid Id, string Status, string? RefundId, long PriceCents);
}
