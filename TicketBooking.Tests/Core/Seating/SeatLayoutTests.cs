using TicketBooking.Core.Seating;

namespace TicketBooking.Tests.Core.Seating;

public sealed class SeatLayoutTests
{
    private static readonly LayoutPlan Hall = new([new SectionPlan("L", 4, 6), new SectionPlan("C", 5, 10), new SectionPlan("R", 4, 6)], Curved: true);

    [Fact]
    public void The_generator_makes_every_seat_once_with_rows_lettered_from_the_front()
    {
        var layout = SeatLayouts.Generate(Hall);

        layout.Valid.Should().BeTrue();
        layout.Seats.Should().HaveCount((4 * 6) + (5 * 10) + (4 * 6));
        layout.Seats.Select(s => s.Label).Should().OnlyHaveUniqueItems().And.Contain("C-A-1").And.Contain("C-E-10").And.Contain("L-D-6");
        layout.Seats.Where(s => s.Section == "C").Select(s => s.Row).Distinct().Should().Equal("A", "B", "C", "D", "E");
        layout.Seats.Where(s => s.Section == "L").Should().OnlyContain(s => s.X < 0, "the left section is left of the stage");
    }

    [Fact]
    public void Curved_rows_keep_every_seat_of_a_row_as_far_from_the_stage_and_straight_rows_keep_one_depth()
    {
        var curved = SeatLayouts.Generate(Hall).Seats;
        var straight = SeatLayouts.Generate(Hall with { Curved = false }).Seats;

        foreach (var row in curved.GroupBy(s => s.Row))
        {
            row.Select(s => Math.Sqrt((s.X * s.X) + (s.Y * s.Y))).Should().OnlyContain(d => Math.Abs(d - Math.Sqrt((row.First().X * row.First().X) + (row.First().Y * row.First().Y))) < 0.01);
        }

        foreach (var row in straight.GroupBy(s => s.Row))
        {
            row.Select(s => s.Y).Distinct().Should().ContainSingle();
        }

        var front = curved.Where(s => s.Section == "C" && s.Row == "A").OrderBy(s => s.Number).ToList();
        front.Zip(front.Skip(1)).Select(p => Math.Round(Math.Sqrt(Math.Pow(p.Second.X - p.First.X, 2) + Math.Pow(p.Second.Y - p.First.Y, 2)), 2))
            .Should().OnlyContain(d => d > 0.9 && d < 1.01, "neighbours stay about one seat apart on the arc");
    }

    [Fact]
    public void Rows_skip_I_and_O_and_go_on_past_Z()
    {
        Enumerable.Range(0, 24).Select(SeatLayouts.RowName).Should().NotContain(["I", "O"]).And.OnlyHaveUniqueItems();
        SeatLayouts.RowName(24).Should().Be("AA");
    }

    [Fact]
    public void Best_available_on_a_generated_hall_takes_the_middle_of_the_front_row()
    {
        var seats = SeatLayouts.Generate(Hall).Seats;

        var choice = BestAvailable.Choose(SeatLayouts.Spots(seats, _ => true), 2, (0, 0));

        choice!.Labels.Should().Equal("C-A-5", "C-A-6");
    }

    [Fact]
    public void An_uploaded_layout_is_read_with_its_flags_and_a_bad_one_is_refused_with_every_reason()
    {
        var good = SeatLayouts.Parse("""{"seats":[{"section":"A","row":"C","number":12,"x":-3.5,"y":6.2,"accessible":true},{"section":"A","row":"C","number":13,"x":-2.5,"y":6.2,"notForSale":true}]}""");
        var duplicate = SeatLayouts.Parse("""{"seats":[{"section":"A","row":"C","number":12,"x":0,"y":1},{"section":"a","row":"c","number":12,"x":1,"y":1}]}""");
        var incomplete = SeatLayouts.Parse("""{"seats":[{"section":"A","row":"C","x":0,"y":1}]}""");
        var unknownField = SeatLayouts.Parse("""{"seats":[{"section":"A","row":"C","number":1,"x":0,"y":1,"price":5}]}""");
        var badName = SeatLayouts.Parse("""{"seats":[{"section":"A B","row":"<C>","number":1,"x":0,"y":1}]}""");

        good.Valid.Should().BeTrue();
        good.Seats.Select(s => (s.Label, s.Accessible, s.NotForSale)).Should().Equal(("A-C-12", true, false), ("A-C-13", false, true));
        duplicate.Errors.Should().ContainSingle().Which.Should().Contain("A-C-12 appears 2 times");
        incomplete.Errors.Should().ContainSingle().Which.Should().Contain("Seat 1");
        unknownField.Valid.Should().BeFalse();
        badName.Errors.Should().ContainSingle().Which.Should().Contain("letters or digits");
        SeatLayouts.Parse("not json").Errors.Should().ContainSingle().Which.Should().StartWith("The layout is not valid JSON");
        SeatLayouts.Generate(new LayoutPlan([new SectionPlan("A", 0, 10)], Curved: false)).Errors.Should().ContainSingle();
    }

    [Fact]
    public void A_plan_of_28_million_seats_is_refused_before_a_seat_is_made()
    {
        // Finding 6 of issue 34: 50 sections of 200 × 200 in a 2.5 KB body took 8 s of CPU and ~650 MB before the cap refused it.
        var plan = new LayoutPlan([.. Enumerable.Range(1, 700).Select(i => new SectionPlan($"S{i}", 200, 200))], Curved: true);
        SeatLayouts.Generate(new LayoutPlan([new SectionPlan("A", 1, 1)], Curved: false)); // JIT and statics warmed, outside the count

        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = SeatLayouts.Generate(plan);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        refused.Errors.Should().ContainSingle().Which.Should().Be("A layout has at most 20,000 seats; these sections make 28,000,000.");
        allocated.Should().BeLessThan(64 * 1024, "nothing was built: a single seat record list of 28 million would be hundreds of MB");
    }

    [Fact]
    public void An_upload_of_more_seats_than_allowed_is_refused_at_the_first_seat_too_many()
    {
        var seat = """{"section":"A","row":"B","number":1,"x":0,"y":1}""";
        var json = $$"""{"seats":[{{string.Join(',', Enumerable.Repeat(seat, SeatLayouts.MaxSeats + 1))}},"not even read"]}""";

        var refused = SeatLayouts.Parse(json);

        refused.Errors.Should().ContainSingle().Which.Should().Be("A layout has at most 20,000 seats; this one has more.");
    }
}
