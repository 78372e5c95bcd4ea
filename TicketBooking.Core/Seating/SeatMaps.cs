using System.Collections.Concurrent;
using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Seating;

/// <summary>
/// A concert's seat map as everyone but its holders sees it, read once for every version of the concert's seats and
/// shared by every viewer until the version changes or the first hold on a seat may run out (then those seats are free,
/// whether or not the sweeper has deleted the hold yet).
/// </summary>
public sealed class SharedSeatMap
{
    private readonly Dictionary<string, int> _index;

    internal SharedSeatMap(SeatMap map, long validUntilMs, DateTimeOffset readAt, int layout)
    {
        Map = map;
        ReadAt = readAt;
        Layout = layout;
        ValidUntil = DateTimeOffset.FromUnixTimeMilliseconds(validUntilMs);
        _index = new Dictionary<string, int>(map.Seats.Count, StringComparer.Ordinal);
        for (var i = 0; i < map.Seats.Count; i++)
        {
            _index[map.Seats[i].Label] = i;
        }
    }

    /// <summary>Every seat, held and sold ones <see cref="SeatStatus.Taken"/>.</summary>
    public SeatMap Map { get; }

    /// <summary>When it was read from the database.</summary>
    public DateTimeOffset ReadAt { get; }

    /// <summary>How many times the concert's seats had been laid out or flagged anew when it was read (<see cref="SeatMaps.Redrawn"/>).</summary>
    internal int Layout { get; }

    /// <summary>When the first hold on one of these seats may run out, after which the map must be read again.</summary>
    public DateTimeOffset ValidUntil { get; }


    /// <summary>
    /// The map as the holder of <paramref name="own"/> sees it (those seats <see cref="SeatStatus.Yours"/>), or <c>null</c>
    /// when one of them is not taken on this map (it was held after this version was read): then read the viewer's own map.
    /// </summary>
    public SeatMap? For(IReadOnlyCollection<string> own)
    {
        ArgumentNullException.ThrowIfNull(own);
        if (own.Count == 0)
        {
            return Map;
        }

        var seats = Map.Seats.ToArray();
        foreach (var label in own)
        {
            if (!_index.TryGetValue(label, out var i) || seats[i].Status != SeatStatus.Taken)
            {
                return null;
            }

            seats[i] = seats[i] with { Status = SeatStatus.Yours };
        }

        return Map with { Seats = seats };
    }

    /// <summary>
    /// Whether this map may be handed out now: it is of the current version, or it is younger than
    /// <see cref="SeatMaps.LongestReuse"/> (its own version says which it is, and deltas since it bring a viewer up to
    /// date), and no hold on its seats may have ended since it was read.
    /// </summary>
    internal bool FreshAt(long version, int layout, DateTimeOffset now) =>
        layout == Layout && (Map.Version >= version || now - ReadAt < SeatMaps.LongestReuse) && now < ValidUntil;
}

/// <summary>
/// Reads a concert's seat map (docs/architecture.md, "Reserved seating"): every seat's state exact as of the version it carries. A whole map is read
/// from the database once per version of the concert, at most once a second while it keeps changing
/// (<see cref="SharedAsync"/>), and each viewer's own seats are laid over it: a 20,000-seat map is megabytes, and a
/// crowd asks for it at once.
/// </summary>
public sealed class SeatMaps(ConnectionFactory connections, TimeProvider time, Microsoft.Extensions.Options.IOptions<Holds.HoldOptions> holds)
{
    // A hold's end only ever moves earlier by a hidden tab or a lost connection, and then to no sooner than HiddenGrace
    // from the writer's clock (a failed charge's un-pinning is announced, so it changes the version): a map shared for no
    // longer than that after it was read cannot show a seat taken whose hold has ended. A few seconds are kept back for
    // the writer's batch (it reads the clock when the batch starts) and for other instances' clocks.
    private readonly long _longestShare = Math.Max(0, (long)(holds.Value.HiddenGrace - TimeSpan.FromSeconds(5)).TotalMilliseconds);

    /// <summary>
    /// How long one read of a whole map serves every viewer while the concert keeps changing. During an on-sale every hold
    /// makes a new version; reading and serializing a 20,000-seat map for each would be hundreds a second. Each map carries
    /// its version, and a viewer catches up with the deltas since it (the stream's <c>seats</c> events, or <c>?since=</c>).
    /// </summary>
    public static readonly TimeSpan LongestReuse = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<Guid, SharedSeatMap> _shared = new();
    private readonly ConcurrentDictionary<Guid, int> _layouts = new();
    private readonly ConcurrentDictionary<Guid, SemaphoreSlim> _reading = new();
    private long _reads;

    /// <summary>How many whole maps were read from the database: once per concert and version, whatever the number of viewers.</summary>
    public long Reads => Interlocked.Read(ref _reads);

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
    /// The concert's seats as <paramref name="viewer"/> sees it (their own held seats are <see cref="SeatStatus.Yours"/>),
    /// or with <paramref name="since"/> only those changed after that version; <c>null</c> when there is no such concert.
    /// </summary>
    public async Task<SeatMap?> GetAsync(Guid concertId, BuyerId? viewer, long? since = null, CancellationToken cancellationToken = default)
    {
        if (since is not null)
        {
            return await ReadAsync(concertId, viewer, since, cancellationToken).ConfigureAwait(false);
        }

        if (await SharedAsync(concertId, cancellationToken).ConfigureAwait(false) is not { } shared)
        {
            return null;
        }

        return viewer is { } buyer
            ? shared.For(await OwnSeatsAsync(concertId, buyer, cancellationToken).ConfigureAwait(false))
              ?? await ReadAsync(concertId, viewer, null, cancellationToken).ConfigureAwait(false)
            : shared.Map;
    }

    private const string FirstExpirySql = """
        SELECT MIN(h.expires_at) FROM holds h JOIN tiers t ON t.id = h.tier_id
        WHERE h.concert_id = @concertId AND h.expires_at > @now AND t.kind = 'reserved'
        """;

    /// <summary>
    /// The concert's whole map for nobody in particular, read once per version and shared (a few viewers asking at the
    /// same moment wait for one read); <c>null</c> when there is no such concert.
    /// </summary>
    public async Task<SharedSeatMap?> SharedAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        long version;
        await using (var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false))
        {
            if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(VersionSql, new { concertId }, cancellationToken: cancellationToken)).ConfigureAwait(false) is not { } current)
            {
                return null;
            }

            version = current;
        }

        var layout = _layouts.GetValueOrDefault(concertId);
        if (_shared.TryGetValue(concertId, out var cached) && cached.FreshAt(version, layout, time.GetUtcNow()))
        {
            return cached;
        }

        var reading = _reading.GetOrAdd(concertId, _ => new SemaphoreSlim(1, 1));
        await reading.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            // Someone else may have read it (or a newer version) while this one waited.
            layout = _layouts.GetValueOrDefault(concertId);
            if (_shared.TryGetValue(concertId, out cached) && cached.FreshAt(version, layout, time.GetUtcNow()))
            {
                return cached;
            }

            if (await ReadSharedAsync(concertId, layout, cancellationToken).ConfigureAwait(false) is not { } shared)
            {
                return null;
            }

            _shared[concertId] = shared;
            Interlocked.Increment(ref _reads);
            Forget(shared.ReadAt - ForgetAfter);
            return shared;
        }
        finally
        {
            reading.Release();
        }
    }

    /// <summary>Maps nobody has asked to be read again for this long are let go (a big hall's map and its JSON are megabytes).</summary>
    private static readonly TimeSpan ForgetAfter = TimeSpan.FromMinutes(5);

    private void Forget(DateTimeOffset readBefore)
    {
        foreach (var (concertId, old) in _shared)
        {
            if (old.ReadAt < readBefore)
            {
                _shared.TryRemove(new KeyValuePair<Guid, SharedSeatMap>(concertId, old));
            }
        }
    }

    /// <summary>
    /// The concert's seats themselves changed (laid out anew, flagged): maps read before are not handed out again, even
    /// within <see cref="LongestReuse"/>. Called after the change committed; a read that began before it is not reused.
    /// </summary>
    public void Redrawn(Guid concertId)
    {
        _layouts.AddOrUpdate(concertId, 1, (_, layout) => layout + 1);
        _shared.TryRemove(concertId, out _);
    }

    private async Task<SharedSeatMap?> ReadSharedAsync(Guid concertId, int layout, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginSnapshot();
        if (await ReadAsync(connection, transaction, concertId, null, null, now, cancellationToken).ConfigureAwait(false) is not { } map)
        {
            return null;
        }

        var firstExpiry = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(FirstExpirySql, new { concertId, now }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new SharedSeatMap(map, Math.Min(firstExpiry ?? long.MaxValue, now.ToUnixTimeMilliseconds() + _longestShare), now, layout);
    }

    private const string OwnSeatsSql = """
        SELECT s.label FROM seats s
        JOIN holds h ON h.buyer_id = s.held_by AND h.concert_id = s.concert_id AND h.tier_id = s.tier_id
        WHERE s.held_by = @viewer AND s.concert_id = @concertId AND h.expires_at > @now
        """;

    /// <summary>The seats <paramref name="viewer"/> holds now for the concert (by a hold that has not run out).</summary>
    public async Task<IReadOnlyList<string>> OwnSeatsAsync(Guid concertId, BuyerId viewer, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return (await connection.QueryAsync<string>(new CommandDefinition(OwnSeatsSql, new { viewer = viewer.Value, concertId, now = time.GetUtcNow() }, cancellationToken: cancellationToken)).ConfigureAwait(false));
    }

    /// <summary>Every seat as <paramref name="viewer"/> sees it, read now: for the few who must see the latest at once (an organizer).</summary>
    public Task<SeatMap?> ReadNowAsync(Guid concertId, BuyerId? viewer, CancellationToken cancellationToken = default) =>
        ReadAsync(concertId, viewer, null, cancellationToken);

    private async Task<SeatMap?> ReadAsync(Guid concertId, BuyerId? viewer, long? since, CancellationToken cancellationToken)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        // One read transaction: the version and the seats come from the same WAL snapshot.
        using var transaction = connection.BeginSnapshot();
        return await ReadAsync(connection, transaction, concertId, viewer, since, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<SeatMap?> ReadAsync(
        System.Data.Common.DbConnection connection, System.Data.IDbTransaction transaction, Guid concertId, BuyerId? viewer, long? since, DateTimeOffset now, CancellationToken cancellationToken)
    {
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
            now,
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
