using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Seating;

namespace TicketBooking.Tests.Core.Seating;

/// <summary>A viewer's copy of the map follows published changes in order and asks for a catch-up read after a gap.</summary>
public sealed class LiveSeatMapTests
{
    private static readonly Guid Concert = Guid.NewGuid();
    private static readonly BuyerId Viewer = BuyerId.New();

    private static LiveSeatMap Map(long version = 5) =>
        new(new SeatMap(Concert, version, true, [.. Enumerable.Range(1, 3).Select(n => new SeatState($"A-A-{n}", "SEATS", "A", "A", n, n, 4, false, SeatStatus.Available))]), Viewer);

    private static AvailabilitySnapshot Snapshot(long version, params SeatChange[] changes) =>
        new(Concert, version, DateTimeOffset.UnixEpoch, [], changes);

    [Fact]
    public void The_next_version_applies_and_the_viewers_own_seats_are_yours()
    {
        var map = Map();

        var changed = map.Apply(Snapshot(6, new SeatChange("A-A-1", SeatStatus.Taken, Guid.NewGuid()), new SeatChange("A-A-2", SeatStatus.Taken, Viewer.Value)));

        changed!.Select(s => (s.Label, s.Status)).Should().Equal(("A-A-1", SeatStatus.Taken), ("A-A-2", SeatStatus.Yours));
        map.Version.Should().Be(6);
        map.Seats.Select(s => s.Status).Should().Equal(SeatStatus.Taken, SeatStatus.Yours, SeatStatus.Available);
    }

    [Fact]
    public void An_old_or_repeated_version_changes_nothing_and_a_gap_asks_for_a_read_since()
    {
        var map = Map();

        map.Apply(Snapshot(5, new SeatChange("A-A-1", SeatStatus.Taken, null))).Should().BeEmpty();
        map.Apply(Snapshot(7, new SeatChange("A-A-1", SeatStatus.Taken, null))).Should().BeNull("version 6 was missed");
        map.Version.Should().Be(5);
        map["A-A-1"]!.Status.Should().Be(SeatStatus.Available);

        var changed = map.Apply(new SeatMap(Concert, 7, false, [map["A-A-3"]! with { Status = SeatStatus.NotForSale }]));

        changed.Select(s => s.Label).Should().Equal("A-A-3");
        map.Version.Should().Be(7);
        map.Apply(Snapshot(7, new SeatChange("A-A-2", SeatStatus.Taken, null))).Should().BeEmpty();
    }

    [Fact]
    public void A_seat_it_does_not_know_makes_it_stale()
    {
        var map = Map();

        map.Apply(Snapshot(6, new SeatChange("B-A-1", SeatStatus.Available, null)))!.Should().BeEmpty();

        map.Stale.Should().BeTrue("the layout changed: read the whole map again");
    }
}
