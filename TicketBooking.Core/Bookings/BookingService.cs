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
        if (Validate(request, idempotencyKey) is { } errors)
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
        var command = new CompleteCommand(buyer, request.ConcertId, checkout, paymentId, chargeId, Normalize(request.Buyer), key, Guid.CreateVersion7(time.GetUtcNow()));
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

    /// <summary>What a search that matches nothing is told: the same whether the reference or the e-mail was wrong.</summary>
    public const string ClaimNotFoundMessage = "No booking has this reference and e-mail address. Check both and try again.";

    /// <summary>
    /// "Find my booking": <paramref name="buyer"/> may see the booking with this reference from now on when
    /// <paramref name="email"/> is the one it was booked with (case does not matter); the buyer who booked it keeps it.
    /// Null when either does not match; the caller cannot tell which.
    /// </summary>
    public async Task<Booking?> ClaimAsync(BuyerId buyer, string reference, string email)
    {
        if (NormalizeReference(reference) is not { } normalized || string.IsNullOrWhiteSpace(email) || email.Length > 254)
        {
            return null;
        }

        var trimmed = email.Trim();
        var claimed = await writer.ExecuteAsync(c => Claim(c, buyer, normalized, trimmed)).ConfigureAwait(false);
        if (claimed is not { } bookingId)
        {
            return null;
        }

        LogClaimed(bookingId);
        return await GetAsync(buyer, bookingId).ConfigureAwait(false);
    }

    /// <summary>"abcd 2345", "ABCD2345" and "abcd-2345" all read as ABCD-2345; anything that cannot be a reference is null.</summary>
    public static string? NormalizeReference(string? reference)
    {
        var code = new string([.. (reference ?? "").Where(char.IsAsciiLetterOrDigit).Select(char.ToUpperInvariant)]);
        return code.Length == 8 && code.All(c => BookingReference.Alphabet.Contains(c, StringComparison.Ordinal)) ? $"{code[..4]}-{code[4..]}" : null;
    }

    // One filter per kind of read, each able to use an index: an OR of "any buyer" and "this buyer" in one statement
    // made SQLite scan every booking, ticket and item for every page of "My bookings" (and the API's list): the confirm
    // benchmark fell to a few hundred bookings a second as bookings piled up (docs/performance.md).
    private const string OfBuyer = "b.id IN (SELECT id FROM bookings WHERE buyer_id = @buyer UNION SELECT booking_id FROM booking_access WHERE buyer_id = @buyer)";
    private const string OneOfBuyer = "b.id = @bookingId AND (b.buyer_id = @buyer OR EXISTS (SELECT 1 FROM booking_access a WHERE a.booking_id = b.id AND a.buyer_id = @buyer))";
    private const string One = "b.id = @bookingId";

    private static readonly Dictionary<(bool Buyer, bool One), (string Bookings, string Items, string Tickets)> Reads = new()
    {
        [(true, false)] = Filtered(OfBuyer),
        [(true, true)] = Filtered(OneOfBuyer),
        [(false, true)] = Filtered(One),
    };

    /// <summary>The three statements that read bookings: of a buyer (all, or one of theirs), or one by id.</summary>
    internal static (string Bookings, string Items, string Tickets) ReadSql(bool ofBuyer, bool one) => Reads[(ofBuyer, one)];

    private static (string Bookings, string Items, string Tickets) Filtered(string filter) =>
        (BookingsSql.Replace("{filter}", filter, StringComparison.Ordinal), ItemsSql.Replace("{filter}", filter, StringComparison.Ordinal),
            TicketsSql.Replace("{filter}", filter, StringComparison.Ordinal));

    private const string BookingsSql = """
        SELECT b.id AS Id, b.reference AS Reference, b.total_cents AS TotalCents, b.refunded_cents AS RefundedCents,
               CASE WHEN NOT EXISTS (SELECT 1 FROM tickets k WHERE k.booking_id = b.id AND k.status <> 'cancelled') THEN 'cancelled'
                    WHEN EXISTS (SELECT 1 FROM tickets k WHERE k.booking_id = b.id AND k.status = 'cancelled') THEN 'partiallyCancelled'
                    ELSE b.status END AS Status,
               b.created_at AS CreatedAt, b.buyer_name AS BuyerName, b.buyer_email AS BuyerEmail,
               c.id AS ConcertId, c.name AS Name, c.artist AS Artist, c.venue AS Venue, c.city AS City,
               c.time_zone AS TimeZone, c.starts_at AS StartsAt
        FROM bookings b JOIN concerts c ON c.id = b.concert_id
        WHERE {filter}
        ORDER BY b.created_at DESC
        LIMIT 200
        """;

    private const string ItemsSql = """
        SELECT i.booking_id AS BookingId, t.code AS Tier, t.name AS TierName, i.quantity AS Quantity,
               i.unit_price_cents AS UnitPriceCents
        FROM booking_items i
        JOIN bookings b ON b.id = i.booking_id
        JOIN tiers t ON t.id = i.tier_id
        WHERE {filter}
        ORDER BY t.sort_order
        """;

    private const string TicketsSql = """
        SELECT k.booking_id AS BookingId, k.id AS Id, k.position AS Position, t.code AS Tier, t.name AS TierName, k.code AS Code,
               k.status AS Status, k.checked_in_at AS CheckedInAt, k.door AS Door, k.seat_label AS Seat
        FROM tickets k
        JOIN bookings b ON b.id = k.booking_id
        JOIN tiers t ON t.id = k.tier_id
        WHERE {filter}
        ORDER BY k.booking_id, k.position
        """;

    /// <summary>The buyer's bookings, newest first. Another buyer's are never included.</summary>
    public Task<IReadOnlyList<Booking>> ListAsync(BuyerId buyer, CancellationToken cancellationToken = default) =>
        ReadAsync(buyer, null, cancellationToken);

    /// <summary>One of the buyer's bookings, or <c>null</c> if there is none with that id for this buyer.</summary>
    public async Task<Booking?> GetAsync(BuyerId buyer, Guid bookingId, CancellationToken cancellationToken = default) =>
        (await ReadAsync(buyer, bookingId, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>For organizers: the booking of <paramref name="concertId"/> with this reference (as typed), or <c>null</c>.</summary>
    public async Task<Booking?> FindForConcertAsync(Guid concertId, string? reference, CancellationToken cancellationToken = default)
    {
        if (NormalizeReference(reference) is not { } normalized)
        {
            return null;
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var id = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT id FROM bookings WHERE reference = @normalized AND concert_id = @concertId", new { normalized, concertId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return id is null ? null : await GetAnyAsync(Guid.Parse(id), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Any buyer's booking, for organizers: <c>null</c> if there is none with that id.</summary>
    public async Task<Booking?> GetAnyAsync(Guid bookingId, CancellationToken cancellationToken = default) =>
        (await ReadAsync(null, bookingId, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    // A null buyer reads every buyer's bookings: only GetAnyAsync (organizers) asks for that, and only by id.
    private async Task<IReadOnlyList<Booking>> ReadAsync(BuyerId? buyer, Guid? bookingId, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginSnapshot();
        var parameters = new { buyer = buyer?.Value, bookingId };
        var sql = Reads[(buyer is not null, bookingId is not null)];
        var bookings = await connection.QueryAsync<BookingRow>(new CommandDefinition(sql.Bookings, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var items = (await connection.QueryAsync<ItemRow>(new CommandDefinition(sql.Items, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToLookup(i => i.BookingId);
        var tickets = (await connection.QueryAsync<TicketRow>(new CommandDefinition(sql.Tickets, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToLookup(t => t.BookingId);
        return [.. bookings.Select(b => new Booking(
            b.Id,
            b.Reference,
            new BookedConcert(b.ConcertId, b.Name, b.Artist, b.Venue, b.City, b.TimeZone, b.StartsAt),
            [.. items[b.Id].Select(i => new BookingItem(i.Tier, i.TierName, (int)i.Quantity, i.UnitPriceCents))],
            b.TotalCents,
            b.Status,
            b.RefundedCents,
            b.CreatedAt,
            b.BuyerName,
            b.BuyerEmail,
            [.. tickets[b.Id].Select(t => t.ToTicket())]))];
    }

    private Dictionary<string, string[]>? Validate(ConfirmRequest request, string? key)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ConcertId == Guid.Empty)
        {
            errors["concertId"] = ["Choose a concert."];
        }

        if (request.HoldId == Guid.Empty)
        {
            errors["holdId"] = ["The holdId must be the id of your hold, as GET /api/holds/{concertId} gives it."];
        }

        if (request.ExpectedTotalCents < 0)
        {
            errors["expectedTotalCents"] = ["The expected total cannot be negative."];
        }

        if (string.IsNullOrEmpty(key))
        {
            errors["idempotencyKey"] = ["An Idempotency-Key is required so that a repeated request cannot pay twice."];
        }
        else if (key.Length > MaxIdempotencyKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            errors["idempotencyKey"] = [$"The Idempotency-Key must be 1 to {MaxIdempotencyKeyLength} visible ASCII characters."];
        }

        var name = request.Buyer?.Name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["buyer.name"] = ["Enter the name the tickets are for."];
        }
        else if (name.Length > 100 || name.Any(char.IsControl))
        {
            errors["buyer.name"] = ["The name must be at most 100 characters, without control characters."];
        }

        var email = request.Buyer?.Email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors["buyer.email"] = ["Enter an e-mail address for the confirmation."];
        }
        else if (!IsEmail(email))
        {
            errors["buyer.email"] = ["Enter a valid e-mail address, like name@example.com."];
        }

        var card = request.Card;
        var number = card?.Number ?? "";
        if (card is null || number.Any(c => !char.IsAsciiDigit(c) && c is not (' ' or '-')) || card.Digits.Length is < 12 or > 19)
        {
            errors["card.number"] = ["Enter the card number: 12 to 19 digits."];
        }
        else if (!Luhn.IsValid(card.Digits))
        {
            // A typo, caught before any payment is recorded or the processor is asked: it costs the buyer no attempt.
            errors["card.number"] = ["This card number is not valid. Check it for a typo."];
        }

        if (!TryParseExpiry(card?.Expiry, out var year, out var month))
        {
            errors["card.expiry"] = ["Enter the expiry date as MM/YY."];
        }
        else
        {
            var now = time.GetUtcNow();
            if (year < now.Year || (year == now.Year && month < now.Month))
            {
                errors["card.expiry"] = ["The card has expired."];
            }
        }

        if (card?.Cvc is not { Length: 3 or 4 } cvc || !cvc.All(char.IsAsciiDigit))
        {
            errors["card.cvc"] = ["Enter the 3 or 4 digit security code."];
        }

        return errors.Count > 0 ? errors : null;
    }

    internal static bool IsEmail(string email) =>
        email.Length <= 254
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email
        && address.Host.Contains('.', StringComparison.Ordinal)
        && !address.Host.EndsWith('.');

    /// <summary>Accepts MM/YY and MM/YYYY, with or without spaces around the slash.</summary>
    public static bool TryParseExpiry(string? expiry, out int year, out int month)
    {
        year = month = 0;
        var parts = (expiry ?? "").Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2
            || parts[0].Length is < 1 or > 2 || !parts[0].All(char.IsAsciiDigit)
            || parts[1].Length is not (2 or 4) || !parts[1].All(char.IsAsciiDigit))
        {
            return false;
        }

        month = int.Parse(parts[0], CultureInfo.InvariantCulture);
        year = int.Parse(parts[1], CultureInfo.InvariantCulture);
        if (parts[1].Length == 2)
        {
            year += 2000;
        }

        return month is >= 1 and <= 12;
    }

    private static BuyerDetails Normalize(BuyerDetails buyer) => new(buyer.Name.Trim(), buyer.Email.Trim());

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Booking {BookingId} was claimed by reference and e-mail into another browser")]
    private partial void LogClaimed(Guid bookingId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recovered {Count} payments interrupted by a shutdown; they were voided")]
    private partial void LogRecovered(int count);

    private sealed class InFlight(string fingerprint)
    {
        public string Fingerprint { get; } = fingerprint;

        public TaskCompletionSource<ConfirmResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    // Mapped by property, not by constructor: SQLite types a computed column (Status) as a blob when there are no rows,
    // which no constructor matches.
    private sealed class BookingRow
    {
        public Guid Id { get; init; }

        public string Reference { get; init; } = "";

        public long TotalCents { get; init; }

        public long RefundedCents { get; init; }

        public string Status { get; init; } = "";

        public DateTimeOffset CreatedAt { get; init; }

        public string BuyerName { get; init; } = "";

        public string BuyerEmail { get; init; } = "";

        public Guid ConcertId { get; init; }

        public string Name { get; init; } = "";

        public string Artist { get; init; } = "";

        public string Venue { get; init; } = "";

        public string City { get; init; } = "";

        public string TimeZone { get; init; } = "";

        public DateTimeOffset StartsAt { get; init; }
    }

    private sealed record TicketRow(
        Guid BookingId, Guid Id, long Position, string Tier, string TierName, string Code, string Status, DateTimeOffset? CheckedInAt, string? Door, string? Seat)
    {
        public Ticket ToTicket() => new(Id, (int)Position, Tier, TierName, Code, Enum.Parse<TicketStatus>(Status, ignoreCase: true), CheckedInAt, Door, Seat);
    }

    private sealed record ItemRow(Guid BookingId, string Tier, string TierName, long Quantity, long UnitPriceCents);
}
