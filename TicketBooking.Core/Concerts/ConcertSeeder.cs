using System.Text.Json;
using Dapper;
using Microsoft.Extensions.Logging;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Concerts;

/// <summary>
/// Loads <c>seed/concerts.json</c> into an empty database. Start times in the file are the venue's
/// wall-clock time; each concert goes through the same rules as an organizer's.
/// </summary>
public sealed partial class ConcertSeeder(ConcertAdmin admin, SqliteConnectionFactory connections, ILogger<ConcertSeeder> logger)
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
                VenueTime.ToInstant(concert.StartsAt, concert.TimeZone), concert.Description, concert.Tiers);
            if (await admin.CreateAsync(draft).ConfigureAwait(false) is AdminResult.Invalid invalid)
            {
                var problems = string.Join("; ", invalid.Errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
                throw new InvalidOperationException($"Seed concert '{concert.Name}' in {path} is invalid: {problems}");
            }
        }

        LogSeeded(seed.Concerts.Count, path);
        return seed.Concerts.Count;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {Count} concerts from {Path}")]
    private partial void LogSeeded(int count, string path);

    private sealed record SeedFile(IReadOnlyList<SeedConcert> Concerts);

    private sealed record SeedConcert(
        string Name, string Artist, string Venue, string City, string TimeZone, DateTime StartsAt, string? Description, IReadOnlyList<TierDraft> Tiers);
}
