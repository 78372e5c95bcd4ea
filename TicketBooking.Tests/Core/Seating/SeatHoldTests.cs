using TicketBooking.Core.Storage;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Seating;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Seating;

/// <summary>Holds, bookings and cancellations on a reserved tier, on a real SQLite file with a fake clock.</summary>
public abstract class SeatHoldTests(StorageProvider provider) : IAsyncLifetime
{
    private TestEngine _engine = null!;
    private Concert _concert = null!;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        _concert = await _engine.CreateSeatedConcertAsync(rows: 5, seatsPerRow: 10);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_layout_makes_the_tier_reserved_with_its_seats_as_capacity()
    {
        var tier = _concert.Tier("SEATS")!;
        (tier.Reserved, tier.Capacity, tier.Available).Should().Be((true, 50, 50));
        _concert.Tier("GA")!.Reserved.Should().BeFalse();
        var map = (await _engine.SeatMaps.GetAsync(_concert.Id, null))!;
        map.Seats.Should().HaveCount(50).And.OnlyContain(s => s.Status == SeatStatus.Available && s.Tier == "SEATS");
        map.Seats[0].Label.Should().Be("A-A-1");
    }

    [Fact]
    public async Task Named_seats_are_held_for_the_buyer_and_shown_taken_to_everyone_else()
    {
        var buyer = BuyerId.New();

        var hold = await HoldSeats(buyer, "A-C-5", "A-C-6");

        hold.Items.Should().ContainSingle().Which.Should().Match<HeldItem>(i => i.Quantity == 2 && i.Together && i.Seats!.SequenceEqual(new[] { "A-C-5", "A-C-6" }));
        var mine = (await _engine.SeatMaps.GetAsync(_concert.Id, buyer))!.Seats.Where(s => s.Status != SeatStatus.Available).ToList();
        mine.Select(s => (s.Label, s.Status)).Should().BeEquivalentTo([("A-C-5", SeatStatus.Yours), ("A-C-6", SeatStatus.Yours)]);
        var theirs = (await _engine.SeatMaps.GetAsync(_concert.Id, BuyerId.New()))!.Seats.Where(s => s.Status != SeatStatus.Available);
        theirs.Select(s => (s.Label, s.Status)).Should().BeEquivalentTo([("A-C-5", SeatStatus.Taken), ("A-C-6", SeatStatus.Taken)]);
        (await _engine.Holds.GetAsync(buyer, _concert.Id))!.Items.Single().Seats.Should().Equal("A-C-5", "A-C-6");
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task A_taken_seat_refuses_the_whole_request_naming_it_and_changes_nothing()
    {
        await HoldSeats(BuyerId.New(), "A-B-3", "A-B-4");
        var late = BuyerId.New();

        var result = await _engine.Holds.PlaceAsync(late, new HoldRequest(_concert.Id, [new HoldItem("SEATS", 2, ["A-B-4", "A-B-5"]), new HoldItem("GA", 2)]));

        result.Should().BeOfType<HoldResult.SeatsTaken>().Which.Seats.Should().Equal("A-B-4");
        (await _engine.Holds.GetAsync(late, _concert.Id)).Should().BeNull();
        (await _engine.TierAsync(_concert.Id, "GA")).Held.Should().Be(0);
        (await StatusOf("A-B-5")).Should().Be(SeatStatus.Available);
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task Best_available_takes_a_block_in_the_front_row_centre()
    {
        var hold = await Hold(BuyerId.New(), new HoldItem("SEATS", 4));

        var item = hold.Items.Single();
        item.Together.Should().BeTrue();
        item.Seats.Should().Equal("A-A-4", "A-A-5", "A-A-6", "A-A-7");
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task A_pick_that_leaves_a_lone_seat_is_refused_with_the_seat_named()
    {
        var result = await _engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(_concert.Id, [new HoldItem("SEATS", 2, ["A-A-2", "A-A-3"])]));

        var orphans = result.Should().BeOfType<HoldResult.OrphanSeats>().Subject;
        orphans.Seats.Should().Equal("A-A-1");
        orphans.Message.Should().Contain("A-A-1").And.Contain("empty on its own");
        (await _engine.TierAsync(_concert.Id, "SEATS")).Held.Should().Be(0);
    }

    [Fact]
    public async Task With_orphan_prevention_off_the_same_pick_is_held()
    {
        await using var engine = TestEngine.Start(provider: provider, seating: o => o.PreventOrphans = false);
        var concert = await engine.CreateSeatedConcertAsync();

        var result = await engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(concert.Id, [new HoldItem("SEATS", 2, ["A-A-2", "A-A-3"])]));

        result.Should().BeOfType<HoldResult.Held>();
    }

    [Fact]
    public async Task Seats_on_a_general_tier_and_unknown_seats_are_refused_as_invalid()
    {
        var buyer = BuyerId.New();

        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, [new HoldItem("GA", 1, ["A-A-1"])])))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors["items"].Single().Should().Contain("general admission");
        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, [new HoldItem("SEATS", 1, ["A-Z-99"])])))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors["items[0].seats"].Single().Should().Contain("A-Z-99");
        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, [new HoldItem("SEATS", 2, ["A-A-1", "A-A-1"])])))
            .Should().BeOfType<HoldResult.Invalid>();
        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, [new HoldItem("SEATS", 3, ["A-A-1"])])))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors["items[0].seats"].Single().Should().Contain("quantity of 3");
        (await _engine.Holds.GetAsync(buyer, _concert.Id)).Should().BeNull();
    }

    [Fact]
    public async Task Replacing_a_checkout_frees_the_seats_it_no_longer_names()
    {
        var buyer = BuyerId.New();
        await HoldSeats(buyer, "A-D-4", "A-D-5");

        await HoldSeats(buyer, "A-D-5", "A-D-6", "A-D-7");

        (await StatusOf("A-D-4")).Should().Be(SeatStatus.Available);
        (await _engine.Holds.GetAsync(buyer, _concert.Id))!.Items.Single().Seats.Should().Equal("A-D-5", "A-D-6", "A-D-7");
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task Releasing_frees_the_seats_for_the_next_buyer()
    {
        var first = BuyerId.New();
        await HoldSeats(first, "A-E-5", "A-E-6");

        (await _engine.Holds.ReleaseAsync(first, _concert.Id)).Should().BeTrue();

        await HoldSeats(BuyerId.New(), "A-E-5", "A-E-6");
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task A_seat_hold_ends_at_exactly_its_expiry_and_the_seat_is_free_in_that_instant()
    {
        var hold = await HoldSeats(BuyerId.New(), "A-C-1", "A-C-2");
        _engine.Time.SetUtcNow(hold.ExpiresAt.AddMilliseconds(-1));
        (await StatusOf("A-C-1")).Should().Be(SeatStatus.Taken);
        (await _engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(_concert.Id, [new HoldItem("SEATS", 2, ["A-C-1", "A-C-2"])])))
            .Should().BeOfType<HoldResult.SeatsTaken>();

        _engine.Time.SetUtcNow(hold.ExpiresAt);

        (await StatusOf("A-C-1")).Should().Be(SeatStatus.Available);
        (await _engine.TierAsync(_concert.Id, "SEATS")).Available.Should().Be(50);
        await HoldSeats(BuyerId.New(), "A-C-1", "A-C-2");
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task The_sweep_frees_expired_seats_and_publishes_them_as_a_delta()
    {
        var hold = await HoldSeats(BuyerId.New(), "A-B-7", "A-B-8");
        var before = _engine.Broadcaster.Latest(_concert.Id)!;
        before.SeatChanges!.Select(c => (c.Label, c.Status)).Should().BeEquivalentTo([("A-B-7", SeatStatus.Taken), ("A-B-8", SeatStatus.Taken)]);
        _engine.Time.SetUtcNow(hold.ExpiresAt);

        (await _engine.Holds.SweepExpiredAsync()).TicketsReleased.Should().Be(2);

        var after = _engine.Broadcaster.Latest(_concert.Id)!;
        after.Version.Should().Be(before.Version + 1);
        after.SeatChanges!.Select(c => (c.Label, c.Status)).Should().BeEquivalentTo([("A-B-7", SeatStatus.Available), ("A-B-8", SeatStatus.Available)]);
        var delta = (await _engine.SeatMaps.GetAsync(_concert.Id, null, since: before.Version))!;
        (delta.Complete, delta.Version).Should().Be((false, after.Version));
        delta.Seats.Select(s => s.Label).Should().BeEquivalentTo(["A-B-7", "A-B-8"]);
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task A_booking_sells_exactly_the_held_seats_and_each_ticket_names_its_seat()
    {
        var buyer = BuyerId.New();
        await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, [new HoldItem("SEATS", 2, ["A-C-3", "A-C-4"]), new HoldItem("GA", 1)]));

        var booking = await Pay(buyer);

        booking.Tickets.Select(t => (t.Tier, t.Seat)).Should().Equal(("SEATS", "A-C-3"), ("SEATS", "A-C-4"), ("GA", null));
        booking.Tickets[0].SeatName.Should().Be("Section A · Row C, seat 3");
        (await StatusOf("A-C-3")).Should().Be(SeatStatus.Taken);
        var tier = await _engine.TierAsync(_concert.Id, "SEATS");
        (tier.Sold, tier.Held).Should().Be((2, 0));
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task An_expired_checkout_still_pays_for_its_seats_when_nobody_took_them()
    {
        var buyer = BuyerId.New();
        var hold = await HoldSeats(buyer, "A-D-5", "A-D-6");
        _engine.Time.SetUtcNow(hold.ExpiresAt.AddSeconds(5));

        var booking = await Pay(buyer);

        booking.Tickets.Select(t => t.Seat).Should().Equal("A-D-5", "A-D-6");
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task An_expired_checkout_whose_seat_went_to_another_buyer_is_not_sold()
    {
        var buyer = BuyerId.New();
        var hold = await HoldSeats(buyer, "A-D-5", "A-D-6");
        _engine.Time.SetUtcNow(hold.ExpiresAt);
        await HoldSeats(BuyerId.New(), "A-D-6", "A-D-7");

        var result = await _engine.Bookings.ConfirmAsync(buyer, Confirm(), "key-1");

        result.Should().NotBeOfType<ConfirmResult.Booked>();
        (await _engine.TierAsync(_concert.Id, "SEATS")).Sold.Should().Be(0);
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task Cancelling_one_ticket_frees_exactly_its_seat()
    {
        var buyer = BuyerId.New();
        await HoldSeats(buyer, "A-E-1", "A-E-2", "A-E-3");
        var booking = await Pay(buyer);
        var cancellations = _engine.Services.GetRequiredService<CancellationService>();

        var result = await cancellations.CancelAsync(new Canceller.Buyer(buyer), booking.Id, [booking.Tickets[1].Id]);

        result.Should().BeOfType<CancelResult.Cancelled>();
        (await StatusOf("A-E-1")).Should().Be(SeatStatus.Taken);
        (await StatusOf("A-E-2")).Should().Be(SeatStatus.Available);
        (await StatusOf("A-E-3")).Should().Be(SeatStatus.Taken);
        (await _engine.TierAsync(_concert.Id, "SEATS")).Sold.Should().Be(2);
        await AssertCountersMatchSeats();
        await HoldSeats(BuyerId.New(), "A-E-2");
    }

    [Fact]
    public async Task The_database_itself_refuses_a_second_holder_or_a_second_sale_of_a_seat()
    {
        var buyer = BuyerId.New();
        await HoldSeats(buyer, "A-B-1", "A-B-2");
        var booking = await Pay(buyer);
        await HoldSeats(BuyerId.New(), "A-C-1", "A-C-2");
        await using var connection = await _engine.Connections.OpenAsync();

        var steal = () => connection.Execute("UPDATE seats SET held_by = @other WHERE concert_id = @id AND label = 'A-C-1'", new { other = Guid.NewGuid(), id = _concert.Id });
        var resell = () => connection.Execute("UPDATE seats SET ticket_id = (SELECT id FROM tickets WHERE seat_label = 'A-B-2') WHERE concert_id = @id AND label = 'A-B-1'", new { id = _concert.Id });
        var holdSold = () => connection.Execute("UPDATE seats SET held_by = @other WHERE concert_id = @id AND label = 'A-B-1'", new { other = Guid.NewGuid(), id = _concert.Id });
        var secondTicket = () => connection.Execute(
            "INSERT INTO tickets (id, booking_id, concert_id, tier_id, position, code, seat_label) SELECT @ticket, booking_id, concert_id, tier_id, 99, @code, seat_label FROM tickets WHERE seat_label = 'A-B-1'",
            new { ticket = Guid.NewGuid(), code = new string('F', 32) });

        // The same rules on both providers, in each one's words.
        steal.Should().Throw<System.Data.Common.DbException>().Which.Message.Should().Contain("already held or sold");
        resell.Should().Throw<System.Data.Common.DbException>().Which.Message.Should().Contain("already held or sold");
        holdSold.Should().Throw<System.Data.Common.DbException>().Which.Message.Should().MatchRegex("CHECK constraint failed|violates check constraint");
        secondTicket.Should().Throw<System.Data.Common.DbException>().Which.Message.Should().MatchRegex("UNIQUE constraint failed|duplicate key value violates unique constraint");
        booking.Tickets.Should().HaveCount(2);
    }

    [Fact]
    public async Task A_layout_keeps_seats_with_buyers_and_a_seated_tier_refuses_a_capacity_change()
    {
        await HoldSeats(BuyerId.New(), "A-A-4", "A-A-5");
        var smaller = SeatLayouts.Generate(new LayoutPlan([new SectionPlan("A", 1, 3)], Curved: false));
        var shifted = SeatLayouts.Generate(new LayoutPlan([new SectionPlan("A", 2, 6)], Curved: true));

        (await _engine.Seating.SetLayoutAsync(_concert.Id, "SEATS", smaller)).Should().BeOfType<AdminResult.Conflict>()
            .Which.Message.Should().Contain("A-A-4").And.Contain("A-A-5");
        var saved = (await _engine.Seating.SetLayoutAsync(_concert.Id, "SEATS", shifted)).Should().BeOfType<AdminResult.Saved>().Subject;

        saved.Concert.Tier("SEATS")!.Capacity.Should().Be(12);
        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Should().HaveCount(12);
        (await _engine.Admin.SetCapacityAsync(_concert.Id, "SEATS", 500)).Should().BeOfType<AdminResult.Conflict>();
        (await _engine.Seating.SetFlagsAsync(_concert.Id, ["A-A-4"], accessible: null, notForSale: true)).Should().BeOfType<AdminResult.Conflict>();
        (await _engine.Seating.SetFlagsAsync(_concert.Id, ["A-B-1", "A-B-2"], accessible: true, notForSale: true)).Should().BeOfType<AdminResult.Saved>()
            .Which.Concert.Tier("SEATS")!.Capacity.Should().Be(10);
        (await StatusOf("A-B-1")).Should().Be(SeatStatus.NotForSale);
        await AssertCountersMatchSeats();
    }

    [Fact]
    public async Task A_general_tier_that_has_sold_cannot_become_seated()
    {
        await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(_concert.Id, ("GA", 1)));
        var layout = SeatLayouts.Generate(new LayoutPlan([new SectionPlan("G", 2, 5)], Curved: false));

        (await _engine.Seating.SetLayoutAsync(_concert.Id, "GA", layout)).Should().BeOfType<AdminResult.Conflict>()
            .Which.Message.Should().Contain("general-admission");
    }

    private async Task<Hold> HoldSeats(BuyerId buyer, params string[] labels) =>
        await Hold(buyer, new HoldItem("SEATS", labels.Length, labels));

    private async Task<Hold> Hold(BuyerId buyer, params HoldItem[] items) =>
        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, items))).Should().BeOfType<HoldResult.Held>().Subject.Hold;

    private async Task<Booking> Pay(BuyerId buyer) =>
        (await _engine.Bookings.ConfirmAsync(buyer, Confirm(), $"key-{Guid.NewGuid():N}")).Should().BeOfType<ConfirmResult.Booked>().Subject.Booking;

    private ConfirmRequest Confirm() =>
        new(_concert.Id, new BuyerDetails("Ada Lovelace", "ada@example.com"), new CardDetails("4242 4242 4242 4242", "12/30", "123"));

    private async Task<SeatStatus> StatusOf(string label) =>
        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Single(s => s.Label == label).Status;

    private Task AssertCountersMatchSeats() => SeatInvariant.AssertAsync(_engine.Connections, _concert.Id);
}

public sealed class SeatHoldOnSqliteTests() : SeatHoldTests(StorageProvider.Sqlite);

public sealed class SeatHoldOnPostgresTests() : SeatHoldTests(StorageProvider.Postgres);
