using Dapper;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Seating;

/// <summary>
/// What organizers change about seats: a tier's layout and seats' flags. Through the single writer, like every
/// inventory change; a seat somebody holds or bought is never removed or taken off sale.
/// </summary>
public sealed class SeatingAdmin(GroupCommitWriter writer, ConcertCatalog catalog, SeatMaps maps)
{
    private const string ConcertSeatsSql = """
        SELECT s.label AS Label, t.code AS Tier, s.held_by IS NOT NULL OR s.ticket_id IS NOT NULL AS Taken
        FROM seats s JOIN tiers t ON t.id = s.tier_id
        WHERE s.concert_id = @concertId
        """;

    private const string DeleteFreeSeatsSql = "DELETE FROM seats WHERE concert_id = @concertId AND tier_id = @tierId AND label NOT IN @labels";

    private const string UpsertSeatSql = """
        INSERT INTO seats (concert_id, label, tier_id, section, row, number, x, y, accessible, not_for_sale, version)
        VALUES (@concertId, @Label, @tierId, @Section, @Row, @Number, @X, @Y, @Accessible, @NotForSale, @version)
        ON CONFLICT (concert_id, label) DO UPDATE SET
            x = excluded.x, y = excluded.y, accessible = excluded.accessible, not_for_sale = excluded.not_for_sale, version = excluded.version
        """;

    private const string RecountSql = """
        UPDATE tiers SET kind = 'reserved',
            capacity = (SELECT COUNT(*) FROM seats WHERE tier_id = @tierId AND not_for_sale = 0)
        WHERE id = @tierId
        """;

    /// <summary>
    /// Makes the tier reserved with exactly these seats (generated or uploaded; see <see cref="SeatLayouts"/>). Seats that
    /// are held or sold must stay, for sale; a general tier that has already sold or holds tickets cannot get seats.
    /// The tier's capacity becomes its seats for sale.
    /// </summary>
    public async Task<AdminResult> SetLayoutAsync(Guid concertId, string tierCode, LayoutResult layout)
    {
        ArgumentNullException.ThrowIfNull(layout);
        if (!layout.Valid)
        {
            return new AdminResult.Invalid(new Dictionary<string, string[]> { ["layout"] = [.. layout.Errors] });
        }

        var outcome = await writer.ExecuteAsync<AdminResult?>(context =>
        {
            HoldCommands.Reclaim(context, concertId);
            if (Tier(context, concertId, tierCode) is not { } tier)
            {
                return new AdminResult.NotFound($"This concert has no {tierCode} tier.");
            }

            if (!tier.Reserved && tier.Sold + tier.InHolds > 0)
            {
                return new AdminResult.Conflict($"{tier.Code} already has general-admission tickets sold or held; it cannot become seated.");
            }

            var seats = context.Connection.Query<(string Label, string Tier, bool Taken)>(ConcertSeatsSql, new { concertId }, context.Transaction);
            var wanted = layout.Seats.ToDictionary(s => s.Label, StringComparer.Ordinal);
            var clashes = seats.Where(s => s.Tier != tier.Code && wanted.ContainsKey(s.Label)).Select(s => $"{s.Label} ({s.Tier})").Take(10).ToList();
            if (clashes.Count > 0)
            {
                return new AdminResult.Conflict($"These seats belong to another tier: {string.Join(", ", clashes)}.");
            }

            var kept = seats.Where(s => s.Tier == tier.Code && s.Taken && (!wanted.TryGetValue(s.Label, out var seat) || seat.NotForSale)).Select(s => s.Label).Take(10).ToList();
            if (kept.Count > 0)
            {
                return new AdminResult.Conflict($"Buyers hold or bought {string.Join(", ", kept)}; those seats must stay in the layout and for sale.");
            }

            var version = SeatCommands.NextVersion(context, concertId);
            context.Connection.Execute(DeleteFreeSeatsSql, new { concertId, tierId = tier.Id, labels = wanted.Keys.ToList() }, context.Transaction);
            context.Connection.Execute(UpsertSeatSql, layout.Seats.Select(s => new
            {
                concertId, s.Label, tierId = tier.Id, s.Section, s.Row, s.Number, s.X, s.Y, s.Accessible, s.NotForSale, version,
            }), context.Transaction);
            context.Connection.Execute(RecountSql, new { tierId = tier.Id }, context.Transaction);
            context.AvailabilityChanged(concertId);
            return null;
        }).ConfigureAwait(false);
        return outcome ?? await SavedAsync(concertId).ConfigureAwait(false);
    }

    private const string FlagSeatsSql = """
        UPDATE seats SET
            accessible = COALESCE(@accessible, accessible),
            not_for_sale = COALESCE(@notForSale, not_for_sale),
            version = @version
        WHERE concert_id = @concertId AND label IN @labels
        RETURNING tier_id
        """;

    private const string SeatsByLabelSql = """
        SELECT label AS Label, held_by IS NOT NULL OR ticket_id IS NOT NULL AS Taken FROM seats
        WHERE concert_id = @concertId AND label IN @labels
        """;

    /// <summary>Marks seats accessible or not, for sale or not (a <c>null</c> leaves that flag). A taken seat cannot be taken off sale.</summary>
    public async Task<AdminResult> SetFlagsAsync(Guid concertId, IReadOnlyCollection<string> labels, bool? accessible, bool? notForSale)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0 || (accessible is null && notForSale is null))
        {
            return new AdminResult.Invalid(new Dictionary<string, string[]> { ["seats"] = ["Choose seats and what to change about them."] });
        }

        var outcome = await writer.ExecuteAsync<AdminResult?>(context =>
        {
            HoldCommands.Reclaim(context, concertId);
            var found = context.Connection.Query<(string Label, bool Taken)>(SeatsByLabelSql, new { concertId, labels }, context.Transaction);
            var missing = labels.Except(found.Select(f => f.Label), StringComparer.Ordinal).Take(10).ToList();
            if (missing.Count > 0)
            {
                return new AdminResult.NotFound($"This concert has no seat {string.Join(", ", missing)}.");
            }

            if (notForSale == true && found.Where(f => f.Taken).Select(f => f.Label).Take(10).ToList() is { Count: > 0 } taken)
            {
                return new AdminResult.Conflict($"Buyers hold or bought {string.Join(", ", taken)}; those seats stay for sale.");
            }

            var version = SeatCommands.NextVersion(context, concertId);
            var tiers = context.Connection.Query<long>(FlagSeatsSql, new { accessible, notForSale, version, concertId, labels }, context.Transaction).Distinct().ToList();
            foreach (var tierId in tiers)
            {
                context.Connection.Execute(RecountSql, new { tierId }, context.Transaction);
            }

            context.AvailabilityChanged(concertId);
            return null;
        }).ConfigureAwait(false);
        return outcome ?? await SavedAsync(concertId).ConfigureAwait(false);
    }

    private static Inventory.TierStock? Tier(WriteContext context, Guid concertId, string code) =>
        Inventory.Stock.Tiers(context, concertId).Find(t => t.Code.Equals(code, StringComparison.OrdinalIgnoreCase));

    private async Task<AdminResult> SavedAsync(Guid concertId)
    {
        maps.Redrawn(concertId);
        return await catalog.GetAsync(concertId).ConfigureAwait(false) is { } concert ? new AdminResult.Saved(concert) : new AdminResult.NotFound("There is no such concert.");
    }
}
