using Dapper;
using Microsoft.Extensions.Logging;
using TicketBooking.Core.Storage;
using TicketBooking.Core.Tickets;
using static TicketBooking.Core.Bookings.BookingCommands;

namespace TicketBooking.Core.Bookings;

/// <summary>The read model of bookings (a buyer's, one by id, one by reference for the door), and "find my booking".</summary>
public sealed partial class BookingService
{
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Booking {BookingId} was claimed by reference and e-mail into another browser")]
    private partial void LogClaimed(Guid bookingId);

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
