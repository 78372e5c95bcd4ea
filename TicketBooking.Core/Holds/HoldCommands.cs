using Dapper;
using TicketBooking.Core.Inventory;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Holds;

/// <summary>
/// The hold rules as SQL, run by the single writer inside its <c>BEGIN IMMEDIATE</c> transaction.
/// Each command checks everything before it writes anything, so a refused request changes nothing.
/// </summary>
internal static class HoldCommands
{
    private const string BuyerRowsSql = """
        SELECT tier_id AS TierId, quantity AS Quantity, created_at AS CreatedAt, expires_at AS ExpiresAt, waitlist_id IS NOT NULL AS Offer
        FROM holds
        WHERE buyer_id = @buyer AND concert_id = @concertId
        """;

    private const string BoughtSql = """
        SELECT i.tier_id AS TierId, CAST(SUM(i.quantity) AS BIGINT) AS Quantity
        FROM bookings b JOIN booking_items i ON i.booking_id = b.id
        WHERE b.buyer_id = @buyer AND b.concert_id = @concertId
        GROUP BY i.tier_id
        """;

    internal const string HeldFromClientSql = """
        SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) AS Tickets, MIN(expires_at) AS FirstExpiry
        FROM holds
        WHERE client = @client AND concert_id = @concertId AND expires_at > @now AND buyer_id <> @buyer
        """;

    public static HoldResult Place(WriteContext context, HoldPlacement placement)
    {
        var (buyer, request, client, options, limits, _, _, _) = placement;
        var admitted = false;
        var tiers = Stock.Tiers(context, request.ConcertId);
        if (tiers.Count == 0)
        {
            return new HoldResult.ConcertNotFound();
        }

        if (tiers[0].StartsAt <= context.NowMs)
        {
            return new HoldResult.SalesClosed();
        }

        if (tiers[0].OnSaleAt is { } onSaleAt)
        {
            if (onSaleAt > context.NowMs)
            {
                return new HoldResult.NotOnSaleYet(DateTimeOffset.FromUnixTimeMilliseconds(onSaleAt), Stock.TimeZone(context, request.ConcertId));
            }

            // While the room is open only an admitted buyer may hold; checked here, so no page or client can skip it.
            if ((placement.Room ?? DefaultRoom).IsOpen(DateTimeOffset.FromUnixTimeMilliseconds(onSaleAt), DateTimeOffset.FromUnixTimeMilliseconds(tiers[0].StartsAt), context.Now))
            {
                if (OnSale.WaitingRoomCommands.CheckAdmission(context, buyer, request.ConcertId, placement.Admission) is { } notAdmitted)
                {
                    return new HoldResult.AdmissionRequired(notAdmitted);
                }

                admitted = true;
            }
        }

        var unknown = request.Items
            .Where(i => !tiers.Exists(t => t.Code.Equals(i.Tier, StringComparison.OrdinalIgnoreCase)))
            .Select(i => i.Tier)
            .ToList();
        if (unknown.Count > 0)
        {
            return new HoldResult.UnknownTiers(unknown);
        }

        if (BuyerLimit(context, buyer, request, tiers, limits) is { } buyerLimit)
        {
            return buyerLimit;
        }

        if (AddressLimit(context, buyer, request, client, limits) is { } addressLimit)
        {
            return addressLimit;
        }

        if (request.Items.FirstOrDefault(i => i.Seats is not null && !Tier(tiers, i.Tier).Reserved) is { } unseated)
        {
            return new HoldResult.Invalid(new Dictionary<string, string[]>
            {
                ["items"] = [$"{unseated.Tier} is general admission: it has no seats to pick. Ask for a quantity."],
            });
        }

        var reserved = request.Items.Any(i => Tier(tiers, i.Tier).Reserved);
        if (reserved && Reclaim(context, request.ConcertId) > 0)
        {
            // Seats of expired holds must be free before any seat is judged taken.
            tiers = Stock.Tiers(context, request.ConcertId);
        }

        var existing = ReadBuyerRows(context, buyer, request.ConcertId);
        var shortfalls = FindShortfalls(tiers, existing, request);
        if (shortfalls.Count > 0)
        {
            // The counters still include holds that have expired; give them back and look again
            // before telling anyone that tickets are gone.
            if (Reclaim(context, request.ConcertId) == 0)
            {
                return new HoldResult.NotEnoughTickets(shortfalls);
            }

            tiers = Stock.Tiers(context, request.ConcertId);
            existing = ReadBuyerRows(context, buyer, request.ConcertId);
            shortfalls = FindShortfalls(tiers, existing, request);
            if (shortfalls.Count > 0)
            {
                return new HoldResult.NotEnoughTickets(shortfalls);
            }
        }

        var seats = reserved ? SeatCommands.Select(context, buyer, request, tiers, placement.PreventOrphans) : null;
        if (seats?.Refusal is { } refusal)
        {
            return refusal;
        }

        if (admitted)
        {
            OnSale.WaitingRoomCommands.Held(context, buyer, request.ConcertId);
        }

        return new HoldResult.Held(Write(context, placement, tiers, existing, seats?.Seats));
    }

    /// <summary>Held and bought together stay within <see cref="TicketLimits.PerBuyerPerTier"/> per tier.</summary>
    private static HoldResult.BuyerLimitReached? BuyerLimit(WriteContext context, BuyerId buyer, HoldRequest request, List<TierStock> tiers, TicketLimits limits)
    {
        var bought = context.Connection.Query<(long TierId, long Quantity)>(BoughtSql, new { buyer = buyer.Value, concertId = request.ConcertId }, context.Transaction);
        foreach (var item in request.Items)
        {
            var tier = Tier(tiers, item.Tier);
            var already = (int)bought.Find(b => b.TierId == tier.Id).Quantity;
            if (!limits.BuyerMayHave(already, item.Quantity))
            {
                return new HoldResult.BuyerLimitReached(tier.Code, limits.PerBuyerPerTier, already);
            }
        }

        return null;
    }

    /// <summary>
    /// Checkouts from one client address, other than this buyer's own, plus this request stay within
    /// <see cref="TicketLimits.HeldPerAddress"/> for the concert.
    /// </summary>
    private static HoldResult.AddressLimitReached? AddressLimit(WriteContext context, BuyerId buyer, HoldRequest request, string? client, TicketLimits limits)
    {
        if (client is null || limits.HeldPerAddress == 0)
        {
            return null;
        }

        var others = context.Connection.QuerySingle<(long Tickets, long? FirstExpiry)>(
            HeldFromClientSql, new { client, concertId = request.ConcertId, now = context.NowMs, buyer = buyer.Value }, context.Transaction);
        var requested = request.Items.Sum(i => (long)i.Quantity);
        if (limits.AddressMayHold(others.Tickets, requested))
        {
            return null;
        }

        var retryAfter = TimeSpan.FromMilliseconds(Math.Max(1_000, (others.FirstExpiry ?? context.NowMs) - context.NowMs));
        return new HoldResult.AddressLimitReached(limits.HeldPerAddress, retryAfter);
    }

    private const string DeleteRowSql = "DELETE FROM holds WHERE buyer_id = @buyer AND concert_id = @concertId AND tier_id = @tierId";

    // A waiting-list offer keeps its own expiry when the buyer changes its quantity (it is still theirs for the offer's time).
    private const string UpsertRowSql = """
        INSERT INTO holds (buyer_id, concert_id, tier_id, hold_id, quantity, created_at, expires_at, last_activity_at, client)
        VALUES (@buyer, @concertId, @tierId, @holdId, @quantity, @createdAt, @expiresAt, @now, @client)
        ON CONFLICT (buyer_id, concert_id, tier_id) DO UPDATE SET
            hold_id = excluded.hold_id, quantity = excluded.quantity, last_activity_at = excluded.last_activity_at, client = excluded.client,
            created_at = CASE WHEN holds.waitlist_id IS NOT NULL AND holds.expires_at > @now THEN holds.created_at ELSE excluded.created_at END,
            expires_at = CASE WHEN holds.waitlist_id IS NOT NULL AND holds.expires_at > @now THEN MAX(holds.expires_at, excluded.expires_at) ELSE excluded.expires_at END,
            waitlist_id = CASE WHEN holds.expires_at > @now THEN holds.waitlist_id END
        """;

    private static Hold Write(WriteContext context, HoldPlacement placement, List<TierStock> tiers, List<BuyerRow> existing, IReadOnlyDictionary<long, SeatChoice>? seats)
    {
        var (buyer, request, client, options, _, _, _, _) = placement;
        var connection = context.Connection;
        var transaction = context.Transaction;
        var concertId = request.ConcertId;

        // Replacing an active checkout keeps its creation time, so re-entering checkout cannot outrun the hard cap.
        // A waiting-list offer runs on its own window and sets no clock for the rest.
        var active = existing.Find(r => r.ExpiresAt > context.NowMs && !r.Offer);
        var createdAt = active?.CreatedAt ?? context.NowMs;
        var expiresAt = Math.Min(context.NowMs + (long)options.Duration.TotalMilliseconds, createdAt + (long)options.HardCap.TotalMilliseconds);
        var holdId = Guid.CreateVersion7(context.Now);

        var requested = request.Items.ToDictionary(i => Tier(tiers, i.Tier).Id, i => i.Quantity);
        foreach (var row in existing.Where(r => !requested.ContainsKey(r.TierId)))
        {
            connection.Execute(DeleteRowSql, new { buyer = buyer.Value, concertId, tierId = row.TierId }, transaction);
            Stock.AdjustInHolds(context, row.TierId, -row.Quantity);
        }

        var version = seats is null ? 0 : SeatCommands.NextVersion(context, concertId);
        var items = new List<HeldItem>(request.Items.Count);
        foreach (var tier in tiers.Where(t => requested.ContainsKey(t.Id)))
        {
            var quantity = requested[tier.Id];
            connection.Execute(UpsertRowSql, new { buyer = buyer.Value, concertId, tierId = tier.Id, holdId, quantity, createdAt, expiresAt, now = context.NowMs, client }, transaction);
            Stock.AdjustInHolds(context, tier.Id, quantity - (existing.Find(r => r.TierId == tier.Id)?.Quantity ?? 0));

            if (seats?.GetValueOrDefault(tier.Id) is { } choice)
            {
                SeatCommands.Hold(context, buyer, concertId, tier.Id, choice.Labels, version);
                items.Add(new HeldItem(tier.Code, tier.Name, quantity, tier.PriceCents, choice.Labels, choice.Together));
            }
            else
            {
                items.Add(new HeldItem(tier.Code, tier.Name, quantity, tier.PriceCents));
            }
        }

        context.AvailabilityChanged(concertId);
        return new Hold(holdId, concertId, items, DateTimeOffset.FromUnixTimeMilliseconds(createdAt), DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
    }

    private static List<TierShortfall> FindShortfalls(List<TierStock> tiers, List<BuyerRow> existing, HoldRequest request)
    {
        var shortfalls = new List<TierShortfall>();
        // Named seats are judged seat by seat (SeatCommands.Select), which can say which ones are gone.
        foreach (var item in request.Items.Where(i => i.Seats is null))
        {
            var tier = Tier(tiers, item.Tier);
            // The buyer's own rows are in the counter and are being replaced, so they count as available to them.
            var available = tier.FreeFor(existing.Find(r => r.TierId == tier.Id)?.Quantity ?? 0);
            if (item.Quantity > available)
            {
                shortfalls.Add(new TierShortfall(tier.Code, item.Quantity, (int)available));
            }
        }

        return shortfalls;
    }

    private const string HeartbeatSql = """
        UPDATE holds SET
            last_activity_at = CASE WHEN @active = 1 THEN @now ELSE last_activity_at END,
            expires_at = CASE
                WHEN waitlist_id IS NOT NULL THEN expires_at
                WHEN @visible = 0 THEN MIN(expires_at, @now + @hiddenGrace)
                WHEN @active = 1 OR @now - last_activity_at < @inactivity
                    THEN MAX(expires_at, MIN(@now + @duration, created_at + @hardCap))
                ELSE expires_at
            END
        WHERE buyer_id = @buyer AND concert_id = @concertId AND expires_at > @now
        RETURNING expires_at
        """;

    /// <summary>
    /// Active and visible: renew to now + Duration, never past created + HardCap. No input for
    /// InactivityTimeout: leave it to run out. Hidden: shrink to now + HiddenGrace at most. A waiting-list offer keeps
    /// the window it was given whatever the tab does.
    /// </summary>
    public static HeartbeatResult Heartbeat(WriteContext context, BuyerId buyer, Guid concertId, bool active, bool visible, HoldOptions options)
    {
        var expiries = context.Connection.Query<long>(HeartbeatSql, new
        {
            buyer = buyer.Value,
            concertId,
            active,
            visible,
            now = context.NowMs,
            hiddenGrace = (long)options.HiddenGrace.TotalMilliseconds,
            inactivity = (long)options.InactivityTimeout.TotalMilliseconds,
            duration = (long)options.Duration.TotalMilliseconds,
            hardCap = (long)options.HardCap.TotalMilliseconds,
        }, context.Transaction);

        return expiries.Count == 0
            ? new HeartbeatResult.NoActiveHold()
            : new HeartbeatResult.Active(DateTimeOffset.FromUnixTimeMilliseconds(expiries.Min()));
    }

    private const string ShrinkAllSql = """
        UPDATE holds SET expires_at = MIN(expires_at, @now + @hiddenGrace)
        WHERE buyer_id = @buyer AND expires_at > @now AND waitlist_id IS NULL
        """;

    /// <summary>The buyer's connection is gone: every active hold of theirs shrinks to HiddenGrace until a heartbeat renews it.</summary>
    public static int ShrinkAll(WriteContext context, BuyerId buyer, HoldOptions options) =>
        context.Connection.Execute(ShrinkAllSql, new
        {
            buyer = buyer.Value,
            now = context.NowMs,
            hiddenGrace = (long)options.HiddenGrace.TotalMilliseconds,
        }, context.Transaction);

    private const string ReleaseSql = """
        DELETE FROM holds WHERE buyer_id = @buyer AND concert_id = @concertId
        RETURNING tier_id AS TierId, quantity AS Quantity, expires_at AS ExpiresAt
        """;

    /// <summary>
    /// Deletes the buyer's checkout for a concert, and unless <paramref name="endTurn"/> is false ends their turn in its
    /// waiting room. True when it still held tickets or ended a turn.
    /// </summary>
    public static bool Release(WriteContext context, BuyerId buyer, Guid concertId, bool endTurn = true)
    {
        var endedTurn = endTurn && OnSale.WaitingRoomCommands.EndTurn(context, buyer, concertId);

        var rows = context.Connection.Query<ReleasedRow>(ReleaseSql, new { buyer = buyer.Value, concertId }, context.Transaction);
        Stock.GiveBack(context, rows);
        var released = rows.Exists(r => r.ExpiresAt > context.NowMs);
        if (released)
        {
            context.AvailabilityChanged(concertId);
        }
        else if (rows.Count > 0)
        {
            // Only expired rows: nobody's view changes, but the tickets are free now and people may be waiting for them.
            context.TicketsFreed(concertId);
        }

        return released || endedTurn;
    }

    private const string ConcertIdsSql = "SELECT id FROM concerts";

    /// <summary>Deletes every expired hold and marks the concerts whose counters changed.</summary>
    public static SweepResult Sweep(WriteContext context)
    {
        var concerts = new List<Guid>();
        var holds = 0;
        var tickets = 0;
        foreach (var concertId in context.Connection.Query<Guid>(ConcertIdsSql, transaction: context.Transaction))
        {
            var rows = Stock.ReclaimExpired(context, concertId);
            if (rows.Count == 0)
            {
                continue;
            }

            context.AvailabilityChanged(concertId);
            concerts.Add(concertId);
            holds += rows.Count;
            tickets += (int)rows.Sum(r => r.Quantity);
        }

        return new SweepResult(holds, tickets, concerts);
    }

    /// <summary>
    /// Deletes a concert's expired hold rows, takes them out of the tier counters and, at once, gives what they freed to
    /// the concert's waiting lists first (<see cref="WriteContext.SettleNow"/> runs <see cref="Waitlist.WaitlistServing"/>),
    /// so the command that reclaimed can go on handing out what is left. Without people waiting it changes no one's view
    /// of availability (expired holds already stopped counting), so it announces nothing; an offer it makes is announced.
    /// </summary>
    public static int Reclaim(WriteContext context, Guid concertId)
    {
        var reclaimed = Stock.ReclaimExpired(context, concertId).Count;
        if (reclaimed > 0)
        {
            context.SettleNow(concertId);
        }

        return reclaimed;
    }

    internal static List<BuyerRow> ReadBuyerRows(WriteContext context, BuyerId buyer, Guid concertId) =>
        context.Connection.Query<BuyerRow>(BuyerRowsSql, new { buyer = buyer.Value, concertId }, context.Transaction);

    internal static TierStock Tier(List<TierStock> tiers, string code) =>
        tiers.Find(t => t.Code.Equals(code, StringComparison.OrdinalIgnoreCase))
        ?? throw new InvalidOperationException($"Tier {code} was checked to exist.");

    /// <summary>One hold request as the writer runs it: who asks, from which client address, under which limits.</summary>
    /// <remarks><see cref="Room"/> says when the concert's waiting room is open; <see cref="Admission"/> is the request's admission with its signature checked.</remarks>
    internal sealed record HoldPlacement(
        BuyerId Buyer, HoldRequest Request, string? Client, HoldOptions Options, TicketLimits Limits, bool PreventOrphans,
        OnSale.WaitingRoomOptions? Room = null, OnSale.VerifiedAdmission? Admission = null);

    private static readonly OnSale.WaitingRoomOptions DefaultRoom = new();

    /// <summary>One tier of a buyer's checkout; <see cref="Offer"/> when it is (or includes) a waiting-list offer.</summary>
    /// <remarks>Settable properties: with no rows SQLite reports the computed Offer column as BLOB, which Dapper cannot match to a constructor.</remarks>
    internal sealed class BuyerRow
    {
        public long TierId { get; init; }

        public long Quantity { get; init; }

        public long CreatedAt { get; init; }

        public long ExpiresAt { get; init; }

        public bool Offer { get; init; }
    }

}
