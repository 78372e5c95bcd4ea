using System.Globalization;
using System.Text;
using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Email;

/// <summary>A message waiting in the outbox (or sent). <see cref="Body"/> uses <c>{base}</c> for the app's address.</summary>
public sealed record OutboxMessage(Guid Id, string Kind, string RecipientName, string RecipientEmail, string Subject, string Body, int Attempts);

/// <summary>Tells the sender that messages were committed, so it need not wait for its next look.</summary>
public sealed class OutboxSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // already signalled
            }
        }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);

    public void Dispose() => _signal.Dispose();
}

/// <summary>Writing messages inside a write transaction, and what the sender reads and records.</summary>
public sealed class Outbox(GroupCommitWriter writer, ConnectionFactory connections)
{
    public const string BookingConfirmed = "booking-confirmed";
    public const string BookingCancelled = "booking-cancelled";
    public const string WaitlistJoined = "waitlist-joined";
    public const string WaitlistOffer = "waitlist-offer";

    private const string InsertSql = """
        INSERT INTO outbox (id, kind, recipient_name, recipient_email, subject, body, created_at, next_attempt_at)
        VALUES (@id, @kind, @name, @email, @subject, @body, @now, @now)
        """;

    internal static void Enqueue(WriteContext context, string kind, string name, string email, string subject, string body)
    {
        context.Connection.Execute(InsertSql, new { id = Guid.CreateVersion7(context.Now), kind, name, email, subject, body, now = context.NowMs }, context.Transaction);
        context.QueuedMail();
    }

    private const string BookingFactsSql = """
        SELECT b.reference AS Reference, b.buyer_name AS Name, b.buyer_email AS Email, c.artist AS Artist, c.name AS Concert,
               c.venue AS Venue, c.city AS City, c.time_zone AS TimeZone, c.starts_at AS StartsAt
        FROM bookings b JOIN concerts c ON c.id = b.concert_id WHERE b.id = @bookingId
        """;

    private sealed record BookingFacts(string Reference, string Name, string Email, string Artist, string Concert, string Venue, string City, string TimeZone, DateTimeOffset StartsAt)
    {
        public string When => Concerts.VenueTime.ToLocal(StartsAt, TimeZone).ToString("dddd d MMMM yyyy, h:mm tt", CultureInfo.InvariantCulture);
    }

    /// <summary>The confirmation: what was bought, when and where, and the link to the tickets.</summary>
    internal static void EnqueueConfirmation(WriteContext context, Guid bookingId, IEnumerable<(string TierName, long Quantity, long UnitPriceCents)> items, long totalCents)
    {
        var facts = context.Connection.QuerySingle<BookingFacts>(BookingFactsSql, new { bookingId }, context.Transaction);
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Hello {facts.Name},")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"you're going to {facts.Artist} · {facts.Concert}.")
            .AppendLine(CultureInfo.InvariantCulture, $"{facts.Venue}, {facts.City} — {facts.When} ({facts.City} time)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Booking reference: {facts.Reference}");
        foreach (var (tierName, quantity, unitPrice) in items)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"  {quantity} × {tierName} at {Usd(unitPrice)}");
        }

        body.AppendLine(CultureInfo.InvariantCulture, $"Total paid: {Usd(totalCents)}")
            .AppendLine()
            .AppendLine("Your tickets, one QR code per person, are here (show them at the door, on your phone or printed):")
            .AppendLine(CultureInfo.InvariantCulture, $"{{base}}/bookings/{bookingId}")
            .AppendLine()
            .AppendLine("Keep the codes to yourself: each one admits whoever shows it first.");
        Enqueue(context, BookingConfirmed, facts.Name, facts.Email, $"Your tickets for {facts.Artist} ({facts.Reference})", body.ToString());
    }

    /// <summary>The cancellation: how many tickets, the refund, and what is left.</summary>
    internal static void EnqueueCancellation(WriteContext context, Guid bookingId, int tickets, long refundCents, bool byOrganizer)
    {
        var facts = context.Connection.QuerySingle<BookingFacts>(BookingFactsSql, new { bookingId }, context.Transaction);
        var body = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"Hello {facts.Name},")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"{(byOrganizer ? "The organizer cancelled" : "You cancelled")} {tickets} {(tickets == 1 ? "ticket" : "tickets")} of booking {facts.Reference} for {facts.Artist} · {facts.Concert} ({facts.When}).")
            .AppendLine(CultureInfo.InvariantCulture, $"{Usd(refundCents)} is on its way back to your card; it can take a few days to show.")
            .AppendLine("The cancelled tickets no longer admit anyone.")
            .AppendLine()
            .AppendLine("Your booking:")
            .AppendLine(CultureInfo.InvariantCulture, $"{{base}}/bookings/{bookingId}");
        Enqueue(context, BookingCancelled, facts.Name, facts.Email, $"Tickets cancelled: {facts.Artist} ({facts.Reference})", body.ToString());
    }

    private const string EntryFactsSql = """
        SELECT w.email AS Email, w.quantity AS Quantity, t.name AS TierName, c.id AS ConcertId, c.artist AS Artist, c.name AS Concert,
               c.venue AS Venue, c.city AS City, c.time_zone AS TimeZone, c.starts_at AS StartsAt,
               (SELECT COUNT(*) FROM waitlist x WHERE x.tier_id = w.tier_id AND x.status = 'waiting' AND x.seq <= w.seq) AS Position
        FROM waitlist w JOIN tiers t ON t.id = w.tier_id JOIN concerts c ON c.id = w.concert_id
        WHERE w.id = @entryId
        """;

    private sealed record EntryFacts(string Email, long Quantity, string TierName, Guid ConcertId, string Artist, string Concert, string Venue, string City, string TimeZone, DateTimeOffset StartsAt, long Position)
    {
        public string When => Concerts.VenueTime.ToLocal(StartsAt, TimeZone).ToString("dddd d MMMM yyyy, h:mm tt", CultureInfo.InvariantCulture);

        public string Tickets => Quantity == 1 ? $"1 {TierName} ticket" : $"{Quantity} {TierName} tickets";
    }

    private static string LeaveLink(Guid entryId, string token) => $"{{base}}/waitlist/{entryId}/leave?token={token}";

    /// <summary>The confirmation of a place in line, with the link that leaves it from any browser.</summary>
    internal static void EnqueueWaitlistJoined(WriteContext context, Guid entryId, string leaveToken)
    {
        var facts = context.Connection.QuerySingle<EntryFacts>(EntryFactsSql, new { entryId }, context.Transaction);
        var body = new StringBuilder()
            .AppendLine("Hello,")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"you're on the waiting list for {facts.Tickets} to {facts.Artist} · {facts.Concert}.")
            .AppendLine(CultureInfo.InvariantCulture, $"{facts.Venue}, {facts.City} — {facts.When} ({facts.City} time)")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"You joined as number {facts.Position} in line. When tickets come back they go to the people waiting, in order,")
            .AppendLine("before anyone else can buy them. We will hold yours and write to you; then you pay within the time the e-mail gives.")
            .AppendLine()
            .AppendLine("See your place in line:")
            .AppendLine(CultureInfo.InvariantCulture, $"{{base}}/concerts/{facts.ConcertId}")
            .AppendLine()
            .AppendLine("No longer need them? Leave the waiting list:")
            .AppendLine(LeaveLink(entryId, leaveToken));
        Enqueue(context, WaitlistJoined, facts.Email, facts.Email, $"You're on the waiting list: {facts.Artist}", body.ToString());
    }

    /// <summary>The offer: which tickets are held, until when, and where to pay.</summary>
    internal static void EnqueueWaitlistOffer(WriteContext context, Waitlist.WaitlistOffer offer, string email, string leaveToken)
    {
        var facts = context.Connection.QuerySingle<EntryFacts>(EntryFactsSql, new { entryId = offer.EntryId }, context.Transaction);
        var until = Concerts.VenueTime.ToLocal(offer.ExpiresAt, facts.TimeZone).ToString("h:mm tt 'on' dddd d MMMM", CultureInfo.InvariantCulture);
        var body = new StringBuilder()
            .AppendLine("Hello,")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"good news: {facts.Tickets} to {facts.Artist} · {facts.Concert} came back, and they are held for you.");
        if (offer.Seats is { Count: > 0 } seats)
        {
            body.AppendLine(CultureInfo.InvariantCulture, $"Your seats: {Seating.SeatNames.DescribeAll(seats)}.");
        }

        body.AppendLine(CultureInfo.InvariantCulture, $"Pay by {until} ({facts.City} time); after that they go to the next person in line.")
            .AppendLine()
            .AppendLine("Pay here, in the browser you joined the waiting list from:")
            .AppendLine(CultureInfo.InvariantCulture, $"{{base}}/checkout/{offer.ConcertId}")
            .AppendLine()
            .AppendLine("Don't want them? Let them go to the next person:")
            .AppendLine(LeaveLink(offer.EntryId, leaveToken));
        Enqueue(context, WaitlistOffer, email, email, $"Tickets held for you: {facts.Artist} — pay by {until}", body.ToString());
    }

    private static string Usd(long cents) => (cents / 100m).ToString("C2", CultureInfo.GetCultureInfo("en-US"));

    private const string DueSql = """
        SELECT id AS Id, kind AS Kind, recipient_name AS RecipientName, recipient_email AS RecipientEmail, subject AS Subject, body AS Body, attempts AS Attempts
        FROM outbox WHERE sent_at IS NULL AND next_attempt_at <= @now ORDER BY next_attempt_at LIMIT @limit
        """;

    /// <summary>Messages due now, oldest first.</summary>
    public async Task<IReadOnlyList<OutboxMessage>> DueAsync(DateTimeOffset now, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Id, string Kind, string RecipientName, string RecipientEmail, string Subject, string Body, long Attempts)>(
            new CommandDefinition(DueSql, new { now = now.ToUnixTimeMilliseconds(), limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new OutboxMessage(Guid.Parse(r.Id), r.Kind, r.RecipientName, r.RecipientEmail, r.Subject, r.Body, (int)r.Attempts))];
    }

    public Task MarkSentAsync(Guid id) => writer.ExecuteAsync(context =>
        context.Connection.Execute("UPDATE outbox SET sent_at = @now, attempts = attempts + 1, last_error = NULL WHERE id = @id AND sent_at IS NULL",
            new { id, now = context.NowMs }, context.Transaction));

    public Task MarkFailedAsync(Guid id, string error, DateTimeOffset nextAttemptAt) => writer.ExecuteAsync(context =>
        context.Connection.Execute("UPDATE outbox SET attempts = attempts + 1, last_error = @error, next_attempt_at = @next WHERE id = @id AND sent_at IS NULL",
            new { id, error = error.Length > 500 ? error[..500] : error, next = nextAttemptAt.ToUnixTimeMilliseconds() }, context.Transaction));
}
