using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Tests.Support;

/// <summary>
/// The reserved-seating rule read straight from the database (docs/architecture.md, "Reserved seating"): each reserved tier's held and sold equal its
/// seat rows, every live seated ticket owns its seat, no seat is both held and sold, and held + sold never pass capacity.
/// </summary>
public static class SeatInvariant
{
    private const string TiersSql = """
        SELECT t.code AS Code, t.capacity AS Capacity, t.in_holds AS Held, t.sold AS Sold,
               (SELECT COALESCE(CAST(SUM(h.quantity) AS BIGINT), 0) FROM holds h WHERE h.tier_id = t.id) AS HoldRows,
               (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.held_by IS NOT NULL) AS HeldSeats,
               (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.ticket_id IS NOT NULL) AS SoldSeats,
               (SELECT COUNT(*) FROM tickets k WHERE k.tier_id = t.id AND k.status <> 'cancelled') AS LiveTickets,
               (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.not_for_sale = 0) AS ForSale
        FROM tiers t WHERE t.concert_id = @concertId AND t.kind = 'reserved'
        """;

    // A live seated ticket whose seat row does not point back at it, or a seat sold to a ticket that is not live.
    private const string MismatchSql = """
        SELECT COUNT(*) FROM tickets k
        WHERE k.concert_id = @concertId AND k.seat_label IS NOT NULL AND k.status <> 'cancelled'
          AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.concert_id = k.concert_id AND s.label = k.seat_label AND s.ticket_id = k.id)
        UNION ALL
        SELECT COUNT(*) FROM seats s
        WHERE s.concert_id = @concertId AND s.ticket_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM tickets k WHERE k.id = s.ticket_id AND k.status <> 'cancelled' AND k.seat_label = s.label)
        UNION ALL
        SELECT COUNT(*) FROM seats s
        WHERE s.concert_id = @concertId AND s.held_by IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.buyer_id = s.held_by AND h.concert_id = s.concert_id AND h.tier_id = s.tier_id)
        """;

    public static async Task AssertAsync(ConnectionFactory connections, Guid concertId)
    {
        await using var connection = await connections.OpenAsync();
        var tiers = (await connection.QueryAsync<TierCounts>(TiersSql, new { concertId })).AsList();
        tiers.Should().NotBeEmpty();
        foreach (var tier in tiers)
        {
            tier.Should().Match<TierCounts>(t => t.Held == t.HoldRows && t.Held == t.HeldSeats && t.Sold == t.SoldSeats && t.Sold == t.LiveTickets
                && t.Capacity == t.ForSale && t.Held + t.Sold <= t.Capacity, $"tier {tier.Code}'s counters equal its seat rows ({tier})");
        }

        (await connection.QueryAsync<long>(MismatchSql, new { concertId })).Should().Equal([0L, 0L, 0L], "every seat and seated ticket point at each other, and every held seat has its hold row");
    }

    private sealed record TierCounts(string Code, long Capacity, long Held, long Sold, long HoldRows, long HeldSeats, long SoldSeats, long LiveTickets, long ForSale);
}
