namespace TicketBooking.Core.Seating;

/// <summary>
/// A seat as seating decisions see it: where it is in its row and on the drawing, and whether it can be had. Seats of
/// one row with consecutive numbers are neighbours; a gap in the numbers (an aisle) separates them like a row's end.
/// </summary>
public sealed record SeatSpot(string Label, string Section, string Row, int Number, double X, double Y, bool Accessible, bool Available);

/// <summary>The seats chosen, and whether they sit together in one row (<c>false</c> only when no block of that size is free).</summary>
public sealed record SeatChoice(IReadOnlyList<string> Labels, bool Together);

/// <summary>
/// Best available seats (docs/architecture.md, "Reserved seating"), a pure function of the seats' state: the block of <c>n</c> neighbouring available
/// seats in one row that leaves no orphan (a lone available seat between taken seats or a row's end), nearest the stage
/// centre (to a hundredth of a seat; among equally near blocks, as on a row curved around the stage, the one nearest
/// the centre line); failing that, the nearest block that leaves an orphan; failing that, seats apart: the fewest new
/// orphans, then the fewest groups, then the nearest. Accessible seats are only offered when asked for, and then
/// preferred. Remaining ties go to the lower label, so one state always gives one answer.
/// </summary>
public static class BestAvailable
{
    /// <summary>The stage's centre on every layout's drawing (<see cref="SeatLayout"/>).</summary>
    public static readonly (double X, double Y) Stage = (0, 0);

    /// <summary><paramref name="quantity"/> seats for one buyer, or <c>null</c> when fewer are available.</summary>
    /// <param name="stage">The point on the drawing the seats should be near (the stage's centre).</param>
    public static SeatChoice? Choose(IEnumerable<SeatSpot> seats, int quantity, (double X, double Y) stage, bool accessible = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantity, 1);
        var rows = Rows(seats);
        bool Eligible(SeatSpot seat) => seat.Available && (accessible || !seat.Accessible);

        Block? orphanFree = null, withOrphan = null;
        foreach (var row in rows)
        {
            for (var start = 0; start + quantity <= row.Count; start++)
            {
                if (!IsBlock(row, start, quantity, Eligible))
                {
                    continue;
                }

                var block = new Block(row, start, quantity, Score(row, start, quantity, stage, accessible));
                if (LeavesOrphan(row, start, quantity))
                {
                    withOrphan = Better(withOrphan, block);
                }
                else
                {
                    orphanFree = Better(orphanFree, block);
                }
            }
        }

        if ((orphanFree ?? withOrphan) is { } best)
        {
            return new SeatChoice([.. best.Row.Skip(best.Start).Take(quantity).Select(s => s.Label)], Together: true);
        }

        if (Apart(rows, quantity, stage, Eligible) is { } pieces)
        {
            return new SeatChoice(pieces, Together: false);
        }

        // Accessible seats the buyer did not ask for split the free seats so that one group per run of free seats cannot
        // make up the quantity: the nearest seats, wherever they are.
        var nearest = rows.SelectMany(r => r).Where(Eligible)
            .OrderBy(s => Math.Round(Distance(s, stage), 2)).ThenBy(s => Math.Round(Math.Abs(s.X - stage.X), 6)).ThenBy(s => s.Label, StringComparer.Ordinal)
            .Take(quantity).ToList();
        return nearest.Count == quantity ? new SeatChoice([.. nearest.Select(s => s.Label)], Together: false) : null;
    }

    /// <summary>One group of neighbouring seats taken from a run of free seats, and what taking it costs.</summary>
    private sealed record Piece(int Run, List<SeatSpot> Row, int Start, int Length, int Orphans, double Distance);

    /// <summary>Pieces chosen so far (a list from the last one back) and their costs together.</summary>
    private sealed record Plan(Piece? Last, Plan? Before, int Orphans, int Pieces, double Distance)
    {
        public static readonly Plan Empty = new(null, null, 0, 0, 0);

        public Plan With(Piece piece) => new(piece, this, Orphans + piece.Orphans, Pieces + 1, Distance + piece.Distance);

        public IEnumerable<string> Labels()
        {
            for (var plan = this; plan?.Last is { } piece; plan = plan.Before)
            {
                foreach (var seat in piece.Row.GetRange(piece.Start, piece.Length))
                {
                    yield return seat.Label;
                }
            }
        }

        public bool BetterThan(Plan? other) => other is null
            || (Orphans, Pieces).CompareTo((other.Orphans, other.Pieces)) is var order && (order < 0 || (order == 0 && Math.Round(Distance, 6) < Math.Round(other.Distance, 6)));
    }

    /// <summary>
    /// Seats apart, when no block of <paramref name="quantity"/> is free: the choice that leaves the fewest new lone seats,
    /// then splits the party into the fewest groups, then sits nearest the stage. At most one group is taken from each run
    /// of free seats (a second group from the same run never leaves fewer lone seats), so this is a small knapsack over the
    /// runs: for each group size only the <paramref name="quantity"/> best runs can be in the answer. <c>null</c> when
    /// such groups cannot make up the quantity.
    /// </summary>
    private static List<string>? Apart(List<List<SeatSpot>> rows, int quantity, (double X, double Y) stage, Func<SeatSpot, bool> eligible)
    {
        var pieces = new List<Piece>();
        var run = 0;
        foreach (var row in rows)
        {
            foreach (var (start, length) in FreeRuns(row))
            {
                for (var size = 1; size <= Math.Min(quantity, length); size++)
                {
                    Piece? best = null;
                    for (var first = start; first + size <= start + length; first++)
                    {
                        if (!IsBlock(row, first, size, eligible))
                        {
                            continue;
                        }

                        // A seat left alone in a run of two or more is a new lone seat; a run of one was alone before.
                        var orphans = length == 1 ? 0 : (first - start == 1 ? 1 : 0) + (start + length - (first + size) == 1 ? 1 : 0);
                        var distance = 0d;
                        for (var i = first; i < first + size; i++)
                        {
                            distance += Math.Round(Distance(row[i], stage), 2);
                        }

                        if (best is null || (orphans, Math.Round(distance, 6)).CompareTo((best.Orphans, Math.Round(best.Distance, 6))) < 0)
                        {
                            best = new Piece(run, row, first, size, orphans, distance);
                        }
                    }

                    if (best is not null)
                    {
                        pieces.Add(best);
                    }
                }

                run++;
            }
        }

        var candidates = pieces
            .GroupBy(p => p.Length)
            .SelectMany(size => size.OrderBy(p => p.Orphans).ThenBy(p => Math.Round(p.Distance, 6)).ThenBy(p => p.Run).Take(quantity))
            .GroupBy(p => p.Run)
            .OrderBy(r => r.Key);
        var plans = new Plan?[quantity + 1];
        plans[0] = Plan.Empty;
        foreach (var runPieces in candidates)
        {
            var next = (Plan?[])plans.Clone();
            foreach (var piece in runPieces)
            {
                for (var taken = quantity - piece.Length; taken >= 0; taken--)
                {
                    if (plans[taken]?.With(piece) is { } plan && plan.BetterThan(next[taken + piece.Length]))
                    {
                        next[taken + piece.Length] = plan;
                    }
                }
            }

            plans = next;
        }

        return plans[quantity] is { } chosen ? [.. chosen.Labels().Reverse()] : null;
    }

    /// <summary>Each run of neighbouring available seats in a row, as (first index, length).</summary>
    private static IEnumerable<(int Start, int Length)> FreeRuns(List<SeatSpot> row)
    {
        for (var i = 0; i < row.Count; i++)
        {
            if (!row[i].Available)
            {
                continue;
            }

            var start = i;
            while (i + 1 < row.Count && row[i + 1].Available && Neighbours(row, i, i + 1))
            {
                i++;
            }

            yield return (start, i - start + 1);
        }
    }

    /// <summary>
    /// The seats that taking <paramref name="picked"/> would leave as orphans and that were not orphans before: the
    /// reason to refuse a manual pick when <c>Seating:PreventOrphans</c> is on. Empty when the pick is fine.
    /// </summary>
    public static IReadOnlyList<string> OrphansCreatedBy(IEnumerable<SeatSpot> seats, IReadOnlyCollection<string> picked)
    {
        var taken = picked.ToHashSet(StringComparer.Ordinal);
        var orphans = new List<string>();
        foreach (var row in Rows(seats))
        {
            for (var i = 0; i < row.Count; i++)
            {
                var seat = row[i];
                if (seat.Available && !taken.Contains(seat.Label) && IsOrphan(row, i, j => row[j].Available && !taken.Contains(row[j].Label)) && !IsOrphan(row, i, j => row[j].Available))
                {
                    orphans.Add(seat.Label);
                }
            }
        }

        return orphans;
    }

    private sealed record Block(List<SeatSpot> Row, int Start, int Length, (int Accessible, double Distance, double OffCentre, string Label) Score);

    private static Block Better(Block? current, Block candidate) =>
        current is null || Compare(candidate.Score, current.Score) < 0 ? candidate : current;

    private static int Compare((int Accessible, double Distance, double OffCentre, string Label) a, (int Accessible, double Distance, double OffCentre, string Label) b)
    {
        var order = a.Accessible.CompareTo(b.Accessible);
        order = order != 0 ? order : a.Distance.CompareTo(b.Distance);
        order = order != 0 ? order : a.OffCentre.CompareTo(b.OffCentre);
        return order != 0 ? order : string.CompareOrdinal(a.Label, b.Label);
    }

    // Lower is better: (asked for accessible and none in the block ? 1 : 0, distance of the block's middle to the stage in
    // hundredths, its distance from the centre line, first label).
    private static (int, double, double, string) Score(List<SeatSpot> row, int start, int length, (double X, double Y) stage, bool accessible)
    {
        var block = row.GetRange(start, length);
        var x = block.Average(s => s.X);
        var y = block.Average(s => s.Y);
        var missesAccessible = accessible && !block.Any(s => s.Accessible) ? 1 : 0;
        return (missesAccessible, Math.Round(Math.Sqrt(((x - stage.X) * (x - stage.X)) + ((y - stage.Y) * (y - stage.Y))), 2), Math.Round(Math.Abs(x - stage.X), 6), block[0].Label);
    }

    private static double Distance(SeatSpot seat, (double X, double Y) stage) =>
        Math.Sqrt(((seat.X - stage.X) * (seat.X - stage.X)) + ((seat.Y - stage.Y) * (seat.Y - stage.Y)));

    /// <summary>Each row's seats in number order, rows in a stable order.</summary>
    private static List<List<SeatSpot>> Rows(IEnumerable<SeatSpot> seats) =>
        [.. seats.GroupBy(s => (s.Section, s.Row))
            .OrderBy(g => g.Key.Section, StringComparer.Ordinal).ThenBy(g => g.Key.Row, StringComparer.Ordinal)
            .Select(g => g.OrderBy(s => s.Number).ToList())];

    private static bool Neighbours(List<SeatSpot> row, int i, int j) => row[j].Number - row[i].Number == j - i && Math.Abs(j - i) == 1;

    private static bool IsBlock(List<SeatSpot> row, int start, int length, Func<SeatSpot, bool> eligible)
    {
        for (var i = start; i < start + length; i++)
        {
            if (!eligible(row[i]) || (i > start && !Neighbours(row, i - 1, i)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Whether taking the block would leave a lone available seat right beside it.</summary>
    private static bool LeavesOrphan(List<SeatSpot> row, int start, int length)
    {
        bool FreeAfter(int i) => row[i].Available && (i < start || i >= start + length);
        return (start > 0 && Neighbours(row, start - 1, start) && IsOrphan(row, start - 1, FreeAfter))
            || (start + length < row.Count && Neighbours(row, start + length - 1, start + length) && IsOrphan(row, start + length, FreeAfter));
    }

    /// <summary>A free seat whose both sides are taken or the row's end (or an aisle).</summary>
    private static bool IsOrphan(List<SeatSpot> row, int i, Func<int, bool> free)
    {
        if (!free(i))
        {
            return false;
        }

        var leftFree = i > 0 && Neighbours(row, i - 1, i) && free(i - 1);
        var rightFree = i + 1 < row.Count && Neighbours(row, i, i + 1) && free(i + 1);
        return !leftFree && !rightFree;
    }
}
