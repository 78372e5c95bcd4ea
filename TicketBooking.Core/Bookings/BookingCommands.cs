using Dapper;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Bookings;

/// <summary>
/// The booking steps that write, run by the single writer. The card is charged between
/// <see cref="Begin"/> and <see cref="Complete"/>, outside any transaction.
/// </summary>
internal static class BookingCommands
{
    internal static class Outcome
    {
        public const string Booked = "booked";
        public const string Declined = "declined";
        public const string InsufficientFunds = "insufficient_funds";
        public const string InvalidCard = "invalid_card";
        public const string GatewayError = "payment_error";
        public const string SoldOut = "sold_out";
        public const string AlreadyBooked = "already_booked";
        public const string CheckoutChanged = "checkout_changed";
    }

    public sealed record Checkout(Guid HoldId, IReadOnlyList<CheckoutItem> Items)
    {
        public long AmountCents => Items.Sum(i => i.Quantity * i.UnitPriceCents);
    }

    /// <summary>A checkout line; on a reserved tier <see cref="Seats"/> are the seats it pays for, one ticket each.</summary>
    public sealed record CheckoutItem(long TierId, string Tier, string TierName, long Quantity, long UnitPriceCents, IReadOnlyList<string>? Seats = null);

    public abstract record BeginResult
    {
        private BeginResult()
        {
        }

        /// <summary>The payment is recorded as pending; <see cref="Pin"/> says how the hold was kept for the charge.</summary>
        public sealed record Ready(Checkout Checkout, HoldPin? Pin) : BeginResult;

        public sealed record Replay(string Outcome, Guid? BookingId) : BeginResult;

        public sealed record InProgress : BeginResult;

        public sealed record KeyReused : BeginResult;

        public sealed record NoHold : BeginResult;

        /// <summary>The hold is not the one the request states (hold id or total). Nothing was recorded.</summary>
        public sealed record Changed : BeginResult;

        /// <summary>Too many declines on this checkout just now. Nothing was recorded.</summary>
        public sealed record Wait(TimeSpan RetryAfter) : BeginResult;
    }

    /// <summary>The hold's expiry before a charge pinned it, and the pinned expiry, to put back if the charge fails.</summary>
    public sealed record HoldPin(long OriginalExpiresAt, long PinnedExpiresAt);

    /// <summary>What one payment attempt starts from.</summary>
    public sealed record BeginCommand(BuyerId Buyer, ConfirmRequest Request, string Key, string Fingerprint, Guid PaymentId, PaymentOptions Payments, string? Owner);

    private const string KeySql = """
        SELECT fingerprint AS Fingerprint, outcome AS Outcome, booking_id AS BookingId
        FROM idempotency_keys WHERE buyer_id = @buyer AND key = @key
        """;

    private const string CheckoutSql = """
        SELECT h.hold_id AS HoldId, h.tier_id AS TierId, t.code AS Tier, t.name AS TierName,
               h.quantity AS Quantity, t.price_cents AS UnitPriceCents, h.expires_at AS ExpiresAt, t.kind AS Kind
        FROM holds h JOIN tiers t ON t.id = h.tier_id
        WHERE h.buyer_id = @buyer AND h.concert_id = @concertId
        ORDER BY t.sort_order
        """;

    private const string DeclinesSql = """
        SELECT COUNT(*) AS Count, MAX(updated_at) AS LastAt FROM payments
        WHERE buyer_id = @buyer AND concert_id = @concertId AND updated_at > @since
          AND status IN ('declined', 'insufficient_funds', 'invalid_card')
        """;

    /// <summary>Declines older than this no longer count towards the wait (a re-hold does not reset it).</summary>
    private static readonly TimeSpan DeclineMemory = TimeSpan.FromHours(1);

    private const string PaymentUnderWaySql = "SELECT EXISTS (SELECT 1 FROM payments WHERE hold_id = @holdId AND status = 'pending')";

    private const string PinSql = """
        UPDATE holds SET expires_at = @pinned
        WHERE buyer_id = @buyer AND concert_id = @concertId AND hold_id = @holdId AND expires_at > @now AND expires_at < @pinned
        """;

    private const string InsertPaymentSql = """
        INSERT INTO payments (id, buyer_id, concert_id, hold_id, amount_cents, card_last4, status, created_at, updated_at, owner)
        VALUES (@paymentId, @buyer, @concertId, @holdId, @amount, @last4, 'pending', @now, @now, @owner)
        """;

    private const string InsertKeySql = """
        INSERT INTO idempotency_keys (buyer_id, key, fingerprint, payment_id, created_at)
        VALUES (@buyer, @key, @fingerprint, @paymentId, @now)
        """;

    /// <summary>
    /// Replays a finished request with the same key, or reads what the buyer holds (expired rows included:
    /// their tickets may still be free), checks it is what the request states, keeps an active hold for the
    /// charge's time and records the payment as pending before the card is charged.
    /// </summary>
    public static BeginResult Begin(WriteContext context, BeginCommand command)
    {
        var connection = context.Connection;
        var transaction = context.Transaction;
        var (buyer, request, key, fingerprint, paymentId, payments, owner) = command;
        var earlier = connection.QuerySingleOrDefault<KeyRow>(KeySql, new { buyer = buyer.Value, key }, transaction);
        if (earlier is not null)
        {
            return earlier.Fingerprint != fingerprint ? new BeginResult.KeyReused()
                : earlier.Outcome is null ? new BeginResult.InProgress()
                : new BeginResult.Replay(earlier.Outcome, earlier.BookingId);
        }

        var concertId = request.ConcertId;
        var rows = connection.Query<CheckoutRow>(CheckoutSql, new { buyer = buyer.Value, concertId }, transaction);
        if (rows.Count == 0)
        {
            return new BeginResult.NoHold();
        }

        // Seats stay with an expired hold's buyer until it is reclaimed, so they are read for expired rows too.
        var seats = rows.Exists(r => r.Kind == "reserved") ? Seating.SeatCommands.HeldBy(connection, transaction, buyer, concertId) : [];
        var checkout = new Checkout(rows[0].HoldId, [.. rows.Select(r => new CheckoutItem(r.TierId, r.Tier, r.TierName, r.Quantity, r.UnitPriceCents, seats.GetValueOrDefault(r.TierId)?.Labels))]);
        if (checkout.Items.Any(i => i.Seats is { } held && held.Count != i.Quantity))
        {
            // A reserved line whose seats were reclaimed while its row lingers: it can no longer be paid as it was.
            return new BeginResult.Changed();
        }
        if ((request.HoldId is { } stated && stated != checkout.HoldId) || (request.ExpectedTotalCents is { } total && total != checkout.AmountCents))
        {
            return new BeginResult.Changed();
        }

        var now = context.NowMs;
        if (connection.ExecuteScalar<bool>(PaymentUnderWaySql, new { holdId = checkout.HoldId }, transaction))
        {
            // One charge at a time per checkout: a second would charge twice and tangle the hold's pin.
            return new BeginResult.InProgress();
        }

        if (DeclineWait(context, buyer, concertId, payments) is { } wait)
        {
            return new BeginResult.Wait(wait);
        }

        var pin = Pin(context, command, checkout, rows);
        connection.Execute(InsertPaymentSql, new { paymentId, buyer = buyer.Value, concertId, holdId = checkout.HoldId, amount = checkout.AmountCents, last4 = request.Card.Last4, now, owner }, transaction);
        connection.Execute(InsertKeySql, new { buyer = buyer.Value, key, fingerprint, paymentId, now }, transaction);
        return new BeginResult.Ready(checkout, pin);
    }

    /// <summary>
    /// After <see cref="PaymentOptions.DeclinesBeforeWait"/> declines of one buyer's cards for a concert within the last
    /// hour, each further attempt waits <see cref="PaymentOptions.DeclineWait"/>, doubling per decline up to ten times that,
    /// from the last decline.
    /// </summary>
    private static TimeSpan? DeclineWait(WriteContext context, BuyerId buyer, Guid concertId, PaymentOptions payments)
    {
        var since = context.NowMs - (long)DeclineMemory.TotalMilliseconds;
        var (count, lastAt) = context.Connection.QuerySingle<(long Count, long? LastAt)>(DeclinesSql, new { buyer = buyer.Value, concertId, since }, context.Transaction);
        var over = count - payments.DeclinesBeforeWait;
        if (over < 0 || lastAt is null)
        {
            return null;
        }

        var wait = payments.DeclineWait * Math.Min(10, Math.Pow(2, over));
        var until = lastAt.Value + (long)wait.TotalMilliseconds;
        return until > context.NowMs ? TimeSpan.FromMilliseconds(until - context.NowMs) : null;
    }

    /// <summary>An active hold is kept for at least <see cref="PaymentOptions.MaxChargeTime"/> while the card is charged.</summary>
    private static HoldPin? Pin(WriteContext context, BeginCommand command, Checkout checkout, List<CheckoutRow> rows)
    {
        var now = context.NowMs;
        var active = rows.Where(r => r.ExpiresAt > now).ToList();
        var pinned = now + (long)command.Payments.MaxChargeTime.TotalMilliseconds;
        if (active.Count == 0 || active.Min(r => r.ExpiresAt) >= pinned)
        {
            return null;
        }

        context.Connection.Execute(PinSql, new { pinned, buyer = command.Buyer.Value, concertId = command.Request.ConcertId, holdId = checkout.HoldId, now }, context.Transaction);
        return new HoldPin(active.Min(r => r.ExpiresAt), pinned);
    }

    public abstract record CompleteResult
    {
        private CompleteResult()
        {
        }

        public sealed record Booked(Guid BookingId) : CompleteResult;

        /// <summary>No booking was made; the payment is marked for voiding.</summary>
        public sealed record Refused(string Outcome, Guid? ExistingBookingId) : CompleteResult;
    }

    private const string BookingForHoldSql = "SELECT id FROM bookings WHERE hold_id = @holdId";

    private const string HoldRowsSql = """
        SELECT hold_id AS HoldId, tier_id AS TierId, quantity AS Quantity, expires_at AS ExpiresAt
        FROM holds WHERE buyer_id = @buyer AND concert_id = @concertId
        """;

    /// <summary>
    /// Turns the charged checkout into sold tickets and a booking. An active hold converts as it is;
    /// an expired one converts if its tickets are still free; otherwise nothing is sold and the
    /// payment is marked for voiding.
    /// </summary>
    public static CompleteResult Complete(WriteContext context, CompleteCommand command)
    {
        var connection = context.Connection;
        var transaction = context.Transaction;
        var existingBooking = connection.QuerySingleOrDefault<Guid?>(BookingForHoldSql, new { holdId = command.Checkout.HoldId }, transaction);
        if (existingBooking is { } bookingId)
        {
            return Refuse(context, command, Outcome.AlreadyBooked, bookingId);
        }

        var allocation = Allocate(context, command);
        if (allocation is null)
        {
            if (HoldCommands.Reclaim(context, command.ConcertId) > 0)
            {
                allocation = Allocate(context, command);
            }

            if (allocation is null)
            {
                return Refuse(context, command, Outcome.SoldOut, null);
            }
        }

        if (allocation.Changed)
        {
            return Refuse(context, command, Outcome.CheckoutChanged, null);
        }

        WriteBooking(context, command, allocation);
        return new CompleteResult.Booked(command.BookingId);
    }

    private sealed record Allocation(bool Changed, Dictionary<long, long> HeldRowQuantity);

    /// <summary>Null when a tier lacks the tickets that are not covered by an active row of this hold.</summary>
    private static Allocation? Allocate(WriteContext context, CompleteCommand command)
    {
        var rows = context.Connection.Query<HoldRow>(HoldRowsSql, new { buyer = command.Buyer.Value, concertId = command.ConcertId }, context.Transaction);
        if (rows.Exists(r => r.HoldId != command.Checkout.HoldId))
        {
            return new Allocation(Changed: true, []);
        }

        var tiers = Inventory.Stock.Tiers(context, command.ConcertId);
        foreach (var item in command.Checkout.Items)
        {
            var tier = tiers.Find(t => t.Id == item.TierId);
            var row = rows.Find(r => r.TierId == item.TierId);
            if (tier is null)
            {
                return null;
            }

            if (row is not null && row.ExpiresAt > context.NowMs)
            {
                continue;
            }

            // Not covered by an active hold: the tickets must be free. An expired row of ours is
            // still in the counter and is about to be deleted, so its tickets count as free here.
            var free = tier.FreeFor(row?.Quantity ?? 0);
            if (free < item.Quantity || (item.Seats is { } seats && !Seating.SeatCommands.AllFreeFor(context, command.Buyer, command.ConcertId, item.TierId, seats)))
            {
                return null;
            }
        }

        return new Allocation(Changed: false, rows.ToDictionary(r => r.TierId, r => r.Quantity));
    }

    private const string DeleteHoldSql = "DELETE FROM holds WHERE buyer_id = @buyer AND concert_id = @concertId";

    private const string InsertBookingSql = """
        INSERT INTO bookings (id, reference, buyer_id, concert_id, hold_id, buyer_name, buyer_email, total_cents, status, created_at)
        VALUES (@bookingId, @reference, @buyer, @concertId, @holdId, @name, @email, @total, 'confirmed', @now)
        """;

    private const string InsertItemSql = """
        INSERT INTO booking_items (booking_id, tier_id, quantity, unit_price_cents)
        VALUES (@bookingId, @tierId, @quantity, @unitPrice)
        """;

    private const string InsertTicketSql = """
        INSERT INTO tickets (id, booking_id, concert_id, tier_id, position, code, seat_label)
        VALUES (@id, @bookingId, @concertId, @tierId, @position, @code, @seat)
        """;

    private const string ReferenceTakenSql = "SELECT EXISTS (SELECT 1 FROM bookings WHERE reference = @reference)";

    private const string ApprovePaymentSql = """
        UPDATE payments SET status = 'approved', gateway_charge_id = @chargeId, booking_id = @bookingId, updated_at = @now
        WHERE id = @paymentId
        """;

    private const string SetOutcomeSql = """
        UPDATE idempotency_keys SET outcome = @outcome, booking_id = @bookingId
        WHERE buyer_id = @buyer AND key = @key
        """;

    private static void WriteBooking(WriteContext context, CompleteCommand command, Allocation allocation)
    {
        var connection = context.Connection;
        var transaction = context.Transaction;
        var buyer = command.Buyer.Value;
        Waitlist.WaitlistCommands.Converted(context, command.Buyer, command.ConcertId);
        OnSale.WaitingRoomCommands.EndTurn(context, command.Buyer, command.ConcertId);
        connection.Execute(DeleteHoldSql, new { buyer, concertId = command.ConcertId }, transaction);
        foreach (var item in command.Checkout.Items)
        {
            Inventory.Stock.Sell(context, item.TierId, item.Quantity, allocation.HeldRowQuantity.GetValueOrDefault(item.TierId), item.UnitPriceCents);
        }

        string reference;
        do
        {
            reference = BookingReference.New();
        }
        while (connection.ExecuteScalar<bool>(ReferenceTakenSql, new { reference }, transaction));

        connection.Execute(InsertBookingSql, new
        {
            bookingId = command.BookingId,
            reference,
            buyer,
            concertId = command.ConcertId,
            holdId = command.Checkout.HoldId,
            name = command.Contact.Name,
            email = command.Contact.Email,
            total = command.Checkout.AmountCents,
            now = context.NowMs,
        }, transaction);
        var position = 0;
        var version = command.Checkout.Items.Any(i => i.Seats is not null) ? Seating.SeatCommands.NextVersion(context, command.ConcertId) : 0;
        foreach (var item in command.Checkout.Items)
        {
            connection.Execute(InsertItemSql, new { bookingId = command.BookingId, tierId = item.TierId, quantity = item.Quantity, unitPrice = item.UnitPriceCents }, transaction);
            // One ticket per seat, issued with the booking in the same transaction; on a reserved tier each names its seat.
            for (var n = 0; n < item.Quantity; n++)
            {
                var ticketId = Guid.CreateVersion7(context.Now);
                var seat = item.Seats?[n];
                connection.Execute(InsertTicketSql, new
                {
                    id = ticketId,
                    bookingId = command.BookingId,
                    concertId = command.ConcertId,
                    tierId = item.TierId,
                    position = ++position,
                    code = Tickets.TicketCode.New(),
                    seat,
                }, transaction);
                if (seat is not null)
                {
                    Seating.SeatCommands.Sell(context, command.ConcertId, item.TierId, seat, ticketId, version);
                }
            }
        }

        Email.Outbox.EnqueueConfirmation(context, command.BookingId, command.Checkout.Items.Select(i => (i.TierName, i.Quantity, i.UnitPriceCents)), command.Checkout.AmountCents);
        connection.Execute(ApprovePaymentSql, new { chargeId = command.ChargeId, bookingId = command.BookingId, now = context.NowMs, paymentId = command.PaymentId }, transaction);
        connection.Execute(SetOutcomeSql, new { outcome = Outcome.Booked, bookingId = command.BookingId, buyer, key = command.IdempotencyKey }, transaction);
        context.AvailabilityChanged(command.ConcertId);
    }

    private const string MarkVoidingSql = """
        UPDATE payments SET status = 'voiding', gateway_charge_id = @chargeId, updated_at = @now WHERE id = @paymentId
        """;

    private static CompleteResult.Refused Refuse(WriteContext context, CompleteCommand command, string outcome, Guid? existingBookingId)
    {
        context.Connection.Execute(MarkVoidingSql, new { chargeId = command.ChargeId, now = context.NowMs, paymentId = command.PaymentId }, context.Transaction);
        context.Connection.Execute(SetOutcomeSql, new { outcome, bookingId = existingBookingId, buyer = command.Buyer.Value, key = command.IdempotencyKey }, context.Transaction);
        return new CompleteResult.Refused(outcome, existingBookingId);
    }

    private const string SetPaymentStatusSql = "UPDATE payments SET status = @status, updated_at = @now WHERE id = @paymentId";

    private const string UnpinSql = """
        UPDATE holds SET expires_at = @original
        WHERE buyer_id = @buyer AND concert_id = @concertId AND hold_id = @holdId AND expires_at = @pinned
        """;

    /// <summary>
    /// The card was not charged: record why, and remember the outcome for the key. The hold stays, with the expiry it
    /// had before the charge pinned it (a hold that ran out meanwhile is released now, and that is announced).
    /// </summary>
    public static void RecordFailedCharge(WriteContext context, FailedCharge failed)
    {
        var status = failed.Outcome == Outcome.GatewayError ? "voided" : failed.Outcome;
        context.Connection.Execute(SetPaymentStatusSql, new { status, now = context.NowMs, paymentId = failed.PaymentId }, context.Transaction);
        context.Connection.Execute(SetOutcomeSql, new { outcome = failed.Outcome, bookingId = (Guid?)null, buyer = failed.Buyer.Value, key = failed.Key }, context.Transaction);
        if (failed.Pin is { } pin)
        {
            var unpinned = context.Connection.Execute(UnpinSql, new
            {
                original = pin.OriginalExpiresAt,
                pinned = pin.PinnedExpiresAt,
                buyer = failed.Buyer.Value,
                concertId = failed.ConcertId,
                holdId = failed.HoldId,
            }, context.Transaction);
            // Announced even when the hold is still active: its seats now free up sooner than anyone read, and a seat map
            // shared until the first hold ends (SeatMaps) must be read again.
            if (unpinned > 0)
            {
                context.AvailabilityChanged(failed.ConcertId);
            }
        }
    }

    internal sealed record FailedCharge(BuyerId Buyer, Guid ConcertId, Guid HoldId, string Key, Guid PaymentId, string Outcome, HoldPin? Pin);

    private const string MarkVoidedSql = "UPDATE payments SET status = 'voided', updated_at = @now WHERE id = @paymentId AND status IN ('voiding', 'pending')";

    public static void MarkVoided(WriteContext context, Guid paymentId) =>
        context.Connection.Execute(MarkVoidedSql, new { now = context.NowMs, paymentId }, context.Transaction);

    private const string UnfinishedPaymentsSql = """
        SELECT id AS PaymentId, status AS Status, gateway_charge_id AS ChargeId
        FROM payments WHERE status IN ('pending', 'voiding') AND updated_at <= @before
        """;

    private const string OrphanedPaymentsSql = """
        SELECT id AS PaymentId, status AS Status, gateway_charge_id AS ChargeId
        FROM payments WHERE status IN ('pending', 'voiding') AND (updated_at <= @before OR (owner IS NOT NULL AND NOT (owner IN @live)))
        """;

    private const string ForgetUnfinishedKeysSql = "DELETE FROM idempotency_keys WHERE outcome IS NULL AND created_at <= @before";

    private const string ForgetKeysOfSql = "DELETE FROM idempotency_keys WHERE outcome IS NULL AND payment_id IN @ids";

    /// <summary>
    /// After a crash: payments that were being charged or voided, and the keys of requests that never answered, last
    /// touched at or before <paramref name="before"/> (Unix ms) or, with <paramref name="live"/> (the instances alive on a
    /// shared database), started by an instance no longer alive. The keys are forgotten so the client's retry runs afresh.
    /// </summary>
    public static IReadOnlyList<UnfinishedPayment> TakeUnfinished(WriteContext context, long before, IReadOnlyList<string>? live = null)
    {
        var connection = context.Connection;
        var payments = live is null
            ? connection.Query<UnfinishedPayment>(UnfinishedPaymentsSql, new { before }, context.Transaction)
            : connection.Query<UnfinishedPayment>(OrphanedPaymentsSql, new { before, live = live.ToArray() }, context.Transaction);
        connection.Execute(ForgetUnfinishedKeysSql, new { before }, context.Transaction);
        if (payments.Count > 0)
        {
            connection.Execute(ForgetKeysOfSql, new { ids = payments.Select(p => p.PaymentId.ToString()).ToArray() }, context.Transaction);
        }

        return payments;
    }

    private const string PurgeKeysSql = "DELETE FROM idempotency_keys WHERE created_at <= @cutoff AND outcome IS NOT NULL";

    public static int PurgeKeys(WriteContext context, TimeSpan retention) =>
        context.Connection.Execute(PurgeKeysSql, new { cutoff = context.NowMs - (long)retention.TotalMilliseconds }, context.Transaction);

    private const string PurgeFailedPaymentsSql = """
        DELETE FROM payments WHERE status IN ('declined', 'insufficient_funds', 'invalid_card') AND updated_at <= @cutoff
        """;

    /// <summary>Deletes failed payment attempts older than <paramref name="retention"/>; they are only kept to slow card testing.</summary>
    public static int PurgeFailedPayments(WriteContext context, TimeSpan retention) =>
        context.Connection.Execute(PurgeFailedPaymentsSql, new { cutoff = context.NowMs - (long)retention.TotalMilliseconds }, context.Transaction);

    private const string FindSql = "SELECT id FROM bookings WHERE reference = @reference AND lower(buyer_email) = lower(@email)";

    private const string GrantSql = """
        INSERT INTO booking_access (buyer_id, booking_id, granted_at) VALUES (@buyer, @bookingId, @now)
        ON CONFLICT (buyer_id, booking_id) DO NOTHING
        """;

    /// <summary>
    /// Lets <paramref name="buyer"/> see the booking with this reference when the e-mail matches, beside the buyer who
    /// booked it; null when nothing matches.
    /// </summary>
    public static Guid? Claim(WriteContext context, BuyerId buyer, string reference, string email)
    {
        var bookingId = context.Connection.QuerySingleOrDefault<Guid?>(FindSql, new { reference, email }, context.Transaction);
        if (bookingId is { } id)
        {
            context.Connection.Execute(GrantSql, new { buyer = buyer.Value, bookingId = id, now = context.NowMs }, context.Transaction);
        }

        return bookingId;
    }

    internal sealed record CompleteCommand(
        BuyerId Buyer,
        Guid ConcertId,
        Checkout Checkout,
        Guid PaymentId,
        string ChargeId,
        BuyerDetails Contact,
        string IdempotencyKey,
        Guid BookingId);

    internal sealed record UnfinishedPayment(Guid PaymentId, string Status, string? ChargeId);

    private sealed record KeyRow(string Fingerprint, string? Outcome, Guid? BookingId);

    private sealed record CheckoutRow(Guid HoldId, long TierId, string Tier, string TierName, long Quantity, long UnitPriceCents, long ExpiresAt, string Kind);

    private sealed record HoldRow(Guid HoldId, long TierId, long Quantity, long ExpiresAt);
}
