using System.Globalization;

namespace TicketBooking.Bench;

/// <summary>
/// The room's record of the sale, read from <c>queue_entries</c> and the tier: places, admissions, their pace, how many
/// shopped at once (each admission from <c>admitted_at</c> until <c>ended_at</c>, or its expiry if it never ended).
/// </summary>
internal sealed class RoomLedger
{
    private readonly Dictionary<Guid, long> _admittedAt = [];

    public int Entries { get; private init; }

    public int DistinctBuyers { get; private init; }

    public bool PlacesExact { get; private init; }

    public string Places { get; private init; } = "";

    public int Admitted { get; private init; }

    public string States { get; private init; } = "";

    public bool InPlaceOrder { get; private init; }

    public int MaxPerMinute { get; private init; }

    /// <summary>
    /// The most admissions in any 1 s, for information only: the room promises no per-second cap (two beats a little under
    /// a second apart each let in their share), the per-beat check is <see cref="BeatsOverShare"/>.
    /// </summary>
    public int MaxPerSecond { get; private init; }

    public double OverallPerMinute { get; private init; }

    public int MaxActive { get; private init; }

    /// <summary>Instants at which the room admitted someone: each beat admits its batch at one <c>admitted_at</c>.</summary>
    public int AdmittingBeats { get; private init; }

    /// <summary>The longest time between two admitting beats, in ms: 1,000 when the room admitted at every beat.</summary>
    public double LongestPauseMs { get; private init; }

    /// <summary>Gaps of over 1.5 s between admitting beats (a beat that admitted nobody while buyers waited).</summary>
    public int Pauses { get; private init; }

    /// <summary>Of <see cref="Pauses"/>, those a second into which <c>MaxActiveBuyers</c> were shopping (the cap, not the pace, held the line).</summary>
    public int PausesWhileFull { get; private init; }

    public long Sold { get; private init; }

    /// <summary>Entries never admitted (still waiting at the end).</summary>
    public int Waiting { get; private init; }

    /// <summary>The entries the room admitted.</summary>
    public IReadOnlySet<Guid> AdmittedEntries => _admittedAt.Keys.ToHashSet();

    public long? FirstAdmittedAt { get; private init; }

    public long? LastAdmittedAt { get; private init; }

    /// <summary>
    /// Admitting beats that let in more than the room's pace allows (<see cref="BeatShares"/>).
    /// </summary>
    public int BeatsOverShare { get; private init; }

    /// <summary>Beats that admitted exactly their share (neither the active set, the minute, the line nor the tickets held them back).</summary>
    public int FullShareBeats { get; private init; }

    /// <summary>The beat nearest its share (the largest count / allowed); its gap is null when none came in the minute before.</summary>
    public (int Count, long Allowed, long? GapMs) FullestBeat { get; private init; }

    /// <summary>The beat soonest after the previous one (where the share is smallest), or default when no two came within a minute.</summary>
    public (int Count, long Allowed, long? GapMs) ShortestGapBeat { get; private init; }

    /// <summary>The ledger of <paramref name="concertId"/>'s room, or null when the benchmark did not start the app (no database to read).</summary>
    public static RoomLedger? Read(AppUnderTest app, Guid concertId, int maxActive, int admitPerMinute, long onSaleAtMs)
    {
        using var connection = Scenarios.ReadOnlyDatabase(app);
        if (connection is null)
        {
            return null;
        }

        var rows = new List<(Guid Id, string Buyer, long? Seq, string State, long? AdmittedAt, long? ExpiresAt, long? EndedAt)>();
        using (var command = connection.CreateCommand())
        {
            command.CommandText = """
                SELECT id, buyer_id, seq, state, admitted_at, admission_expires_at, ended_at
                FROM queue_entries WHERE concert_id = @concert ORDER BY seq
                """;
            command.With("@concert", concertId.ToString());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                long? Nullable(int column) => reader.IsDBNull(column) ? null : reader.GetInt64(column);
                rows.Add((Guid.Parse(reader.GetString(0)), reader.GetString(1), Nullable(2), reader.GetString(3), Nullable(4), Nullable(5), Nullable(6)));
            }
        }

        long sold;
        using (var command = connection.CreateCommand())
        {
            command.CommandText = "SELECT CAST(COALESCE(SUM(sold), 0) AS BIGINT) FROM tiers WHERE concert_id = @concert";
            command.With("@concert", concertId.ToString());
            sold = Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        var seqs = rows.Where(r => r.Seq is not null).Select(r => r.Seq!.Value).ToList();
        var admissions = rows.Where(r => r.AdmittedAt is not null).Select(r => r.AdmittedAt!.Value).Order().ToArray();
        var ordered = rows.Where(r => r.Seq is not null).ToList();
        var shopping = rows.Where(r => r.AdmittedAt is not null).Select(r => (Start: r.AdmittedAt!.Value, End: r.EndedAt ?? r.ExpiresAt ?? long.MaxValue)).ToList();
        var beats = admissions.Distinct().ToArray();
        var shares = BeatShares(admissions, admitPerMinute, onSaleAtMs);
        var pauses = beats.Zip(beats.Skip(1)).Where(p => p.Second - p.First > 1_500).Select(p => p.First + 1_000).ToList();
        var ledger = new RoomLedger
        {
            Entries = rows.Count,
            DistinctBuyers = rows.Select(r => r.Buyer).Distinct().Count(),
            PlacesExact = seqs.Count == rows.Count && seqs.SequenceEqual(Enumerable.Range(1, rows.Count).Select(n => (long)n)),
            Places = seqs.Count == 0 ? "no places" : $"{seqs.Count:N0} places {seqs.Min()}..{seqs.Max()}, {seqs.Distinct().Count():N0} distinct, {rows.Count - seqs.Count:N0} unplaced",
            Admitted = admissions.Length,
            States = string.Join(", ", rows.GroupBy(r => r.State).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count():N0} {g.Key}")),
            InPlaceOrder = ordered.Zip(ordered.Skip(1)).All(p => p.First.AdmittedAt is null ? p.Second.AdmittedAt is null : p.Second.AdmittedAt is null || p.Second.AdmittedAt >= p.First.AdmittedAt),
            MaxPerMinute = MaxInWindow(admissions, 60_000),
            MaxPerSecond = MaxInWindow(admissions, 1_000),
            OverallPerMinute = OverallRate(admissions),
            AdmittingBeats = beats.Length,
            LongestPauseMs = admissions.Length < 2 ? double.NaN : admissions.Zip(admissions.Skip(1)).Max(p => p.Second - p.First),
            Pauses = pauses.Count,
            PausesWhileFull = pauses.Count(t => shopping.Count(i => i.Start <= t && t < i.End) >= maxActive),
            MaxActive = MaxAtOnce(shopping),
            Sold = sold,
            Waiting = rows.Count(r => r.AdmittedAt is null),
            FirstAdmittedAt = admissions.Length == 0 ? null : admissions[0],
            LastAdmittedAt = admissions.Length == 0 ? null : admissions[^1],
            BeatsOverShare = shares.Count(b => b.Count > b.Allowed),
            FullShareBeats = shares.Count(b => b.Count == b.Allowed),
            FullestBeat = shares.Count == 0 ? default : shares.MaxBy(b => (double)b.Count / b.Allowed),
            ShortestGapBeat = shares.Where(b => b.GapMs is not null).MinBy(b => b.GapMs),
        };
        foreach (var row in rows.Where(r => r.AdmittedAt is not null))
        {
            ledger._admittedAt[row.Id] = row.AdmittedAt!.Value;
        }

        return ledger;
    }

    /// <summary>For each (entry, client time in Unix ms), the time since the room admitted that entry.</summary>
    public Latencies Since(IEnumerable<(Guid Entry, double AtMs)> moments)
    {
        var latencies = new Latencies();
        foreach (var (entry, at) in moments)
        {
            if (_admittedAt.TryGetValue(entry, out var admittedAt))
            {
                latencies.AddMilliseconds(at - admittedAt);
            }
        }

        return latencies;
    }

    /// <summary>
    /// Each admitting beat (the admissions sharing one <c>admitted_at</c>) with what the room's pace allowed it, by the
    /// room's own rule (<see cref="Core.OnSale.AdmissionPace"/>), less those admitted before the beat.
    /// </summary>
    private static List<(int Count, long Allowed, long? GapMs)> BeatShares(long[] sorted, int admitPerMinute, long onSaleAtMs)
    {
        var beats = new List<(int Count, long Allowed, long? GapMs)>();
        long? previous = null;
        var before = 0;
        foreach (var beat in sorted.GroupBy(t => t))
        {
            var allowedSoFar = Core.OnSale.AdmissionPace.AllowedSoFar(admitPerMinute, TimeSpan.FromMilliseconds(beat.Key - onSaleAtMs));
            beats.Add((beat.Count(), allowedSoFar - before, previous is { } p ? beat.Key - p : null));
            before += beat.Count();
            previous = beat.Key;
        }

        return beats;
    }

    /// <summary>The most admissions in any window (t − <paramref name="windowMs"/>, t], the room's own way of counting its pace.</summary>
    private static int MaxInWindow(long[] sorted, long windowMs)
    {
        var max = 0;
        var start = 0;
        for (var i = 0; i < sorted.Length; i++)
        {
            while (sorted[start] <= sorted[i] - windowMs)
            {
                start++;
            }

            max = Math.Max(max, i - start + 1);
        }

        return max;
    }

    /// <summary>
    /// Admissions per minute from the first to the last: those before the last beat over the time between the first and
    /// the last beat (each beat admits a batch at one instant, so counting the last batch too would overstate the pace).
    /// </summary>
    private static double OverallRate(long[] sorted)
    {
        if (sorted.Length < 2 || sorted[^1] == sorted[0])
        {
            return double.NaN;
        }

        var beforeLast = sorted.Count(t => t < sorted[^1]);
        return beforeLast / ((sorted[^1] - sorted[0]) / 60_000.0);
    }

    /// <summary>The most intervals [start, end) open at once; at a shared instant an ending counts before a start.</summary>
    private static int MaxAtOnce(IEnumerable<(long Start, long End)> intervals)
    {
        var edges = intervals.SelectMany(i => new[] { (At: i.Start, Step: 1), (At: i.End, Step: -1) }).OrderBy(e => e.At).ThenBy(e => e.Step).ToList();
        var open = 0;
        var max = 0;
        foreach (var (_, step) in edges)
        {
            open += step;
            max = Math.Max(max, open);
        }

        return max;
    }
}
