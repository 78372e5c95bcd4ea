using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Concerts;

/// <summary>
/// Loads <c>seed/concerts.json</c> into an empty database. Start times in the file are the venue's
/// wall-clock time; each concert goes through the same rules as an organizer's. A tier with a <c>layout</c> (the
/// organizer's generator plan) becomes a reserved tier of those seats.
/// </summary>
public sealed partial class ConcertSeeder(ConcertAdmin admin, SeatingAdmin seating, ConnectionFactory connections, TimeProvider time, ILogger<ConcertSeeder> logger)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Returns how many concerts were created; none when the database already has concerts.</summary>
    public async Task<int> SeedAsync(string path, CancellationToken cancellationToken = default)
    {
        await using (var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM concerts)").ConfigureAwait(false))
            {
                return 0;
            }
        }

        SeedFile seed;
        await using (var stream = File.OpenRead(path))
        {
            seed = await JsonSerializer.DeserializeAsync<SeedFile>(stream, Json, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"Seed file {path} is empty.");
        }

        foreach (var concert in seed.Concerts)
        {
            var draft = new ConcertDraft(
                concert.Name, concert.Artist, concert.Venue, concert.City, concert.TimeZone,
                VenueTime.ToInstant(concert.StartsAt, concert.TimeZone), concert.Description,
                [.. concert.Tiers.Select(t => new TierDraft(t.Code, t.Name, t.PriceCents, t.Capacity))]);
            var created = await admin.CreateAsync(draft).ConfigureAwait(false);
            Check(created, concert.Name, path);
            var id = ((AdminResult.Saved)created).Concert.Id;
            foreach (var tier in concert.Tiers.Where(t => t.Layout is not null))
            {
                Check(await seating.SetLayoutAsync(id, tier.Code, SeatLayouts.Generate(tier.Layout!)).ConfigureAwait(false), $"{concert.Name} {tier.Code}", path);
                if (tier.Accessible is { Count: > 0 } accessible)
                {
                    Check(await seating.SetFlagsAsync(id, accessible, accessible: true, notForSale: null).ConfigureAwait(false), $"{concert.Name} {tier.Code}", path);
                }
            }
        }

        LogSeeded(seed.Concerts.Count, path);
        return seed.Concerts.Count;
    }

    private const string ScheduleDemoSql = """
        UPDATE concerts SET on_sale_at = @onSaleAt
        WHERE name = @name AND starts_at > @onSaleAt
          AND NOT EXISTS (SELECT 1 FROM tiers t WHERE t.concert_id = concerts.id AND (t.sold > 0 OR t.in_holds > 0))
          AND NOT EXISTS (SELECT 1 FROM queue_entries q WHERE q.concert_id = concerts.id)
        """;

    /// <summary>
    /// For the demo: the concert named <paramref name="name"/> goes on sale <paramref name="after"/> from now, unless
    /// anyone has bought, held or queued for it (then its sale is left as it is). True when rescheduled.
    /// </summary>
    public async Task<bool> ScheduleDemoOnSaleAsync(string name, TimeSpan after)
    {
        var onSaleAt = time.GetUtcNow().Add(after);
        await using var connection = await connections.OpenAsync().ConfigureAwait(false);
        var changed = await connection.ExecuteAsync(ScheduleDemoSql, new { name, onSaleAt = onSaleAt.ToUnixTimeMilliseconds() }).ConfigureAwait(false) > 0;
        if (changed)
        {
            LogDemoOnSale(name, onSaleAt);
        }

        return changed;
    }

    private static void Check(AdminResult result, string what, string path)
    {
        var problems = result switch
        {
            AdminResult.Invalid invalid => string.Join("; ", invalid.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")),
            AdminResult.Conflict conflict => conflict.Message,
            AdminResult.NotFound missing => missing.Message,
            _ => null,
        };
        if (problems is not null)
        {
            throw new InvalidOperationException($"Seed '{what}' in {path} is invalid: {problems}");
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Count} concerts from {Path}")]
    private partial void LogSeeded(int count, string path);

    [LoggerMessage(Level = LogLevel.Information, Message = "Demo on-sale: {Name} goes on sale at {OnSaleAt}; its waiting room is open now")]
    private partial void LogDemoOnSale(string name, DateTimeOffset onSaleAt);

    private sealed record SeedFile(IReadOnlyList<SeedConcert> Concerts);

    private sealed record SeedConcert(
        string Name, string Artist, string Venue, string City, string TimeZone, DateTime StartsAt, string? Description, IReadOnlyList<SeedTier> Tiers);

    private sealed record SeedTier(string Code, string Name, long PriceCents, int Capacity, LayoutPlan? Layout, IReadOnlyList<string>? Accessible);
}
