using TicketBooking.Core.Seating;

namespace TicketBooking.Tests.Core.Seating;

/// <summary>Best available (docs/architecture.md, "Reserved seating"): examples, then properties over thousands of random halls checked against brute force.</summary>
public sealed class BestAvailableTests
{
    private static readonly (double X, double Y) Stage = (0, 0);

    /// <summary>One row "A" of seats 1..n at x = number - middle, y = 1; '.' free, 'x' taken, 'a' free accessible.</summary>
    private static List<SeatSpot> Row(string pattern, string row = "A", double y = 1) =>
        [.. pattern.Select((c, i) => new SeatSpot($"S-{row}-{i + 1}", "S", row, i + 1, i + 1 - ((pattern.Length + 1) / 2.0), y, c == 'a', c != 'x'))];

    [Fact]
    public void A_pair_in_an_empty_row_of_five_takes_an_end_rather_than_strand_a_seat()
    {
        var choice = BestAvailable.Choose(Row("....."), 2, Stage);

        choice!.Together.Should().BeTrue();
        choice.Labels.Should().Equal(["S-A-1", "S-A-2"], "the middle pairs (2-3, 3-4) would each leave a lone seat; 1-2 and 4-5 tie, the lower label wins");
    }

    [Fact]
    public void Without_an_orphan_free_block_a_block_is_still_better_than_seats_apart_and_apart_is_said()
    {
        BestAvailable.Choose(Row("x...x"), 2, Stage)!.Together.Should().BeTrue("any pair here leaves one seat alone, but they still sit together");
        var apart = BestAvailable.Choose(Row(".x.x."), 2, Stage)!;
        apart.Together.Should().BeFalse();
        apart.Labels.Should().HaveCount(2).And.OnlyHaveUniqueItems();
        BestAvailable.Choose(Row("x.x"), 2, Stage).Should().BeNull("one seat is left");
    }

    [Fact]
    public void Nearer_the_stage_wins_and_accessible_seats_are_kept_for_those_who_ask()
    {
        var hall = Row("......", "B", y: 5).Concat(Row("...a..", "A", y: 1)).ToList();

        BestAvailable.Choose(hall, 2, Stage)!.Labels.Should().Equal(["S-A-1", "S-A-2"], "row A is nearer; its middle pair has the accessible seat, 2-3 would strand seat 1");
        BestAvailable.Choose(hall, 2, Stage, accessible: true)!.Labels.Should().Equal(["S-A-3", "S-A-4"]);
    }

    [Fact]
    public void On_rows_where_every_third_seat_is_taken_a_party_is_split_without_leaving_a_seat_alone_that_it_could_avoid()
    {
        // Finding 9 of issue 34: on such rows best available gave A-A-5, A-A-6, A-A-3 and left A-A-2 alone.
        var front = Row("x..x..x..x", "A", y: 1);
        var back = Row("x.xx..x..x", "B", y: 2);

        var choice = BestAvailable.Choose(front.Concat(back), 3, Stage)!;
        var onlyPairs = BestAvailable.Choose(front, 3, Stage)!;

        choice.Together.Should().BeFalse("no three seats side by side are free");
        choice.Labels.Should().BeEquivalentTo(["S-A-5", "S-A-6", "S-B-2"], "the nearest pair stays whole and the third seat is one that was alone already");
        onlyPairs.Labels.Should().Contain(["S-A-5", "S-A-6"]).And.HaveCount(3, "one lone seat is unavoidable here: the nearest pair is whole and one other pair is split");
        NewOrphans(front, [.. onlyPairs.Labels.Select(l => front.Single(s => s.Label == l))]).Should().Be(1);
        BestAvailable.Choose(Row("..x..x..x.."), 4, Stage)!.Labels.Should().BeEquivalentTo(["S-A-4", "S-A-5", "S-A-7", "S-A-8"], "two whole pairs, nearest the centre, rather than four seats leaving two alone");
    }

    [Fact]
    public void An_aisle_in_the_numbering_separates_seats_like_the_end_of_a_row()
    {
        var seats = new List<SeatSpot>
        {
            new("S-A-1", "S", "A", 1, -2, 1, false, true),
            new("S-A-2", "S", "A", 2, -1, 1, false, true),
            new("S-A-4", "S", "A", 4, 1, 1, false, true),
            new("S-A-5", "S", "A", 5, 2, 1, false, true),
        };

        BestAvailable.Choose(seats, 3, Stage)!.Together.Should().BeFalse("2 and 4 are not neighbours");
        BestAvailable.OrphansCreatedBy(seats, ["S-A-1"]).Should().Equal("S-A-2");
    }

    [Fact]
    public void A_manual_pick_is_blamed_only_for_the_orphans_it_creates()
    {
        BestAvailable.OrphansCreatedBy(Row("...."), ["S-A-2"]).Should().Equal("S-A-1");
        BestAvailable.OrphansCreatedBy(Row("..."), ["S-A-2"]).Should().Equal("S-A-1", "S-A-3");
        BestAvailable.OrphansCreatedBy(Row("...."), ["S-A-1", "S-A-2"]).Should().BeEmpty();
        BestAvailable.OrphansCreatedBy(Row(".x.."), ["S-A-4"]).Should().Equal("S-A-3").And.NotContain("S-A-1", "seat 1 was alone before the pick");
    }

    [Fact]
    public void Over_random_halls_it_is_together_when_it_can_be_orphan_free_when_it_can_be_nearest_and_deterministic()
    {
        var random = new Random(20261202);
        for (var hall = 0; hall < 3_000; hall++)
        {
            var seats = RandomHall(random);
            var quantity = random.Next(1, 6);
            var accessible = random.Next(4) == 0;
            var choice = BestAvailable.Choose(seats, quantity, Stage, accessible);
            var context = $"hall {hall}, {quantity} seats{(accessible ? ", accessible" : "")}";

            Func<SeatSpot, bool> eligible = s => s.Available && (accessible || !s.Accessible);
            var blocks = AllBlocks(seats, quantity, eligible).ToList();
            var orphanFree = blocks.Where(b => !LeavesNewOrphan(seats, b)).ToList();
            if (seats.Count(eligible) < quantity)
            {
                choice.Should().BeNull(context);
                continue;
            }

            choice.Should().NotBeNull(context);
            var chosen = choice!.Labels.Select(l => seats.Single(s => s.Label == l)).ToList();
            chosen.Should().HaveCount(quantity, context).And.OnlyHaveUniqueItems().And.OnlyContain(s => eligible(s), context);
            if (blocks.Count > 0)
            {
                choice.Together.Should().BeTrue(context);
                blocks.Should().Contain(b => b.SequenceEqual(chosen), $"{context}: the seats form a block");
            }
            else
            {
                choice.Together.Should().BeFalse(context);
                var eligibleSeats = seats.Where(eligible).ToList();
                if (eligibleSeats.Count <= 16 && seats.All(s => !s.Available || eligible(s)))
                {
                    var fewest = Subsets(eligibleSeats, quantity).Min(subset => NewOrphans(seats, subset));
                    NewOrphans(seats, chosen).Should().Be(fewest, $"{context}: apart, no lone seat is left that another choice would not leave");
                }
            }

            if (orphanFree.Count > 0)
            {
                LeavesNewOrphan(seats, chosen).Should().BeFalse($"{context}: an orphan-free block existed");
                if (!accessible)
                {
                    Distance(chosen).Should().BeLessThanOrEqualTo(orphanFree.Min(b => Distance(b)) + 0.01, $"{context}: the nearest orphan-free block (to a hundredth)");
                }
            }

            var shuffled = seats.OrderBy(_ => random.Next()).ToList();
            BestAvailable.Choose(shuffled, quantity, Stage, accessible).Should().BeEquivalentTo(choice, o => o.WithStrictOrdering(), $"{context}: one state, one answer");
        }
    }

    private static double Distance(IReadOnlyList<SeatSpot> block) =>
        Math.Sqrt(Math.Pow(block.Average(s => s.X) - Stage.X, 2) + Math.Pow(block.Average(s => s.Y) - Stage.Y, 2));

    /// <summary>1–3 sections of 1–6 rows of 1–16 seats, some aisles, random occupancy and some accessible seats.</summary>
    private static List<SeatSpot> RandomHall(Random random)
    {
        var seats = new List<SeatSpot>();
        var occupancy = random.NextDouble();
        for (var section = 0; section < random.Next(1, 4); section++)
        {
            for (var row = 0; row < random.Next(1, 7); row++)
            {
                var number = 0;
                for (var i = 0; i < random.Next(1, 17); i++)
                {
                    number += random.Next(10) == 0 ? 2 : 1; // now and then an aisle
                    var label = $"{(char)('A' + section)}-{(char)('A' + row)}-{number}";
                    seats.Add(new SeatSpot(label, $"{(char)('A' + section)}", $"{(char)('A' + row)}", number,
                        (section * 20) + number - 8, row + 1, random.Next(12) == 0, random.NextDouble() > occupancy));
                }
            }
        }

        return seats;
    }

    /// <summary>Brute force: every run of neighbouring eligible seats of this length in one row.</summary>
    private static IEnumerable<List<SeatSpot>> AllBlocks(List<SeatSpot> seats, int length, Func<SeatSpot, bool> eligible)
    {
        foreach (var row in seats.GroupBy(s => (s.Section, s.Row)).Select(g => g.OrderBy(s => s.Number).ToList()))
        {
            for (var start = 0; start + length <= row.Count; start++)
            {
                var block = row.GetRange(start, length);
                if (block.All(eligible) && block.Zip(block.Skip(1)).All(p => p.Second.Number == p.First.Number + 1))
                {
                    yield return block;
                }
            }
        }
    }

    /// <summary>Every way to pick <paramref name="size"/> of <paramref name="items"/>.</summary>
    private static IEnumerable<List<SeatSpot>> Subsets(List<SeatSpot> items, int size, int from = 0)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }

        for (var i = from; i <= items.Count - size; i++)
        {
            foreach (var rest in Subsets(items, size - 1, i + 1))
            {
                rest.Insert(0, items[i]);
                yield return rest;
            }
        }
    }

    /// <summary>Brute force: how many free seats taking these leaves alone that were not alone before.</summary>
    private static int NewOrphans(List<SeatSpot> seats, IReadOnlyCollection<SeatSpot> taken)
    {
        var labels = taken.Select(s => s.Label).ToHashSet();
        bool FreeBefore(SeatSpot s) => s.Available;
        bool FreeAfter(SeatSpot s) => s.Available && !labels.Contains(s.Label);
        bool Alone(SeatSpot s, Func<SeatSpot, bool> free) =>
            free(s) && !seats.Any(n => n.Section == s.Section && n.Row == s.Row && Math.Abs(n.Number - s.Number) == 1 && free(n));
        return seats.Count(s => Alone(s, FreeAfter) && !Alone(s, FreeBefore));
    }

    /// <summary>Brute force: does taking these seats leave a lone free seat that was not alone before?</summary>
    private static bool LeavesNewOrphan(List<SeatSpot> seats, IReadOnlyCollection<SeatSpot> taken) => NewOrphans(seats, taken) > 0;
}
