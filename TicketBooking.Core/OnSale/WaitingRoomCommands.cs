using System.Security.Cryptography;
using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.OnSale;

/// <summary>
/// The waiting room's rules as SQL, run by the single writer: getting in line, the shuffle at on-sale, paced admission,
/// lapsed admissions, and the admission a hold needs. All state is in <c>queue_entries</c>.
/// </summary>
internal static class WaitingRoomCommands
{
    private const string ScheduleSql = "SELECT on_sale_at AS OnSaleAt, starts_at AS StartsAt FROM concerts WHERE id = @concertId";

    private const string LiveEntrySql = """
        SELECT id FROM queue_entries WHERE concert_id = @concertId AND buyer_id = @buyer AND state IN ('waiting', 'admitted')
        """;

    private const string InsertSql = """
        INSERT INTO queue_entries (id, concert_id, buyer_id, arrived_at, seq, state, client)
        VALUES (@id, @concertId, @buyer, @now,
                CASE WHEN @placed = 1 THEN COALESCE((SELECT MAX(seq) FROM queue_entries WHERE concert_id = @concertId), 0) + 1 END,
                'waiting', @client)
        """;

    private const string PlacesFromClientSql = """
        SELECT COUNT(*) FROM queue_entries WHERE concert_id = @concertId AND client = @client AND state IN ('waiting', 'admitted')
        """;

    private const string OpenRoomsSql = """
        SELECT c.id FROM concerts c
        WHERE c.on_sale_at IS NOT NULL AND c.on_sale_at - @opensBefore <= @now AND c.starts_at > @now
          AND EXISTS (SELECT 1 FROM queue_entries q WHERE q.concert_id = c.id AND q.state IN ('waiting', 'admitted'))
        """;

    public sealed record Schedule(long? OnSaleAt, long StartsAt);

    /// <summary>The concert's sale and start times, or null when there is no such concert.</summary>
    public static Schedule? ReadSchedule(System.Data.Common.DbConnection connection, System.Data.IDbTransaction? transaction, Guid concertId) =>
        connection.QuerySingleOrDefault<Schedule>(ScheduleSql, new { concertId }, transaction);

    /// <summary>Whether any concert's room is open with someone in it: the beat needs the writer only then.</summary>
    public static bool AnyOpenRoom(System.Data.Common.DbConnection connection, DateTimeOffset now, WaitingRoomOptions options) =>
        connection.QueryFirstOrDefault<Guid?>(OpenRoomsSql, new { now = now.ToUnixTimeMilliseconds(), opensBefore = (long)options.OpensBefore.TotalMilliseconds }) is not null;

    public sealed record Joined(JoinRoomResult? Refusal, Guid EntryId = default);

    /// <summary>
    /// Gets the buyer in line, or finds them there already. After the sale opened they may be admitted at once. One client
    /// address (<paramref name="client"/>; <c>null</c> for in-process callers) holds at most <c>PlacesPerAddress</c> live
    /// places in a room, so identities minted behind one address cannot crowd the line.
    /// </summary>
    public static Joined Join(WriteContext context, BuyerId buyer, Guid concertId, string? client, WaitingRoomOptions options)
    {
        var schedule = ReadSchedule(context.Connection, context.Transaction, concertId);
        if (schedule is null)
        {
            return new Joined(new JoinRoomResult.ConcertNotFound());
        }

        if (schedule.StartsAt <= context.NowMs)
        {
            return new Joined(new JoinRoomResult.SalesClosed());
        }

        if (!options.Enabled || schedule.OnSaleAt is not { } onSaleMs)
        {
            return new Joined(new JoinRoomResult.NoRoom());
        }

        var onSaleAt = DateTimeOffset.FromUnixTimeMilliseconds(onSaleMs);
        if (context.Now < options.OpensAt(onSaleAt))
        {
            return new Joined(new JoinRoomResult.NotOpenYet(options.OpensAt(onSaleAt), onSaleAt));
        }

        Lapse(context, concertId);
        if (context.Connection.QuerySingleOrDefault<Guid?>(LiveEntrySql, new { concertId, buyer = buyer.Value }, context.Transaction) is { } existing)
        {
            return new Joined(null, existing);
        }

        if (client is not null && options.PlacesPerAddress > 0
            && context.Connection.ExecuteScalar<long>(PlacesFromClientSql, new { concertId, client }, context.Transaction) >= options.PlacesPerAddress)
        {
            return new Joined(new JoinRoomResult.AddressFull(options.PlacesPerAddress));
        }

        // From the moment of the sale, arrivals queue behind everyone who came before it, in arrival order.
        var placed = context.NowMs >= onSaleMs;
        if (placed)
        {
            Shuffle(context, concertId);
        }

        var id = Guid.CreateVersion7(context.Now);
        context.Connection.Execute(InsertSql, new { id, concertId, buyer = buyer.Value, now = context.NowMs, placed, client }, context.Transaction);
        if (placed)
        {
            Admit(context, concertId, schedule.OnSaleAt!.Value, schedule.StartsAt, options);
        }

        return new Joined(null, id);
    }

    /// <summary>
    /// One beat of every open room: the shuffle when the sale opens, lapsed admissions ended, the next buyers admitted.
    /// Returns each open room's counts after it.
    /// </summary>
    public static List<RoomSnapshot> Pump(WriteContext context, WaitingRoomOptions options)
    {
        var rooms = context.Connection.Query<Guid>(OpenRoomsSql, new { now = context.NowMs, opensBefore = (long)options.OpensBefore.TotalMilliseconds }, context.Transaction);
        var snapshots = new List<RoomSnapshot>(rooms.Count);
        foreach (var concertId in rooms)
        {
            var schedule = ReadSchedule(context.Connection, context.Transaction, concertId)!;
            if (context.NowMs >= schedule.OnSaleAt)
            {
                Shuffle(context, concertId);
                Admit(context, concertId, schedule.OnSaleAt!.Value, schedule.StartsAt, options);
            }

            snapshots.Add(Snapshot(context.Connection, context.Transaction, concertId, DateTimeOffset.FromUnixTimeMilliseconds(schedule.OnSaleAt!.Value), context.Now, options));
        }

        return snapshots;
    }

    private const string UnplacedSql = "SELECT id FROM queue_entries WHERE concert_id = @concertId AND seq IS NULL ORDER BY arrived_at, id";

    private const string PlaceSql = "UPDATE queue_entries SET seq = @seq WHERE id = @id";

    /// <summary>
    /// Gives everyone who got in before the sale a place, in an order drawn with cryptographic randomness (arriving
    /// early gives no advantage). Runs once: afterwards every entry has a place.
    /// </summary>
    internal static int Shuffle(WriteContext context, Guid concertId)
    {
        var early = context.Connection.Query<Guid>(UnplacedSql, new { concertId }, context.Transaction).ToArray();
        if (early.Length == 0)
        {
            return 0;
        }

        RandomNumberGenerator.Shuffle(early.AsSpan());
        for (var i = 0; i < early.Length; i++)
        {
            context.Connection.Execute(PlaceSql, new { id = early[i], seq = i + 1 }, context.Transaction);
        }

        return early.Length;
    }

    private const string LapseSql = """
        UPDATE queue_entries SET state = 'lapsed', ended_at = COALESCE(hold_by, admission_expires_at)
        WHERE concert_id = @concertId AND state = 'admitted' AND COALESCE(hold_by, admission_expires_at) <= @now
        """;

    /// <summary>
    /// Admissions whose time ran out end, freeing their places in the active set: the whole window, or for a buyer who has
    /// not held yet, the first-hold window (<c>WaitingRoom:FirstHoldWindow</c>). So admitted identities that never buy
    /// cannot keep others out: the room only admits as many buyers as there are tickets left beyond those not holding.
    /// </summary>
    private static void Lapse(WriteContext context, Guid concertId) =>
        context.Connection.Execute(LapseSql, new { concertId, now = context.NowMs }, context.Transaction);

    // Index ranges only: the admitted set, the admissions (all, and of the last minute), the concert's tiers.
    private const string PaceSql = $"""
        SELECT (SELECT COUNT(*) FROM queue_entries WHERE concert_id = @concertId AND state = 'admitted') AS Active,
               (SELECT COUNT(*) FROM queue_entries q WHERE q.concert_id = @concertId AND q.state = 'admitted'
                   AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.buyer_id = q.buyer_id AND h.concert_id = q.concert_id AND h.expires_at > @now)) AS NotHolding,
               (SELECT COUNT(*) FROM queue_entries WHERE concert_id = @concertId AND admitted_at IS NOT NULL) AS AdmittedEver,
               (SELECT COUNT(*) FROM queue_entries WHERE concert_id = @concertId AND admitted_at > @now - 60000) AS LastMinute,
               {Inventory.Stock.ConcertForSaleSql} AS TicketsLeft
        """;

    private const string AdmitSql = """
        UPDATE queue_entries SET state = 'admitted', admitted_at = @now, admission_expires_at = @expiresAt, hold_by = @holdBy
        WHERE id IN (SELECT id FROM queue_entries WHERE concert_id = @concertId AND state = 'waiting' AND seq IS NOT NULL ORDER BY seq LIMIT @count)
        """;

    private sealed record Pace(long Active, long NotHolding, long AdmittedEver, long LastMinute, long TicketsLeft);

    /// <summary>
    /// Admits the next in line, in place order, as far as the room allows: fewer than <c>MaxActiveBuyers</c> shopping;
    /// at most <c>AdmitPerMinute</c> in any minute; and no more than the pace allows since the sale opened — a second's
    /// worth at once, then <c>AdmitPerMinute</c>/60 a second, counted from the clock and the admissions so far, so the pace
    /// is steady whatever the beat's jitter. Nobody is let in for tickets that are not there: at most one buyer per
    /// ticket neither sold nor held, less the admitted buyers who hold nothing yet. The counts are the rows' own, so a
    /// restart or a second instance cannot exceed them.
    /// </summary>
    private static int Admit(WriteContext context, Guid concertId, long onSaleAt, long startsAt, WaitingRoomOptions options)
    {
        Lapse(context, concertId);
        var pace = context.Connection.QuerySingle<Pace>(PaceSql, new { concertId, now = context.NowMs }, context.Transaction);
        var allowedSoFar = AdmissionPace.AllowedSoFar(options.AdmitPerMinute, TimeSpan.FromMilliseconds(context.NowMs - onSaleAt));
        var count = new[]
        {
            options.MaxActiveBuyers - pace.Active,
            options.AdmitPerMinute - pace.LastMinute,
            allowedSoFar - pace.AdmittedEver,
            pace.TicketsLeft - pace.NotHolding,
        }.Min();
        if (count <= 0)
        {
            return 0;
        }

        var expiresAt = Math.Min(context.NowMs + (long)options.AdmissionWindow.TotalMilliseconds, startsAt);
        var holdBy = Math.Min(context.NowMs + (long)options.FirstHoldWindow.TotalMilliseconds, expiresAt);
        return context.Connection.Execute(AdmitSql, new { concertId, now = context.NowMs, expiresAt, holdBy, count }, context.Transaction);
    }

    private const string EndTurnSql = """
        UPDATE queue_entries SET state = 'done', ended_at = @now
        WHERE concert_id = @concertId AND buyer_id = @buyer AND state = 'admitted'
        """;

    /// <summary>
    /// The buyer booked or released: their turn is over and their place in the active set goes to the next in line.
    /// True when they had a turn.
    /// </summary>
    public static bool EndTurn(WriteContext context, BuyerId buyer, Guid concertId) =>
        context.Connection.Execute(EndTurnSql, new { concertId, buyer = buyer.Value, now = context.NowMs }, context.Transaction) > 0;

    private const string AdmittedSql = """
        SELECT COALESCE(hold_by, admission_expires_at) FROM queue_entries
        WHERE id = @entryId AND concert_id = @concertId AND buyer_id = @buyer AND state = 'admitted'
        """;

    /// <summary>
    /// Null when the buyer may hold (or join a waiting list) in an open room: their admission verified and its entry is
    /// still admitted (not ended by a booking, a release, the clock, or a first hold that never came). Otherwise why not.
    /// </summary>
    public static AdmissionCheck? CheckAdmission(WriteContext context, BuyerId buyer, Guid concertId, VerifiedAdmission? admission)
    {
        var check = admission?.Check ?? AdmissionCheck.Missing;
        if (check != AdmissionCheck.Valid)
        {
            return check;
        }

        var expiresAt = context.Connection.QuerySingleOrDefault<long?>(AdmittedSql, new { entryId = admission!.EntryId, concertId, buyer = buyer.Value }, context.Transaction);
        // A genuine admission whose entry is no longer admitted: the turn ended (booked, released, ran out).
        return expiresAt > context.NowMs ? null : AdmissionCheck.Expired;
    }

    private const string HeldSql = """
        UPDATE queue_entries SET hold_by = NULL
        WHERE concert_id = @concertId AND buyer_id = @buyer AND state = 'admitted' AND hold_by IS NOT NULL
        """;

    /// <summary>
    /// The buyer holds tickets (a hold of their own, or a waiting-list offer): if it is their turn in the concert's room,
    /// it now lasts its whole window (<c>AdmissionWindow</c>).
    /// </summary>
    public static void Held(WriteContext context, BuyerId buyer, Guid concertId) =>
        context.Connection.Execute(HeldSql, new { concertId, buyer = buyer.Value }, context.Transaction);

    private const string SnapshotSql = $"""
        SELECT COUNT(*) FILTER (WHERE state = 'waiting') AS Waiting,
               COUNT(*) FILTER (WHERE seq IS NULL) AS Unplaced,
               COUNT(*) FILTER (WHERE state = 'admitted' AND COALESCE(hold_by, admission_expires_at) > @now) AS Active,
               COALESCE(MAX(seq) FILTER (WHERE state <> 'waiting'), 0) AS AdmittedThrough,
               COUNT(*) FILTER (WHERE admitted_at > @now - 60000) AS LastMinute,
               {Inventory.Stock.ConcertForSaleSql} AS TicketsLeft
        FROM queue_entries WHERE concert_id = @concertId
        """;

    private sealed record Counts(long Waiting, long Unplaced, long Active, long AdmittedThrough, long LastMinute, long TicketsLeft);

    /// <summary>The room's counts now, for its watchers.</summary>
    public static RoomSnapshot Snapshot(System.Data.Common.DbConnection connection, System.Data.IDbTransaction? transaction, Guid concertId, DateTimeOffset onSaleAt, DateTimeOffset now, WaitingRoomOptions options)
    {
        var counts = connection.QuerySingle<Counts>(SnapshotSql, new { concertId, now = now.ToUnixTimeMilliseconds() }, transaction);
        // The pace so far once a minute of the sale has passed (a full active set slows it); the configured pace before.
        var rate = now - onSaleAt >= TimeSpan.FromMinutes(1) ? counts.LastMinute / 60d : options.AdmitPerMinute / 60d;
        return new RoomSnapshot(
            concertId, onSaleAt, Shuffled: now >= onSaleAt && counts.Unplaced == 0, counts.AdmittedThrough, (int)counts.Waiting, (int)counts.Active,
            Math.Round(rate, 3), (int)Math.Max(0, counts.TicketsLeft), now);
    }

    private const string StatusSql = """
        SELECT q.id AS EntryId, q.state AS State, q.seq AS Seq, q.admission_expires_at AS AdmissionExpiresAt, q.hold_by AS HoldBy,
               c.on_sale_at AS OnSaleAt, q.arrived_at AS ArrivedAt
        FROM queue_entries q JOIN concerts c ON c.id = q.concert_id
        WHERE q.concert_id = @concertId AND q.buyer_id = @buyer
        ORDER BY q.state IN ('waiting', 'admitted') DESC, q.arrived_at DESC, q.id DESC
        LIMIT 1
        """;

    internal sealed record StatusRow(Guid EntryId, string State, long? Seq, long? AdmissionExpiresAt, long? HoldBy, long OnSaleAt, long ArrivedAt);

    /// <summary>The buyer's newest entry in the concert's room, or null when they never got in line.</summary>
    public static StatusRow? Status(System.Data.Common.DbConnection connection, BuyerId buyer, Guid concertId) =>
        connection.QuerySingleOrDefault<StatusRow>(StatusSql, new { concertId, buyer = buyer.Value });
}
