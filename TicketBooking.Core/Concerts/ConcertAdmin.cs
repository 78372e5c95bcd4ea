using Dapper;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Concerts;

public abstract record AdminResult
{
    private AdminResult()
    {
    }

    public sealed record Saved(Concert Concert) : AdminResult;

    public sealed record Invalid(IReadOnlyDictionary<string, string[]> Errors) : AdminResult;

    public sealed record NotFound(string Message) : AdminResult;

    /// <summary>The change would break a rule given the current sales, e.g. capacity below sold + held.</summary>
    public sealed record Conflict(string Message) : AdminResult;
}

/// <summary>An organizer's edits of a concert's descriptive fields.</summary>
/// <remarks><see cref="OnSaleAt"/> <c>null</c>: on sale now.</remarks>
public sealed record ConcertDetails(string Name, string Artist, string Venue, string City, string TimeZone, DateTimeOffset StartsAt, string? Description, DateTimeOffset? OnSaleAt = null);

/// <summary>What organizers change: concerts, tiers and capacity. Inventory changes go through the single writer.</summary>
public sealed class ConcertAdmin(GroupCommitWriter writer, ConnectionFactory connections, ConcertCatalog catalog, TimeProvider time)
{
    private const string InsertConcertSql = """
        INSERT INTO concerts (id, name, artist, venue, city, time_zone, starts_at, description, created_at, on_sale_at)
        VALUES (@id, @Name, @Artist, @Venue, @City, @TimeZone, @StartsAt, @Description, @now, @onSaleAt)
        """;

    private const string InsertTierSql = """
        INSERT INTO tiers (concert_id, code, name, price_cents, capacity, sort_order)
        VALUES (@concertId, @Code, @Name, @PriceCents, @Capacity,
                COALESCE((SELECT MAX(sort_order) + 1 FROM tiers WHERE concert_id = @concertId), 0))
        """;

    public async Task<AdminResult> CreateAsync(ConcertDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var errors = ConcertRules.Validate(draft, time.GetUtcNow());
        if (errors.Count > 0)
        {
            return new AdminResult.Invalid(errors);
        }

        var id = await writer.ExecuteAsync(context =>
        {
            var id = Guid.CreateVersion7(context.Now);
            context.Connection.Execute(InsertConcertSql, new
            {
                id,
                Name = draft.Name.Trim(),
                Artist = draft.Artist.Trim(),
                Venue = draft.Venue.Trim(),
                City = draft.City.Trim(),
                draft.TimeZone,
                draft.StartsAt,
                Description = draft.Description?.Trim() ?? "",
                now = context.NowMs,
                onSaleAt = draft.OnSaleAt?.ToUnixTimeMilliseconds(),
            }, context.Transaction);
            foreach (var tier in draft.Tiers)
            {
                context.Connection.Execute(InsertTierSql, new { concertId = id, tier.Code, Name = tier.Name.Trim(), tier.PriceCents, tier.Capacity }, context.Transaction);
            }

            context.AvailabilityChanged(id);
            return id;
        }).ConfigureAwait(false);
        return await SavedAsync(id).ConfigureAwait(false);
    }

    private const string UpdateDetailsSql = """
        UPDATE concerts SET name = @Name, artist = @Artist, venue = @Venue, city = @City, time_zone = @TimeZone,
                            starts_at = @StartsAt, description = @Description, on_sale_at = @onSaleAt
        WHERE id = @id
        """;

    public async Task<AdminResult> UpdateDetailsAsync(Guid id, ConcertDetails details)
    {
        ArgumentNullException.ThrowIfNull(details);
        var errors = ConcertRules.ValidateDetails(details.Name, details.Artist, details.Venue, details.City, details.TimeZone, details.StartsAt, details.Description, time.GetUtcNow(), details.OnSaleAt);
        if (errors.Count > 0)
        {
            return new AdminResult.Invalid(errors);
        }

        var updated = await writer.ExecuteAsync(context =>
        {
            var rows = context.Connection.Execute(UpdateDetailsSql, new
            {
                id,
                Name = details.Name.Trim(),
                Artist = details.Artist.Trim(),
                Venue = details.Venue.Trim(),
                City = details.City.Trim(),
                details.TimeZone,
                details.StartsAt,
                Description = details.Description?.Trim() ?? "",
                onSaleAt = details.OnSaleAt?.ToUnixTimeMilliseconds(),
            }, context.Transaction);
            if (rows > 0)
            {
                context.AvailabilityChanged(id);
            }

            return rows > 0;
        }).ConfigureAwait(false);
        return updated ? await SavedAsync(id).ConfigureAwait(false) : ConcertNotFound();
    }

    public async Task<AdminResult> AddTierAsync(Guid concertId, TierDraft tier)
    {
        var errors = ConcertRules.ValidateTier(tier).ToDictionary(e => e.Field, e => new[] { e.Message });
        if (errors.Count > 0)
        {
            return new AdminResult.Invalid(errors);
        }

        var outcome = await writer.ExecuteAsync<AdminResult?>(context =>
        {
            var tiers = Inventory.Stock.Tiers(context, concertId);
            if (tiers.Count == 0)
            {
                return ConcertNotFound();
            }

            if (tiers.Exists(t => t.Code.Equals(tier.Code, StringComparison.OrdinalIgnoreCase)))
            {
                return new AdminResult.Conflict($"This concert already has a {tier.Code} tier.");
            }

            if (tiers.Count >= ConcertRules.MaxTiers)
            {
                return new AdminResult.Conflict($"A concert can have at most {ConcertRules.MaxTiers} tiers.");
            }

            context.Connection.Execute(InsertTierSql, new { concertId, tier.Code, Name = tier.Name.Trim(), tier.PriceCents, tier.Capacity }, context.Transaction);
            context.AvailabilityChanged(concertId);
            return null;
        }).ConfigureAwait(false);
        return outcome ?? await SavedAsync(concertId).ConfigureAwait(false);
    }

    private const string UpdateTierSql = "UPDATE tiers SET name = @name, price_cents = @priceCents WHERE id = @tierId";

    /// <summary>Renames a tier or changes its price. Bookings already made keep the price they paid.</summary>
    public async Task<AdminResult> UpdateTierAsync(Guid concertId, string code, string name, long priceCents)
    {
        var errors = ConcertRules.ValidateTier(new TierDraft(code, name, priceCents, Capacity: 1)).ToDictionary(e => e.Field, e => new[] { e.Message });
        if (errors.Count > 0)
        {
            return new AdminResult.Invalid(errors);
        }

        var outcome = await writer.ExecuteAsync<AdminResult?>(context =>
        {
            var tier = Inventory.Stock.Tiers(context, concertId).Find(t => t.Code.Equals(code, StringComparison.OrdinalIgnoreCase));
            if (tier is null)
            {
                return TierNotFound(code);
            }

            context.Connection.Execute(UpdateTierSql, new { name = name.Trim(), priceCents, tierId = tier.Id }, context.Transaction);
            context.AvailabilityChanged(concertId);
            return null;
        }).ConfigureAwait(false);
        return outcome ?? await SavedAsync(concertId).ConfigureAwait(false);
    }

    private const string SetCapacitySql = "UPDATE tiers SET capacity = @capacity WHERE id = @tierId";

    /// <summary>Changes a tier's capacity; never below what is sold plus what is held right now.</summary>
    public async Task<AdminResult> SetCapacityAsync(Guid concertId, string code, int capacity)
    {
        if (capacity is < 1 or > ConcertRules.MaxCapacity)
        {
            return new AdminResult.Invalid(new Dictionary<string, string[]>
            {
                ["capacity"] = [$"The capacity must be between 1 and {ConcertRules.MaxCapacity:N0}."],
            });
        }

        var outcome = await writer.ExecuteAsync<AdminResult?>(context =>
        {
            HoldCommands.Reclaim(context, concertId);
            var tier = Inventory.Stock.Tiers(context, concertId).Find(t => t.Code.Equals(code, StringComparison.OrdinalIgnoreCase));
            if (tier is null)
            {
                return TierNotFound(code);
            }

            if (tier.Reserved)
            {
                return new AdminResult.Conflict($"{tier.Code} is a seated tier: its capacity is its seats for sale. Change the layout or mark seats for sale instead.");
            }

            var committed = tier.Sold + tier.InHolds;
            if (capacity < committed)
            {
                return new AdminResult.Conflict(
                    $"{tier.Code} cannot go below {committed:N0}: {tier.Sold:N0} sold and {tier.InHolds:N0} held for buyers checking out or waiting in line.");
            }

            context.Connection.Execute(SetCapacitySql, new { capacity, tierId = tier.Id }, context.Transaction);
            context.AvailabilityChanged(concertId);
            return null;
        }).ConfigureAwait(false);
        return outcome ?? await SavedAsync(concertId).ConfigureAwait(false);
    }

    private const string SalesSql = $"""
        SELECT c.name AS ConcertName, c.availability_version AS Version, t.code AS Code, t.name AS Name,
               t.price_cents AS PriceCents, t.capacity AS Capacity, t.sold AS Sold,
               {Inventory.Stock.HeldSql} AS Held, {Inventory.Stock.SetAsideSql} AS SetAside, t.revenue_cents AS RevenueCents
        FROM tiers t JOIN concerts c ON c.id = t.concert_id
        WHERE t.concert_id = @concertId
        ORDER BY t.sort_order
        """;

    public async Task<SalesReport?> GetSalesAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<SalesRow>(new CommandDefinition(SalesSql, new { concertId, now }, cancellationToken: cancellationToken)).ConfigureAwait(false));
        if (rows.Count == 0)
        {
            return null;
        }

        return new SalesReport(concertId, rows[0].ConcertName, rows[0].Version, now,
            [.. rows.Select(r => new TierSales(r.Code, r.Name, r.PriceCents, (int)r.Capacity, (int)r.Sold, (int)r.Held, r.RevenueCents, (int)r.SetAside))]);
    }

    private const string TimelineSql = """
        SELECT (b.created_at - @since) / @slot AS Slot, CAST(SUM(i.quantity) AS BIGINT) AS Tickets, CAST(SUM(i.quantity * i.unit_price_cents) AS BIGINT) AS RevenueCents
        FROM bookings b JOIN booking_items i ON i.booking_id = b.id
        WHERE b.concert_id = @concertId AND b.created_at >= @since AND b.created_at < @until
        GROUP BY Slot
        """;

    /// <summary>
    /// Tickets sold and revenue in <paramref name="slots"/> equal slices of the <paramref name="span"/> up to now, oldest
    /// first; slices without sales are zero.
    /// </summary>
    public async Task<IReadOnlyList<SalesSlice>> GetSalesTimelineAsync(Guid concertId, TimeSpan span, int slots, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(slots, 1);
        var until = time.GetUtcNow();
        var slot = span / slots;
        var since = until - span;
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<(long Slot, long Tickets, long RevenueCents)>(new CommandDefinition(TimelineSql,
            new { concertId, since = since.ToUnixTimeMilliseconds(), until = until.ToUnixTimeMilliseconds(), slot = (long)slot.TotalMilliseconds },
            cancellationToken: cancellationToken)).ConfigureAwait(false)).ToDictionary(r => r.Slot);
        return [.. Enumerable.Range(0, slots).Select(i => rows.TryGetValue(i, out var row)
            ? new SalesSlice(since + (slot * i), (int)row.Tickets, row.RevenueCents)
            : new SalesSlice(since + (slot * i), 0, 0))];
    }

    private async Task<AdminResult> SavedAsync(Guid id) =>
        await catalog.GetAsync(id).ConfigureAwait(false) is { } concert ? new AdminResult.Saved(concert) : ConcertNotFound();

    private static AdminResult.NotFound ConcertNotFound() => new("There is no such concert.");

    private static AdminResult.NotFound TierNotFound(string code) => new($"This concert has no {code} tier.");

    /// <summary>Settable properties, not a positional record: with no rows SQLite reports the computed Held column as BLOB, which Dapper cannot match to a constructor.</summary>
    private sealed class SalesRow
    {
        public string ConcertName { get; init; } = "";

        public long Version { get; init; }

        public string Code { get; init; } = "";

        public string Name { get; init; } = "";

        public long PriceCents { get; init; }

        public long Capacity { get; init; }

        public long Sold { get; init; }

        public long Held { get; init; }

        public long SetAside { get; init; }

        public long RevenueCents { get; init; }
    }
}
