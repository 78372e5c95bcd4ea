using System.Data.Common;
using System.Data;
using Dapper;

namespace TicketBooking.Core.Waitlist;

/// <summary>Reading entries with their live place in line, and the line's counts for availability.</summary>
internal static class WaitlistQueries
{
    /// <summary>Whether anyone waits for tier <c>t</c>.</summary>
    public const string AnyoneWaitingForTierSql = "EXISTS (SELECT 1 FROM waitlist wl WHERE wl.concert_id = t.concert_id AND wl.tier_id = t.id AND wl.status = 'waiting')";

    /// <summary>People waiting for tier <c>t</c>, and the tickets they want.</summary>
    public const string LineCountsSql = """
        (SELECT COUNT(*) FROM waitlist wl WHERE wl.concert_id = t.concert_id AND wl.tier_id = t.id AND wl.status = 'waiting') AS Waiting,
        (SELECT COALESCE(CAST(SUM(wl.quantity) AS BIGINT), 0) FROM waitlist wl WHERE wl.concert_id = t.concert_id AND wl.tier_id = t.id AND wl.status = 'waiting') AS WaitingTickets
        """;

    private const string EntriesSql = """
        SELECT w.id AS Id, w.concert_id AS ConcertId, t.code AS Tier, t.name AS TierName, w.quantity AS Quantity, w.email AS Email,
               w.status AS Status, w.created_at AS JoinedAt, w.offer_expires_at AS OfferExpiresAt,
               CASE WHEN w.status = 'waiting' THEN
                   (SELECT COUNT(*) FROM waitlist x WHERE x.tier_id = w.tier_id AND x.status = 'waiting' AND x.seq < w.seq) END AS Ahead,
               CASE WHEN w.status = 'waiting' THEN
                   (SELECT COALESCE(CAST(SUM(x.quantity) AS BIGINT), 0) FROM waitlist x WHERE x.tier_id = w.tier_id AND x.status = 'waiting' AND x.seq < w.seq) END AS SeatsAhead
        FROM waitlist w JOIN tiers t ON t.id = w.tier_id
        """;

    private const string ByBuyerSql = $"""
        {EntriesSql}
        WHERE w.buyer_id = @buyer AND (@concertId IS NULL OR w.concert_id = @concertId)
        ORDER BY w.created_at DESC
        """;

    private const string ByIdSql = $"""
        {EntriesSql}
        WHERE w.id = @entryId AND (@buyer IS NULL OR w.buyer_id = @buyer) AND (@token IS NULL OR w.leave_token = @token)
        """;

    public static List<WaitlistEntry> ForBuyer(DbConnection connection, BuyerId buyer, Guid? concertId) =>
        [.. connection.Query<EntryRow>(ByBuyerSql, new { buyer = buyer.Value, concertId }).Select(r => r.ToEntry())];

    /// <summary>An entry by id, when <paramref name="buyer"/> owns it or <paramref name="token"/> is its leave token (either may be null, not both).</summary>
    public static WaitlistEntry? Entry(DbConnection connection, IDbTransaction? transaction, Guid entryId, BuyerId? buyer = null, string? token = null) =>
        connection.QuerySingleOrDefault<EntryRow>(ByIdSql, new { entryId, buyer = buyer?.Value, token }, transaction)?.ToEntry();

    private const string SummarySql = $"""
        SELECT t.code AS Tier, {LineCountsSql}, {Inventory.Stock.SetAsideSql} AS SetAside,
               (SELECT COUNT(*) FROM waitlist w WHERE w.tier_id = t.id AND w.status = 'offered') AS OffersOut,
               (SELECT COALESCE(CAST(SUM(w.quantity) AS BIGINT), 0) FROM waitlist w WHERE w.tier_id = t.id AND w.status = 'offered') AS OfferedTickets,
               (SELECT COUNT(*) FROM waitlist w WHERE w.tier_id = t.id AND w.status = 'converted') AS Converted,
               (SELECT COALESCE(CAST(SUM(w.quantity) AS BIGINT), 0) FROM waitlist w WHERE w.tier_id = t.id AND w.status = 'converted') AS ConvertedTickets,
               (SELECT COUNT(*) FROM waitlist w WHERE w.tier_id = t.id AND w.status = 'expired') AS Expired
        FROM tiers t WHERE t.concert_id = @concertId ORDER BY t.sort_order
        """;

    /// <summary>Each tier's line for the organizer, in tier order.</summary>
    public static List<TierWaitlist> Summary(DbConnection connection, Guid concertId) =>
        [.. connection.Query<SummaryRow>(SummarySql, new { concertId }).Select(r => new TierWaitlist(
            r.Tier, (int)r.Waiting, (int)r.WaitingTickets, (int)r.SetAside, (int)r.OffersOut, (int)r.OfferedTickets, (int)r.Converted, (int)r.ConvertedTickets, (int)r.Expired))];

    /// <summary>Settable properties: SQLite types computed columns by value, which a positional record cannot always match.</summary>
    private sealed class EntryRow
    {
        public Guid Id { get; init; }

        public Guid ConcertId { get; init; }

        public string Tier { get; init; } = "";

        public string TierName { get; init; } = "";

        public long Quantity { get; init; }

        public string Email { get; init; } = "";

        public string Status { get; init; } = "";

        public DateTimeOffset JoinedAt { get; init; }

        public DateTimeOffset? OfferExpiresAt { get; init; }

        public long? Ahead { get; init; }

        public long? SeatsAhead { get; init; }

        public WaitlistEntry ToEntry() => new(Id, ConcertId, Tier, TierName, (int)Quantity, Email, Enum.Parse<WaitlistStatus>(Status, ignoreCase: true),
            Ahead is { } ahead ? (int)ahead + 1 : null, SeatsAhead is { } seats ? (int)seats : null, JoinedAt, OfferExpiresAt);
    }

    private sealed class SummaryRow
    {
        public string Tier { get; init; } = "";

        public long Waiting { get; init; }

        public long WaitingTickets { get; init; }

        public long SetAside { get; init; }

        public long OffersOut { get; init; }

        public long OfferedTickets { get; init; }

        public long Converted { get; init; }

        public long ConvertedTickets { get; init; }

        public long Expired { get; init; }
    }
}
