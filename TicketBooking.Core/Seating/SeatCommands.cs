using System.Data.Common;
using System.Data;
using Dapper;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Seating;

/// <summary>
/// Seats as the writer takes and gives them, inside its <c>BEGIN IMMEDIATE</c> transaction. A seat is taken by one
/// conditional UPDATE (free, or already this buyer's) whose row count must equal what was asked; the schema's trigger
/// refuses any write that would give a held or sold seat to someone else, and freeing is done by the database when a
/// hold row goes or a ticket is cancelled (migration 0007).
/// </summary>
internal static class SeatCommands
{
    private const string TierSeatsSql = """
        SELECT label AS Label, section AS Section, row AS Row, number AS Number, x AS X, y AS Y, accessible AS Accessible,
               not_for_sale = 0 AND ticket_id IS NULL AND (held_by IS NULL OR held_by = @buyer) AS Available
        FROM seats WHERE concert_id = @concertId AND tier_id = @tierId
        """;

    /// <summary>
    /// The seats each reserved line of <paramref name="request"/> gets, or why it cannot have them. Run after expired
    /// holds were reclaimed, so a seat with a holder is really held. The buyer's own held seats count as free to them:
    /// a new request replaces their checkout.
    /// </summary>
    public static SeatSelection Select(WriteContext context, BuyerId buyer, HoldRequest request, List<Inventory.TierStock> tiers, bool preventOrphans)
    {
        var chosen = new Dictionary<long, SeatChoice>();
        var taken = new List<string>();
        var orphans = new List<string>();
        var unknown = new Dictionary<string, string[]>();
        for (var i = 0; i < request.Items.Count; i++)
        {
            var item = request.Items[i];
            var tier = HoldCommands.Tier(tiers, item.Tier);
            if (!tier.Reserved)
            {
                continue;
            }

            var seats = context.Connection.Query<SeatRecord>(TierSeatsSql, new { buyer = buyer.Value, concertId = request.ConcertId, tierId = tier.Id }, context.Transaction)
                .Select(r => r.ToSpot()).ToList();
            if (item.Seats is null)
            {
                // Accessible seats are kept for those who ask; when nothing else is left they are offered to anyone
                // rather than calling the tier sold out.
                var choice = BestAvailable.Choose(seats, item.Quantity, BestAvailable.Stage, item.Accessible)
                    ?? (item.Accessible ? null : BestAvailable.Choose(seats, item.Quantity, BestAvailable.Stage, accessible: true));
                if (choice is null)
                {
                    return SeatSelection.Refuse(new HoldResult.NotEnoughTickets([new TierShortfall(tier.Code, item.Quantity, seats.Count(s => s.Available))]));
                }

                chosen[tier.Id] = choice;
                continue;
            }

            var byLabel = seats.ToDictionary(s => s.Label, StringComparer.Ordinal);
            var missing = item.Seats.Where(l => !byLabel.ContainsKey(l)).ToList();
            if (missing.Count > 0)
            {
                unknown[$"items[{i}].seats"] = [$"{tier.Code} has no seat {string.Join(", ", missing)}."];
                continue;
            }

            taken.AddRange(item.Seats.Where(l => !byLabel[l].Available));
            if (preventOrphans)
            {
                orphans.AddRange(BestAvailable.OrphansCreatedBy(seats, item.Seats));
            }

            chosen[tier.Id] = new SeatChoice(item.Seats, SideBySide([.. item.Seats.Select(l => (byLabel[l].Section, byLabel[l].Row, byLabel[l].Number))]));
        }

        return unknown.Count > 0 ? SeatSelection.Refuse(new HoldResult.Invalid(unknown))
            : taken.Count > 0 ? SeatSelection.Refuse(new HoldResult.SeatsTaken(taken))
            : orphans.Count > 0 ? SeatSelection.Refuse(new HoldResult.OrphanSeats(orphans))
            : new SeatSelection(chosen, null);
    }

    /// <summary>Whether the seats are one row's consecutive numbers (an aisle is a gap in the numbers, so it splits them).</summary>
    public static bool SideBySide(IReadOnlyList<(string Section, string Row, int Number)> seats)
    {
        var numbers = seats.Select(s => s.Number).Order().ToList();
        return seats.All(s => s.Section == seats[0].Section && s.Row == seats[0].Row) && numbers[^1] - numbers[0] == numbers.Count - 1;
    }

    private const string NextVersionSql = "SELECT availability_version + 1 FROM concerts WHERE id = @concertId";

    /// <summary>The availability version this transaction will publish for the concert (it bumps it by one at commit).</summary>
    public static long NextVersion(WriteContext context, Guid concertId) =>
        context.Connection.ExecuteScalar<long>(NextVersionSql, new { concertId }, context.Transaction);

    private const string LetGoSql = """
        UPDATE seats SET held_by = NULL, version = @version
        WHERE held_by = @buyer AND concert_id = @concertId AND tier_id = @tierId AND label NOT IN @labels
        """;

    private const string TakeSql = """
        UPDATE seats SET held_by = @buyer, version = CASE WHEN held_by IS NULL THEN @version ELSE version END
        WHERE concert_id = @concertId AND tier_id = @tierId AND label IN @labels
          AND not_for_sale = 0 AND ticket_id IS NULL AND (held_by IS NULL OR held_by = @buyer)
        """;

    /// <summary>
    /// The buyer's held seats of a tier become exactly <paramref name="labels"/>. All are taken or the transaction is
    /// abandoned: the row count of the conditional UPDATE is the database's answer, whatever was read before.
    /// </summary>
    public static void Hold(WriteContext context, BuyerId buyer, Guid concertId, long tierId, IReadOnlyList<string> labels, long version)
    {
        var parameters = new { buyer = buyer.Value, concertId, tierId, labels, version };
        context.Connection.Execute(LetGoSql, parameters, context.Transaction);
        var taken = context.Connection.Execute(TakeSql, parameters, context.Transaction);
        if (taken != labels.Count)
        {
            throw new InvalidOperationException($"Only {taken} of {labels.Count} seats could be held; the transaction is abandoned.");
        }
    }

    private const string FreeSeatsSql = """
        SELECT label AS Label, section AS Section, row AS Row, number AS Number, x AS X, y AS Y, accessible AS Accessible,
               not_for_sale = 0 AND ticket_id IS NULL AND held_by IS NULL AS Available
        FROM seats WHERE concert_id = @concertId AND tier_id = @tierId
        """;

    /// <summary>A tier's seats as best available sees them for nobody in particular: free means neither held nor sold.</summary>
    public static List<SeatSpot> FreeSeats(WriteContext context, Guid concertId, long tierId) =>
        [.. context.Connection.Query<SeatRecord>(FreeSeatsSql, new { concertId, tierId }, context.Transaction).Select(r => r.ToSpot())];

    private const string HeldSeatsSql = """
        SELECT tier_id AS TierId, label AS Label, section AS Section, row AS Row, number AS Number FROM seats
        WHERE held_by = @buyer AND concert_id = @concertId
        ORDER BY section, length(row), row, number
        """;

    /// <summary>The seats the buyer holds for a concert, by tier id, in seat order.</summary>
    public static Dictionary<long, HeldSeats> HeldBy(DbConnection connection, IDbTransaction? transaction, BuyerId buyer, Guid concertId) =>
        connection.Query<(long TierId, string Label, string Section, string Row, long Number)>(HeldSeatsSql, new { buyer = buyer.Value, concertId }, transaction)
            .GroupBy(s => s.TierId)
            .ToDictionary(g => g.Key, g => new HeldSeats([.. g.Select(s => s.Label)], SideBySide([.. g.Select(s => (s.Section, s.Row, (int)s.Number))])));

    private const string FreeForSql = """
        SELECT COUNT(*) FROM seats
        WHERE concert_id = @concertId AND tier_id = @tierId AND label IN @labels
          AND not_for_sale = 0 AND ticket_id IS NULL AND (held_by IS NULL OR held_by = @buyer)
        """;

    /// <summary>Whether every one of <paramref name="labels"/> is free or already the buyer's.</summary>
    public static bool AllFreeFor(WriteContext context, BuyerId buyer, Guid concertId, long tierId, IReadOnlyList<string> labels) =>
        context.Connection.ExecuteScalar<long>(FreeForSql, new { buyer = buyer.Value, concertId, tierId, labels }, context.Transaction) == labels.Count;

    private const string SellSql = """
        UPDATE seats SET ticket_id = @ticketId, version = @version
        WHERE concert_id = @concertId AND tier_id = @tierId AND label = @label
          AND not_for_sale = 0 AND ticket_id IS NULL AND held_by IS NULL
        """;

    /// <summary>Marks one seat sold to a ticket. Run after the buyer's hold rows were deleted (which freed their seats).</summary>
    public static void Sell(WriteContext context, Guid concertId, long tierId, string label, Guid ticketId, long version)
    {
        if (context.Connection.Execute(SellSql, new { ticketId, version, concertId, tierId, label }, context.Transaction) != 1)
        {
            throw new InvalidOperationException($"Seat {label} could not be sold; the transaction is abandoned.");
        }
    }

    private const string ChangesSql = """
        SELECT label AS Label,
               CASE WHEN not_for_sale = 1 THEN 'NotForSale' WHEN ticket_id IS NOT NULL OR held_by IS NOT NULL THEN 'Taken' ELSE 'Available' END AS Status,
               held_by AS HeldBy
        FROM seats WHERE concert_id = @concertId AND version = @version
        """;

    /// <summary>The seats a transaction changed, read inside it just before commit (the version is the one it publishes).</summary>
    public static List<SeatChange> ChangedIn(DbConnection connection, IDbTransaction transaction, Guid concertId, long version) =>
        connection.Query<ChangeRow>(ChangesSql, new { concertId, version }, transaction)
            .Select(r => new SeatChange(r.Label, Enum.Parse<SeatStatus>(r.Status), r.HeldBy))
            .ToList();

    /// <summary>Settable properties: SQLite types computed columns by value, which a positional record cannot always match.</summary>
    private sealed class ChangeRow
    {
        public string Label { get; init; } = "";

        public string Status { get; init; } = "";

        public Guid? HeldBy { get; init; }
    }
}

/// <summary>A buyer's held seats of one tier, and whether they sit side by side.</summary>
internal sealed record HeldSeats(IReadOnlyList<string> Labels, bool Together);

/// <summary>The seats chosen per reserved tier (by tier id), or the result that refuses the request.</summary>
internal sealed record SeatSelection(IReadOnlyDictionary<long, SeatChoice> Seats, HoldResult? Refusal)
{
    public static SeatSelection Refuse(HoldResult refusal) => new(new Dictionary<long, SeatChoice>(), refusal);
}
