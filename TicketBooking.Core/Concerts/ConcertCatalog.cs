using Dapper;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Concerts;

/// <summary>Reads concerts and their live availability. Every count is exact at the moment of reading.</summary>
public sealed class ConcertCatalog(ConnectionFactory connections, TimeProvider time)
{
    /// <summary>A tier's counts for readers (Capacity, Sold, Held, SetAside: <see cref="Inventory.Stock"/>) and its waiting line's (Waiting, WaitingTickets).</summary>
    internal const string TierCountsSql = $"{Inventory.Stock.TierColumnsSql}, {Waitlist.WaitlistQueries.LineCountsSql}";

    private const string ConcertsSql = """
        SELECT id AS Id, name AS Name, artist AS Artist, venue AS Venue, city AS City, time_zone AS TimeZone,
               starts_at AS StartsAt, description AS Description, availability_version AS Version, on_sale_at AS OnSaleAt
        FROM concerts
        WHERE (@id IS NULL OR id = @id) AND (@includePast = 1 OR starts_at > @now)
        ORDER BY starts_at, name
        """;

    private const string TiersSql = $"""
        SELECT t.concert_id AS ConcertId, t.code AS Code, t.name AS Name, t.price_cents AS PriceCents,
               {TierCountsSql}, t.kind = 'reserved' AS Reserved
        FROM tiers t JOIN concerts c ON c.id = t.concert_id
        WHERE (@id IS NULL OR c.id = @id) AND (@includePast = 1 OR c.starts_at > @now)
        ORDER BY t.concert_id, t.sort_order
        """;

    /// <summary>Concerts in start order; those that have started are left out unless <paramref name="includePast"/>.</summary>
    public Task<IReadOnlyList<Concert>> ListAsync(bool includePast = false, CancellationToken cancellationToken = default) =>
        ReadAsync(null, includePast, cancellationToken);

    public async Task<Concert?> GetAsync(Guid id, CancellationToken cancellationToken = default) =>
        (await ReadAsync(id, includePast: true, cancellationToken).ConfigureAwait(false)).SingleOrDefault();

    /// <summary>The concert's availability now, or <c>null</c> when there is no such concert.</summary>
    public async Task<AvailabilitySnapshot?> GetAvailabilityAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await AvailabilityQueries.ReadAsync(connection, concertId, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Concert>> ReadAsync(Guid? id, bool includePast, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginSnapshot();
        var parameters = new { id, includePast, now = time.GetUtcNow() };
        var concerts = await connection.QueryAsync<ConcertRow>(new CommandDefinition(ConcertsSql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var tiers = (await connection.QueryAsync<TierRow>(new CommandDefinition(TiersSql, parameters, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false))
            .ToLookup(t => t.ConcertId);
        return [.. concerts.Select(c => new Concert(
            c.Id, c.Name, c.Artist, c.Venue, c.City, c.TimeZone, c.StartsAt, c.Description, c.Version,
            [.. tiers[c.Id].Select(t => new Tier(t.Code, t.Name, t.PriceCents, (int)t.Capacity, (int)t.Sold, (int)t.Held, t.Reserved, (int)t.SetAside, (int)t.Waiting, (int)t.WaitingTickets))],
            c.OnSaleAt is { } onSaleAt ? DateTimeOffset.FromUnixTimeMilliseconds(onSaleAt) : null))];
    }

    private sealed record ConcertRow(Guid Id, string Name, string Artist, string Venue, string City, string TimeZone, DateTimeOffset StartsAt, string Description, long Version, long? OnSaleAt);

    /// <summary>Settable properties, not a positional record: with no rows SQLite reports the computed Held column as BLOB, which Dapper cannot match to a constructor.</summary>
    private sealed class TierRow
    {
        public Guid ConcertId { get; init; }

        public string Code { get; init; } = "";

        public string Name { get; init; } = "";

        public long PriceCents { get; init; }

        public long Capacity { get; init; }

        public long Sold { get; init; }

        public long Held { get; init; }

        public long SetAside { get; init; }

        public long Waiting { get; init; }

        public long WaitingTickets { get; init; }

        public bool Reserved { get; init; }
    }
}
