using System.Security.Cryptography;
using Dapper;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Inventory;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Waitlist;

/// <summary>
/// The waiting list as SQL, run by the single writer inside its <c>BEGIN IMMEDIATE</c> transaction (docs/architecture.md, "The waiting list").
/// </summary>
/// <remarks>
/// <para><b>Who gets returned seats.</b> Whenever a transaction changes a concert that has people waiting,
/// <see cref="Serve"/> runs before it commits. It walks each tier's line in joining order and makes an offer — a hold in
/// the buyer's name for <c>Waitlist:OfferWindow</c> — to every entry whose quantity fits in the seats that are free:
/// <b>first fit, place kept</b>. An entry that wants more than is free is passed over for smaller ones behind it, but keeps
/// its place, so it has the first claim on the next return that is large enough. Why not make everyone behind it wait:
/// returns come one booking at a time (one to four seats), so a strict queue would leave seats unsold behind one large
/// group while people who need fewer wait too.</para>
/// <para><b>Seats set aside.</b> Seats no waiting entry can use yet (fewer than the smallest quantity in line) are never
/// put back on public sale while anyone waits: they are held by the all-zero buyer (<see cref="SetAsideHolder"/>, whom no
/// cookie can carry), so every availability rule keeps them from public buyers, and they join the next return. They go
/// on public sale only when nobody is left waiting for the tier.</para>
/// </remarks>
internal static class WaitlistCommands
{
    /// <summary>Holds the seats set aside for a tier's waiting line. <see cref="BuyerId.TryParse"/> refuses this id, so no buyer is it.</summary>
    public static readonly BuyerId SetAsideHolder = new(Guid.Empty);

    /// <summary>The holder's id as stored, for SQL fragments.</summary>
    public const string SetAsideHolderText = "00000000-0000-0000-0000-000000000000";

    // Someone waits, or tickets are still set aside for a line that has since emptied.
    private const string LineOrSetAsideSql = $"""
        SELECT EXISTS (SELECT 1 FROM waitlist WHERE concert_id = @concertId AND status = 'waiting')
            OR EXISTS (SELECT 1 FROM holds WHERE buyer_id = '{SetAsideHolderText}' AND concert_id = @concertId)
        """;

    private const string LineSql = """
        SELECT id AS Id, tier_id AS TierId, buyer_id AS BuyerId, email AS Email, quantity AS Quantity, leave_token AS LeaveToken, client AS Client
        FROM waitlist WHERE concert_id = @concertId AND status = 'waiting'
        ORDER BY tier_id, seq
        """;

    private const string SetAsideRowsSql = "SELECT tier_id AS TierId, quantity AS Quantity FROM holds WHERE buyer_id = @holder AND concert_id = @concertId";

    /// <summary>
    /// Gives a concert's free tickets to its waiting lines (first fit, place kept), sets aside what nobody in line can
    /// use yet, and puts set-aside tickets back on sale once nobody waits. Cheap when nobody waits: two indexed lookups.
    /// An entry whose offer would take its buyer past <see cref="TicketLimits.PerBuyerPerTier"/> or its address past
    /// <see cref="TicketLimits.HeldPerAddress"/> is passed over without a claim on the tickets: they go to the next
    /// entry that fits, or on sale, exactly as if it were not in line.
    /// </summary>
    public static void Serve(WriteContext context, Guid concertId, OfferRules rules)
    {
        var connection = context.Connection;
        if (!connection.ExecuteScalar<bool>(LineOrSetAsideSql, new { concertId }, context.Transaction))
        {
            return;
        }

        // Offers that ran out end here (the trigger marks their entries expired) and their tickets join the pool.
        Stock.ReclaimExpired(context, concertId);
        var setAside = connection.Query<(long TierId, long Quantity)>(SetAsideRowsSql, new { holder = SetAsideHolder.Value, concertId }, context.Transaction)
            .ToDictionary(r => r.TierId, r => r.Quantity);
        var lines = connection.Query<LineRow>(LineSql, new { concertId }, context.Transaction).ToLookup(e => e.TierId);
        OfferTally? tally = null;
        foreach (var tier in Stock.Tiers(context, concertId).Where(t => lines.Contains(t.Id) || setAside.ContainsKey(t.Id)))
        {
            var aside = setAside.GetValueOrDefault(tier.Id);
            var free = tier.FreeFor(aside); // the set-aside tickets are the line's to hand out
            var offered = new List<LineRow>();
            var owed = false;
            foreach (var entry in lines[tier.Id])
            {
                if (entry.Quantity > free)
                {
                    owed = true; // place kept: what is free now waits for this entry too
                    continue;
                }

                // Read once per pass, and only when an entry fits: a sold-out tier's line costs nothing more.
                tally ??= OfferTally.Read(context, concertId, rules);
                if (tally.Allows(entry))
                {
                    tally.Add(entry);
                    offered.Add(entry);
                    free -= entry.Quantity;
                }
            }

            var keep = owed ? free : 0;
            if (offered.Count == 0 && keep == aside)
            {
                continue;
            }

            if (aside > 0)
            {
                // Deleting the row frees its seats (trigger holds_free_seats); they are handed out again below.
                connection.Execute(DeleteSetAsideSql, new { holder = SetAsideHolder.Value, concertId, tierId = tier.Id }, context.Transaction);
                Stock.AdjustInHolds(context, tier.Id, -aside);
            }

            var version = tier.Reserved ? SeatCommands.NextVersion(context, concertId) : 0;
            foreach (var entry in offered)
            {
                Offer(context, concertId, tier, entry, version, rules.OfferWindow);
            }

            if (keep > 0)
            {
                SetAside(context, concertId, tier, keep, version);
            }

            context.AvailabilityChanged(concertId);
        }
    }

    private const string DeleteSetAsideSql = "DELETE FROM holds WHERE buyer_id = @holder AND concert_id = @concertId AND tier_id = @tierId";

    private const string NewCheckoutSql = "UPDATE holds SET hold_id = @holdId WHERE buyer_id = @buyer AND concert_id = @concertId";

    // Tickets of the tier the buyer has bought, and holds now (an offer joins that hold).
    private const string OwnTicketsSql = """
        SELECT (SELECT COALESCE(CAST(SUM(i.quantity) AS BIGINT), 0) FROM bookings b JOIN booking_items i ON i.booking_id = b.id
                WHERE b.buyer_id = @buyer AND b.concert_id = @concertId AND i.tier_id = @tierId)
             + (SELECT COALESCE(CAST(SUM(h.quantity) AS BIGINT), 0) FROM holds h
                WHERE h.buyer_id = @buyer AND h.concert_id = @concertId AND h.tier_id = @tierId AND h.expires_at > @now)
        """;

    // What each buyer in the concert's lines has of each tier: bought, and held now.
    private const string OwnedByLineSql = """
        SELECT buyer_id AS BuyerId, tier_id AS TierId, CAST(SUM(quantity) AS BIGINT) AS Quantity FROM (
            SELECT b.buyer_id, i.tier_id, i.quantity FROM bookings b JOIN booking_items i ON i.booking_id = b.id
            WHERE b.concert_id = @concertId AND b.buyer_id IN (SELECT buyer_id FROM waitlist WHERE concert_id = @concertId AND status = 'waiting')
            UNION ALL
            SELECT h.buyer_id, h.tier_id, h.quantity FROM holds h
            WHERE h.concert_id = @concertId AND h.expires_at > @now
              AND h.buyer_id IN (SELECT buyer_id FROM waitlist WHERE concert_id = @concertId AND status = 'waiting')
        ) owned
        GROUP BY buyer_id, tier_id
        """;

    // Tickets of the concert held now from each address someone in its lines joined from.
    private const string HeldByLineAddressesSql = """
        SELECT client AS Client, CAST(SUM(quantity) AS BIGINT) AS Quantity FROM holds
        WHERE concert_id = @concertId AND expires_at > @now
          AND client IN (SELECT client FROM waitlist WHERE concert_id = @concertId AND status = 'waiting' AND client IS NOT NULL)
        GROUP BY client
        """;

    /// <summary>
    /// What one pass over a concert's lines may still offer: each waiting buyer's tickets per tier (bought and held) and
    /// each address's tickets held, read once and kept up to date as offers are planned. An offer must keep its buyer within
    /// <see cref="TicketLimits.PerBuyerPerTier"/> of the tier and its address within <see cref="TicketLimits.HeldPerAddress"/>.
    /// </summary>
    private sealed class OfferTally(Dictionary<(Guid Buyer, long Tier), long> owned, Dictionary<string, long> held, OfferRules rules)
    {
        public static OfferTally Read(WriteContext context, Guid concertId, OfferRules rules)
        {
            var parameters = new { concertId, now = context.NowMs };
            var owned = context.Connection.Query<(Guid BuyerId, long TierId, long Quantity)>(OwnedByLineSql, parameters, context.Transaction)
                .ToDictionary(r => (r.BuyerId, r.TierId), r => r.Quantity);
            var held = context.Connection.Query<(string Client, long Quantity)>(HeldByLineAddressesSql, parameters, context.Transaction)
                .ToDictionary(r => r.Client, r => r.Quantity, StringComparer.Ordinal);
            return new OfferTally(owned, held, rules);
        }

        public bool Allows(LineRow entry) =>
            rules.Limits.BuyerMayHave(owned.GetValueOrDefault((entry.BuyerId, entry.TierId)), entry.Quantity)
            && (entry.Client is null || rules.Limits.AddressMayHold(held.GetValueOrDefault(entry.Client), entry.Quantity));

        public void Add(LineRow entry)
        {
            owned[(entry.BuyerId, entry.TierId)] = owned.GetValueOrDefault((entry.BuyerId, entry.TierId)) + entry.Quantity;
            if (entry.Client is { } client)
            {
                held[client] = held.GetValueOrDefault(client) + entry.Quantity;
            }
        }
    }

    // An offer joins the buyer's checkout; on a tier they already hold it adds to the row and keeps the later expiry. The
    // tickets count as held from the address the buyer joined from.
    private const string OfferRowSql = """
        INSERT INTO holds (buyer_id, concert_id, tier_id, hold_id, quantity, created_at, expires_at, last_activity_at, client, waitlist_id)
        VALUES (@buyer, @concertId, @tierId, @holdId, @quantity, @now, @expiresAt, @now, @client, @entryId)
        ON CONFLICT (buyer_id, concert_id, tier_id) DO UPDATE SET
            quantity = holds.quantity + excluded.quantity, expires_at = MAX(holds.expires_at, excluded.expires_at),
            client = COALESCE(excluded.client, holds.client), waitlist_id = excluded.waitlist_id
        """;

    private const string MarkOfferedSql = "UPDATE waitlist SET status = 'offered', offered_at = @now, offer_expires_at = @expiresAt WHERE id = @entryId AND status = 'waiting'";

    private const string StartsAtSql = "SELECT starts_at FROM concerts WHERE id = @concertId";

    private static void Offer(WriteContext context, Guid concertId, TierStock tier, LineRow entry, long version, TimeSpan window)
    {
        var connection = context.Connection;
        var buyer = new BuyerId(entry.BuyerId);
        // Sales close when the show starts, and so does an offer.
        var expiresAt = Math.Min(context.NowMs + (long)window.TotalMilliseconds, tier.StartsAt);
        var holdId = Guid.CreateVersion7(context.Now);
        var quantity = (int)entry.Quantity;
        connection.Execute(NewCheckoutSql, new { holdId, buyer = buyer.Value, concertId }, context.Transaction);
        connection.Execute(OfferRowSql, new { buyer = buyer.Value, concertId, tierId = tier.Id, holdId, quantity, now = context.NowMs, expiresAt, client = entry.Client, entryId = entry.Id }, context.Transaction);
        Stock.AdjustInHolds(context, tier.Id, quantity);

        IReadOnlyList<string>? seats = null;
        if (tier.Reserved)
        {
            var free = SeatCommands.FreeSeats(context, concertId, tier.Id);
            // The best block the engine would give any buyer asking for this many; accessible seats only when nothing else is left.
            var choice = BestAvailable.Choose(free, quantity, BestAvailable.Stage)
                ?? BestAvailable.Choose(free, quantity, BestAvailable.Stage, accessible: true)
                ?? throw new InvalidOperationException($"{free.Count} free seats of tier {tier.Code} cannot seat an offer of {quantity}; the counters disagree with the seats.");
            var own = SeatCommands.HeldBy(connection, context.Transaction, buyer, concertId).GetValueOrDefault(tier.Id)?.Labels ?? [];
            SeatCommands.Hold(context, buyer, concertId, tier.Id, [.. own, .. choice.Labels], version);
            seats = choice.Labels;
        }

        connection.Execute(MarkOfferedSql, new { now = context.NowMs, expiresAt, entryId = entry.Id }, context.Transaction);
        // Holding an offer counts as holding for the buyer's turn in an open waiting room: it keeps its whole window.
        OnSale.WaitingRoomCommands.Held(context, buyer, concertId);
        var offer = new WaitlistOffer(buyer, entry.Id, concertId, tier.Code, tier.Name, quantity, seats, DateTimeOffset.FromUnixTimeMilliseconds(expiresAt));
        Email.Outbox.EnqueueWaitlistOffer(context, offer, entry.Email, entry.LeaveToken);
        context.Offered(offer);
    }

    private const string SetAsideRowSql = """
        INSERT INTO holds (buyer_id, concert_id, tier_id, hold_id, quantity, created_at, expires_at, last_activity_at, client)
        VALUES (@holder, @concertId, @tierId, @holdId, @quantity, @now, @startsAt, @now, NULL)
        """;

    private static void SetAside(WriteContext context, Guid concertId, TierStock tier, long quantity, long version)
    {
        IReadOnlyList<string>? labels = null;
        if (tier.Reserved)
        {
            // Every seat still free: the counters say how many, the seat rows which.
            labels = [.. SeatCommands.FreeSeats(context, concertId, tier.Id).Where(s => s.Available).Select(s => s.Label)];
            quantity = labels.Count;
            if (quantity == 0)
            {
                return;
            }
        }

        context.Connection.Execute(SetAsideRowSql, new
        {
            holder = SetAsideHolder.Value,
            concertId,
            tierId = tier.Id,
            holdId = Guid.CreateVersion7(context.Now),
            quantity,
            now = context.NowMs,
            startsAt = tier.StartsAt,
        }, context.Transaction);
        Stock.AdjustInHolds(context, tier.Id, quantity);
        if (labels is not null)
        {
            SeatCommands.Hold(context, SetAsideHolder, concertId, tier.Id, labels, version);
        }
    }

    private const string ActiveEntrySql = """
        SELECT id FROM waitlist WHERE tier_id = @tierId AND buyer_id = @buyer AND status IN ('waiting', 'offered')
        """;

    private const string WaitingCountSql = "SELECT COUNT(*) FROM waitlist WHERE concert_id = @concertId AND tier_id = @tierId AND status = 'waiting'";

    // A "you're on the list" e-mail went to this address within the hour.
    private const string MailedLatelySql = "SELECT EXISTS (SELECT 1 FROM waitlist WHERE email_key = @emailKey AND created_at > @since AND joined_mail = 1)";

    private const string InsertEntrySql = """
        INSERT INTO waitlist (id, concert_id, tier_id, buyer_id, email, email_key, quantity, seq, status, leave_token, created_at, client, joined_mail)
        VALUES (@id, @concertId, @tierId, @buyer, @email, @emailKey, @quantity,
                COALESCE((SELECT MAX(seq) FROM waitlist WHERE tier_id = @tierId), 0) + 1, 'waiting', @token, @now, @client, @mail)
        """;

    /// <summary>How often one address is told it joined a line: more joins within this get no e-mail (the page shows the place).</summary>
    internal static readonly TimeSpan JoinedMailInterval = TimeSpan.FromHours(1);

    /// <summary>
    /// Puts the buyer in the tier's line, when the tier has nothing for sale: one place per buyer and tier, within the
    /// per-buyer maximum and the line's length, and, while the concert's waiting room is open, only with an admission of
    /// their own, like a hold. The confirmation e-mail carries a leave link; an address gets at most one an hour.
    /// </summary>
    public static JoinOutcome Join(WriteContext context, WaitlistJoin join)
    {
        var (buyer, request, client, limits, maxEntriesPerTier, room, admission) = join;
        var connection = context.Connection;
        var tiers = Stock.Tiers(context, request.ConcertId);
        if (tiers.Count == 0)
        {
            return new JoinOutcome(new JoinResult.ConcertNotFound(), null);
        }

        if (tiers[0].StartsAt <= context.NowMs)
        {
            return new JoinOutcome(new JoinResult.SalesClosed(), null);
        }

        if (tiers[0].OnSaleAt is { } onSaleAt)
        {
            if (onSaleAt > context.NowMs)
            {
                return new JoinOutcome(new JoinResult.NotOnSaleYet(DateTimeOffset.FromUnixTimeMilliseconds(onSaleAt), Stock.TimeZone(context, request.ConcertId)), null);
            }

            // Tickets that come back in an open room are the room's: only a buyer whose turn it is may wait for them.
            if (room.IsOpen(DateTimeOffset.FromUnixTimeMilliseconds(onSaleAt), DateTimeOffset.FromUnixTimeMilliseconds(tiers[0].StartsAt), context.Now)
                && OnSale.WaitingRoomCommands.CheckAdmission(context, buyer, request.ConcertId, admission) is { } notAdmitted)
            {
                return new JoinOutcome(new JoinResult.AdmissionRequired(notAdmitted), null);
            }
        }

        var tier = tiers.Find(t => t.Code.Equals(request.Tier, StringComparison.OrdinalIgnoreCase));
        if (tier is null)
        {
            return new JoinOutcome(new JoinResult.UnknownTier(request.Tier), null);
        }

        // Tickets whose holds ran out are free (or owed to people already waiting): reclaim before judging.
        if (HoldCommands.Reclaim(context, request.ConcertId) > 0)
        {
            tier = Stock.Tiers(context, request.ConcertId).Find(t => t.Id == tier.Id)!;
        }

        var available = tier.FreeFor();
        if (available > 0)
        {
            return new JoinOutcome(new JoinResult.TicketsAvailable(tier.Code, (int)available), null);
        }

        if (connection.ExecuteScalar<Guid?>(ActiveEntrySql, new { tierId = tier.Id, buyer = buyer.Value }, context.Transaction) is { } existing)
        {
            return new JoinOutcome(new JoinResult.AlreadyWaiting(WaitlistQueries.Entry(connection, context.Transaction, existing)!), existing);
        }

        var own = connection.ExecuteScalar<long>(OwnTicketsSql, new { buyer = buyer.Value, concertId = request.ConcertId, tierId = tier.Id, now = context.NowMs }, context.Transaction);
        if (!limits.BuyerMayHave(own, request.Quantity))
        {
            return new JoinOutcome(new JoinResult.BuyerLimitReached(tier.Code, limits.PerBuyerPerTier, (int)own), null);
        }

        if (connection.ExecuteScalar<long>(WaitingCountSql, new { concertId = request.ConcertId, tierId = tier.Id }, context.Transaction) >= maxEntriesPerTier)
        {
            return new JoinOutcome(new JoinResult.LineFull(tier.Code, maxEntriesPerTier), null);
        }

        var id = Guid.CreateVersion7(context.Now);
        var token = Base64Url(RandomNumberGenerator.GetBytes(16));
        var email = request.Email.Trim();
        var emailKey = email.ToLowerInvariant();
        var mail = !connection.ExecuteScalar<bool>(MailedLatelySql, new { emailKey, since = context.NowMs - (long)JoinedMailInterval.TotalMilliseconds }, context.Transaction);
        connection.Execute(InsertEntrySql, new
        {
            id,
            concertId = request.ConcertId,
            tierId = tier.Id,
            buyer = buyer.Value,
            email,
            emailKey,
            quantity = request.Quantity,
            token,
            now = context.NowMs,
            client,
            mail,
        }, context.Transaction);
        if (mail)
        {
            Email.Outbox.EnqueueWaitlistJoined(context, id, token);
        }

        context.WaitlistChanged(buyer, request.ConcertId);
        // The line grew: its counts are part of the snapshot, and seats already set aside may fit this entry at once.
        context.AvailabilityChanged(request.ConcertId);
        return new JoinOutcome(null, id);
    }

    /// <summary>
    /// One join as the writer runs it: who asks, from which client address (<c>null</c> for in-process callers), under which
    /// limits, and the request's admission with its signature checked (needed while the concert's waiting room is open).
    /// </summary>
    internal sealed record WaitlistJoin(
        BuyerId Buyer, JoinRequest Request, string? Client, TicketLimits Limits, int MaxEntriesPerTier, OnSale.WaitingRoomOptions Room, OnSale.VerifiedAdmission? Admission);

    /// <summary>What <see cref="Join"/> decided: a refusal, or the id of the entry (new, or the one already waiting).</summary>
    internal sealed record JoinOutcome(JoinResult? Refusal, Guid? EntryId);

    private const string OwnEntrySql = """
        SELECT id AS Id, concert_id AS ConcertId, tier_id AS TierId, buyer_id AS BuyerId, status AS Status FROM waitlist
        WHERE id = @entryId AND ((@buyer IS NOT NULL AND buyer_id = @buyer) OR (@token IS NOT NULL AND leave_token = @token))
        """;

    private const string MarkLeftSql = "UPDATE waitlist SET status = 'left', ended_at = @now WHERE id = @entryId AND status IN ('waiting', 'offered')";

    private const string DeleteOfferSql = """
        DELETE FROM holds WHERE waitlist_id = @entryId AND buyer_id = @buyer AND concert_id = @concertId
        RETURNING tier_id AS TierId, quantity AS Quantity
        """;

    /// <summary>
    /// Ends the entry, found by its buyer or by the token from its e-mails. An offer it holds is released and passes on
    /// (the writer serves the line before this commits); the entries behind it move up.
    /// </summary>
    public static LeaveResult Leave(WriteContext context, Guid entryId, BuyerId? buyer, string? token)
    {
        var connection = context.Connection;
        var found = connection.QuerySingleOrDefault<OwnEntryRow>(OwnEntrySql, new { entryId, buyer = buyer?.Value, token }, context.Transaction);
        if (found is null)
        {
            return new LeaveResult.NotFound();
        }

        if (found.Status == "converted")
        {
            return new LeaveResult.AlreadyBooked();
        }

        if (connection.Execute(MarkLeftSql, new { entryId, now = context.NowMs }, context.Transaction) == 0)
        {
            return new LeaveResult.Left(); // it had ended already: leaving twice is no error
        }

        foreach (var row in connection.Query<(long TierId, long Quantity)>(DeleteOfferSql, new { entryId, buyer = found.BuyerId, concertId = found.ConcertId }, context.Transaction))
        {
            Stock.AdjustInHolds(context, row.TierId, -row.Quantity);
        }

        context.AvailabilityChanged(found.ConcertId);
        context.WaitlistChanged(new BuyerId(found.BuyerId), found.ConcertId);
        return new LeaveResult.Left();
    }

    private const string ConvertSql = """
        UPDATE waitlist SET status = 'converted', ended_at = @now
        WHERE status = 'offered' AND id IN (SELECT waitlist_id FROM holds WHERE buyer_id = @buyer AND concert_id = @concertId AND waitlist_id IS NOT NULL)
        """;

    /// <summary>The buyer's checkout is being paid: the offers in it became a booking. Run before its hold rows are deleted.</summary>
    public static void Converted(WriteContext context, BuyerId buyer, Guid concertId) =>
        context.Connection.Execute(ConvertSql, new { now = context.NowMs, buyer = buyer.Value, concertId }, context.Transaction);

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private sealed record OwnEntryRow(Guid Id, Guid ConcertId, long TierId, Guid BuyerId, string Status);

    private sealed record LineRow(Guid Id, long TierId, Guid BuyerId, string Email, long Quantity, string LeaveToken, string? Client);
}
