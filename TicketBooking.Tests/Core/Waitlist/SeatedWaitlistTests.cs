using TicketBooking.Core.Storage;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Waitlist;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Waitlist;

/// <summary>The waiting list on a reserved tier: an offer holds the best available block; set-aside seats are not for picking.</summary>
public abstract class SeatedWaitlistTests(StorageProvider provider) : IAsyncLifetime
{
    private TestEngine _engine = null!;
    private Concert _concert = null!;
    private Booking _booking = null!;
    private BuyerId _owner;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        _concert = await _engine.CreateSeatedConcertAsync(rows: 1, seatsPerRow: 6);
        _owner = BuyerId.New();
        (await _engine.Holds.PlaceAsync(_owner, new HoldRequest(_concert.Id, [new HoldItem("SEATS", 6)]))).Should().BeOfType<HoldResult.Held>();
        _booking = ((ConfirmResult.Booked)await _engine.Bookings.ConfirmAsync(_owner, TestEngine.Payment(_concert.Id), "k")).Booking;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task An_offer_on_a_reserved_tier_holds_the_best_block_and_leftover_seats_are_set_aside_not_pickable()
    {
        var pair = BuyerId.New();
        var trio = BuyerId.New();
        var trioEntry = ((JoinResult.Joined)await _engine.Waitlist.JoinAsync(trio, new JoinRequest(_concert.Id, "SEATS", 3, "trio@example.com"))).Entry;
        var pairEntry = ((JoinResult.Joined)await _engine.Waitlist.JoinAsync(pair, new JoinRequest(_concert.Id, "SEATS", 2, "pair@example.com"))).Entry;
        var ticketsBySeat = _booking.Tickets.ToDictionary(t => t.Seat!, t => t.Id);

        await Cancel("A-A-2", "A-A-3");

        (await _engine.Waitlist.GetAsync(pair, pairEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered, "2 seats back: the trio is passed over, the pair behind it fits");
        var held = (await _engine.Holds.GetAsync(pair, _concert.Id))!.Items.Single();
        held.Seats.Should().BeEquivalentTo(["A-A-2", "A-A-3"]);
        held.Together.Should().BeTrue();

        await Cancel("A-A-5");

        (await _engine.Waitlist.GetAsync(trio, trioEntry.Id))!.Status.Should().Be(WaitlistStatus.Waiting);
        var seats = (await _engine.SeatMaps.GetAsync(_concert.Id, BuyerId.New()))!.Seats.ToDictionary(s => s.Label, s => s.Status);
        seats["A-A-5"].Should().Be(SeatStatus.Taken, "a set-aside seat is kept for the line, not offered to the public");
        (await _engine.Holds.PlaceAsync(BuyerId.New(), new HoldRequest(_concert.Id, [new HoldItem("SEATS", 1, ["A-A-5"])])))
            .Should().BeOfType<HoldResult.SeatsTaken>();
        (await _engine.TierAsync(_concert.Id, "SEATS")).Should().BeEquivalentTo(new { SetAside = 1, Available = 0 });
        await SeatInvariant.AssertAsync(_engine.Connections, _concert.Id);

        await Cancel("A-A-6", "A-A-4");

        var trioSeats = (await _engine.Holds.GetAsync(trio, _concert.Id))!.Items.Single();
        trioSeats.Seats.Should().BeEquivalentTo(["A-A-4", "A-A-5", "A-A-6"]);
        (await _engine.TierAsync(_concert.Id, "SEATS")).SetAside.Should().Be(0);
        await SeatInvariant.AssertAsync(_engine.Connections, _concert.Id);

        async Task Cancel(params string[] labels) =>
            (await _engine.Services.GetRequiredService<CancellationService>().CancelAsync(new Canceller.Buyer(_owner), _booking.Id, [.. labels.Select(l => ticketsBySeat[l])]))
                .Should().BeOfType<CancelResult.Cancelled>();
    }
}

public sealed class SeatedWaitlistOnSqliteTests() : SeatedWaitlistTests(StorageProvider.Sqlite);

public sealed class SeatedWaitlistOnPostgresTests() : SeatedWaitlistTests(StorageProvider.Postgres);
