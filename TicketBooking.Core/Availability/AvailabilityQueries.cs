using System.Data;
using System.Data.Common;
using Dapper;
using TicketBooking.Core.Storage;
using TicketBooking.Core.Concerts;

namespace TicketBooking.Core.Availability;

internal static class AvailabilityQueries
{
    private const string TiersSql = $"""
        SELECT t.code AS Code, {ConcertCatalog.TierCountsSql}, t.kind = 'reserved' AS Reserved
        FROM tiers t
        WHERE t.concert_id = @concertId
        ORDER BY t.sort_order
        """;

    private const string VersionSql = "SELECT availability_version FROM concerts WHERE id = @concertId";

    /// <summary>The snapshot a write publishes, read inside its transaction, with the seats it changed.</summary>
    public static AvailabilitySnapshot Read(DbConnection connection, IDbTransaction transaction, Guid concertId, long version, DateTimeOffset now)
    {
        var tiers = ToTiers(connection.Query<TierRow>(TiersSql, new { concertId, now }, transaction));
        var seats = tiers.Exists(t => t.Reserved) ? Seating.SeatCommands.ChangedIn(connection, transaction, concertId, version) : [];
        return new AvailabilitySnapshot(concertId, version, now, tiers, seats);
    }

    /// <summary>The current snapshot of a concert, or <c>null</c> when there is no such concert.</summary>
    public static async Task<AvailabilitySnapshot?> ReadAsync(System.Data.Common.DbConnection connection, Guid concertId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        // One read transaction so the version and the counts come from the same snapshot (without SQLite's write lock).
        using var transaction = connection.BeginSnapshot();
        var version = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(VersionSql, new { concertId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (version is null)
        {
            return null;
        }

        var tiers = await connection.QueryAsync<TierRow>(new CommandDefinition(TiersSql, new { concertId, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new AvailabilitySnapshot(concertId, version.Value, now, ToTiers(tiers));
    }

    private static List<TierAvailability> ToTiers(IEnumerable<TierRow> rows) =>
        [.. rows.Select(r => new TierAvailability(r.Code, (int)r.Capacity, (int)r.Sold, (int)r.Held, r.Reserved, (int)r.SetAside, (int)r.Waiting, (int)r.WaitingTickets))];

    /// <summary>Settable properties, not a positional record: with no rows SQLite reports the computed Held column as BLOB, which Dapper cannot match to a constructor.</summary>
    private sealed class TierRow
    {
        public string Code { get; init; } = "";

        public long Capacity { get; init; }

        public long Sold { get; init; }

        public long Held { get; init; }

        public long SetAside { get; init; }

        public long Waiting { get; init; }

        public long WaitingTickets { get; init; }

        public bool Reserved { get; init; }
    }
}
