using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Seating;

/// <summary>Reads a concert's seat map (DESIGN §18): every seat's state exact at the moment of reading.</summary>
public sealed class SeatMaps(ConnectionFactory connections, TimeProvider time)
{
    private const string VersionSql = "SELECT availability_version FROM concerts WHERE id = @concertId";

    // A seat held by a hold that has run out is free from its expires_at on, swept or not.
    private const string SeatsSql = """
        SELECT s.label AS Label, t.code AS Tier, s.section AS Section, s.row AS Row, s.number AS Number, s.x AS X, s.y AS Y,
               s.accessible AS Accessible,
               CASE WHEN s.not_for_sale = 1 THEN 'NotForSale'
                    WHEN s.ticket_id IS NOT NULL THEN @sold
                    WHEN h.expires_at > @now THEN CASE WHEN s.held_by = @viewer THEN 'Yours' ELSE @held END
                    ELSE 'Available' END AS Status
        FROM seats s
        JOIN tiers t ON t.id = s.tier_id
        LEFT JOIN holds h ON h.buyer_id = s.held_by AND h.concert_id = s.concert_id AND h.tier_id = s.tier_id
        WHERE s.concert_id = @concertId AND (@since IS NULL OR s.version > @since)
        ORDER BY t.sort_order, s.section, length(s.row), s.row, s.number
        """;

    /// <summary>
    /// The concert's seats as <paramref name="viewer"/> sees them (their own held seats are <see cref="SeatStatus.Yours"/>),
    /// or with <paramref name="since"/> only those changed after that version; <c>null</c> when there is no such concert.
    /// </summary>
    public async Task<SeatMap?> GetAsync(Guid concertId, BuyerId? viewer, long? since = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One read transaction: the version and the seats come from the same WAL snapshot.
        using var transaction = connection.BeginSnapshot();
        var version = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(VersionSql, new { concertId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (version is null)
        {
            return null;
        }

        var rows = await connection.QueryAsync<SeatRecord>(new CommandDefinition(SeatsSql, new
        {
            concertId,
            viewer = viewer?.Value,
            since,
            now = time.GetUtcNow(),
            sold = nameof(SeatStatus.Taken),
            held = nameof(SeatStatus.Taken),
        }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new SeatMap(concertId, version.Value, Complete: since is null, [.. rows.Select(r => r.ToState())]);
    }

    /// <summary>How the organizer's map tells taken seats apart (buyers only ever see <see cref="SeatStatus.Taken"/>).</summary>
    public static class OrganizerStatus
    {
        public const string Held = "Held";
        public const string Sold = "Sold";
    }

    /// <summary>The seats' statuses as the organizer's map shows them, by label: Available, Held, Sold or NotForSale.</summary>
    public async Task<IReadOnlyDictionary<string, string>> OrganizerStatusesAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<SeatRecord>(new CommandDefinition(SeatsSql, new
        {
            concertId,
            viewer = (Guid?)null,
            since = (long?)null,
            now = time.GetUtcNow(),
            sold = OrganizerStatus.Sold,
            held = OrganizerStatus.Held,
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.ToDictionary(r => r.Label, r => r.Status, StringComparer.Ordinal);
    }
}
