using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Inventory;

/// <summary>
/// A tier's stock, and the one place that counts it. Of a tier's <c>capacity</c>, <c>tiers.sold</c> tickets are sold and
/// <c>tiers.in_holds</c> sit in rows of the <c>holds</c> table: buyers' checkouts, waiting-list offers (a checkout made for
/// a buyer in line), the tickets set aside for the line (a row of <see cref="Waitlist.WaitlistCommands.SetAsideHolder"/>),
/// and checkouts that expired but whose rows were not reclaimed yet. <c>sold + in_holds &lt;= capacity</c> is a CHECK in
/// the schema, so no transaction can commit an oversale whatever a command computed.
/// </summary>
/// <remarks>
/// <para><b>Writers</b> (inside the writer's transaction) judge with the counters as they are: what is free is
/// <see cref="TierStock.FreeFor"/>; a command that finds too little calls <see cref="ReclaimExpired"/> (via
/// <see cref="Holds.HoldCommands.Reclaim"/>, which gives what it frees to the waiting list first) and looks again before
/// telling anyone that tickets are gone. Every change to <c>in_holds</c> goes through <see cref="AdjustInHolds"/> or
/// <see cref="Sell"/>, next to the row it adds or deletes.</para>
/// <para><b>Readers</b> (any connection, at <c>@now</c>) need no reclaiming: an expired hold stops counting at its
/// <c>expires_at</c>. The SQL below makes the counters exact: <see cref="HeldSql"/> is what buyers hold now,
/// <see cref="SetAsideSql"/> what is set aside for the line, <see cref="ForSaleSql"/> what the public can buy. While people
/// wait for a tier, an expired hold's tickets are theirs, not the public's: they stay counted as held until the writer
/// hands them out, so they never show as available in between.</para>
/// </remarks>
internal static class Stock
{
    /// <summary>Tickets of tier <c>t</c> set aside for its waiting line.</summary>
    public const string SetAsideSql = $"""
        COALESCE((SELECT sa.quantity FROM holds sa WHERE sa.buyer_id = '{Waitlist.WaitlistCommands.SetAsideHolderText}' AND sa.concert_id = t.concert_id AND sa.tier_id = t.id), 0)
        """;

    /// <summary>Tickets of tier <c>t</c> in hold rows that expired by <c>@now</c> and are the public's again: nobody waits for the tier.</summary>
    private const string ExpiredForPublicSql = $"""
        CASE WHEN {Waitlist.WaitlistQueries.AnyoneWaitingForTierSql} THEN 0
             ELSE COALESCE((SELECT CAST(SUM(h.quantity) AS BIGINT) FROM holds h WHERE h.concert_id = t.concert_id AND h.expires_at <= @now AND h.tier_id = t.id), 0) END
        """;

    /// <summary>Tickets of tier <c>t</c> buyers hold at <c>@now</c> (checkouts and offers), set-aside tickets not included.</summary>
    public const string HeldSql = $"(t.in_holds - {SetAsideSql} - {ExpiredForPublicSql})";

    /// <summary>Tickets of tier <c>t</c> the public can buy at <c>@now</c>.</summary>
    public const string ForSaleSql = $"(t.capacity - t.sold - t.in_holds + {ExpiredForPublicSql})";

    /// <summary>A tier's columns for a reader: Capacity, Sold, Held and SetAside (Available follows from them).</summary>
    public const string TierColumnsSql = $"t.capacity AS Capacity, t.sold AS Sold, {HeldSql} AS Held, {SetAsideSql} AS SetAside";

    /// <summary>What the public can buy of the whole concert <c>@concertId</c> at <c>@now</c>.</summary>
    public const string ConcertForSaleSql = $"(SELECT COALESCE(CAST(SUM({ForSaleSql}) AS BIGINT), 0) FROM tiers t WHERE t.concert_id = @concertId)";

    /// <summary>What the public can buy, from a reader's exact counts (<see cref="TierColumnsSql"/>).</summary>
    public static int Available(int capacity, int sold, int held, int setAside) => capacity - sold - held - setAside;

    private const string ConcertTiersSql = """
        SELECT c.starts_at AS StartsAt, t.id AS Id, t.code AS Code, t.name AS Name, t.price_cents AS PriceCents,
               t.capacity AS Capacity, t.sold AS Sold, t.in_holds AS InHolds, t.kind AS Kind, c.on_sale_at AS OnSaleAt
        FROM concerts c JOIN tiers t ON t.concert_id = c.id
        WHERE c.id = @concertId
        ORDER BY t.sort_order
        """;

    /// <summary>The concert's tiers and their counters, in tier order, inside the writer's transaction; empty when there is no such concert.</summary>
    public static List<TierStock> Tiers(WriteContext context, Guid concertId) =>
        context.Connection.Query<TierStock>(ConcertTiersSql, new { concertId }, context.Transaction);

    private const string TimeZoneSql = "SELECT time_zone FROM concerts WHERE id = @concertId";

    /// <summary>The concert's time zone, for the rare refusal that names a time on the venue's clock (kept off every hold's read).</summary>
    public static string TimeZone(WriteContext context, Guid concertId) =>
        context.Connection.QuerySingle<string>(TimeZoneSql, new { concertId }, context.Transaction);

    private const string AdjustInHoldsSql = "UPDATE tiers SET in_holds = in_holds + @delta WHERE id = @tierId";

    /// <summary>Hold rows of the tier gained (positive) or lost (negative) <paramref name="delta"/> tickets in this transaction.</summary>
    public static void AdjustInHolds(WriteContext context, long tierId, long delta)
    {
        if (delta != 0)
        {
            context.Connection.Execute(AdjustInHoldsSql, new { delta, tierId }, context.Transaction);
        }
    }

    private const string SellSql = """
        UPDATE tiers SET sold = sold + @quantity, in_holds = in_holds - @fromHolds, revenue_cents = revenue_cents + @quantity * @unitPrice
        WHERE id = @tierId
        """;

    /// <summary>
    /// <paramref name="quantity"/> tickets of the tier are sold at <paramref name="unitPriceCents"/>; <paramref name="fromHolds"/> of
    /// them were in the buyer's hold row, deleted in the same transaction.
    /// </summary>
    public static void Sell(WriteContext context, long tierId, long quantity, long fromHolds, long unitPriceCents) =>
        context.Connection.Execute(SellSql, new { quantity, fromHolds, unitPrice = unitPriceCents, tierId }, context.Transaction);

    private const string DeleteExpiredSql = """
        DELETE FROM holds WHERE concert_id = @concertId AND expires_at <= @now
        RETURNING tier_id AS TierId, quantity AS Quantity, expires_at AS ExpiresAt
        """;

    /// <summary>
    /// Deletes the concert's expired hold rows and takes them out of the counters (their seats are freed by the trigger
    /// <c>holds_free_seats</c>). Returns the rows. Whoever calls this hands the freed tickets to the waiting list before
    /// anyone else can have them (<see cref="Holds.HoldCommands.Reclaim"/>).
    /// </summary>
    public static List<ReleasedRow> ReclaimExpired(WriteContext context, Guid concertId)
    {
        var rows = context.Connection.Query<ReleasedRow>(DeleteExpiredSql, new { concertId, now = context.NowMs }, context.Transaction);
        GiveBack(context, rows);
        return rows;
    }

    /// <summary>Hold rows just deleted: their tickets leave the tiers' <c>in_holds</c>.</summary>
    public static void GiveBack(WriteContext context, IEnumerable<ReleasedRow> rows)
    {
        foreach (var tier in rows.GroupBy(r => r.TierId))
        {
            AdjustInHolds(context, tier.Key, -tier.Sum(r => r.Quantity));
        }
    }
}

/// <summary>A tier and its counters as the writer reads them (<see cref="Stock.Tiers"/>), with its concert's times.</summary>
internal sealed record TierStock(long StartsAt, long Id, string Code, string Name, long PriceCents, long Capacity, long Sold, long InHolds, string Kind, long? OnSaleAt)
{
    public bool Reserved => Kind == "reserved";

    /// <summary>
    /// Tickets the writer may hand to a buyer whose own hold rows of this tier hold <paramref name="own"/> tickets (being
    /// replaced, so theirs to reuse). Expired rows still count until reclaimed: too few means reclaim and look again.
    /// </summary>
    public long FreeFor(long own = 0) => Capacity - Sold - InHolds + own;
}

/// <summary>A deleted hold row: its tier, how many tickets it had, and when it expired (or would have).</summary>
internal sealed record ReleasedRow(long TierId, long Quantity, long ExpiresAt);
