using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Holds;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

public sealed class HoldExpiryTests : IAsyncLifetime
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private TestEngine _engine = null!;

    public Task InitializeAsync()
    {
        _engine = TestEngine.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task A_hold_stops_counting_exactly_at_its_expiry_without_any_sweep()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10));
        var first = BuyerId.New();
        var second = BuyerId.New();
        await _engine.Holds.PlaceAsync(first, TestEngine.Request(concert.Id, ("VIP", 10)));

        _engine.Time.Advance(_engine.HoldOptions.Duration - Millisecond);
        var justBefore = await _engine.Holds.PlaceAsync(second, TestEngine.Request(concert.Id, ("VIP", 10)));
        (await _engine.TierAsync(concert.Id, "VIP")).Available.Should().Be(0);

        _engine.Time.Advance(Millisecond);
        (await _engine.TierAsync(concert.Id, "VIP")).Available.Should().Be(10, "the hold stopped counting at its expires_at");
        var atExpiry = await _engine.Holds.PlaceAsync(second, TestEngine.Request(concert.Id, ("VIP", 10)));

        justBefore.Should().BeOfType<HoldResult.NotEnoughTickets>();
        atExpiry.Should().BeOfType<HoldResult.Held>();
        (await _engine.Holds.GetAsync(first, concert.Id)).Should().BeNull();
        var tier = await _engine.TierAsync(concert.Id, "VIP");
        (tier.Held, tier.Available).Should().Be((10, 0));
    }

    [Fact]
    public async Task An_expired_hold_is_not_renewed_by_a_heartbeat()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10));
        var buyer = BuyerId.New();
        await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 1)));

        _engine.Time.Advance(_engine.HoldOptions.Duration);

        (await _engine.Holds.HeartbeatAsync(buyer, concert.Id, active: true, visible: true)).Should().BeOfType<HeartbeatResult.NoActiveHold>();
    }

    [Fact]
    public async Task The_sweep_deletes_expired_holds_and_publishes_one_snapshot_per_concert()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 3), ("GA", 2)));
        await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 5)));
        _engine.Time.Advance(TimeSpan.FromMinutes(1));
        var stillActive = BuyerId.New();
        await _engine.Holds.PlaceAsync(stillActive, TestEngine.Request(concert.Id, ("VIP", 1)));
        using var subscription = _engine.Broadcaster.Subscribe(concert.Id);
        var before = _engine.Broadcaster.Latest(concert.Id)!.Version;

        _engine.Time.Advance(_engine.HoldOptions.Duration - TimeSpan.FromMinutes(1));
        var swept = await _engine.Holds.SweepExpiredAsync();
        var again = await _engine.Holds.SweepExpiredAsync();

        swept.Should().Be(new SweepResult(3, 10, [concert.Id]) with { Concerts = swept.Concerts });
        swept.Concerts.Should().Equal(concert.Id);
        again.HoldsRemoved.Should().Be(0);
        subscription.TryRead(out var snapshot).Should().BeTrue();
        snapshot!.Version.Should().Be(before + 1);
        snapshot.Tiers.Select(t => (t.Code, t.Held)).Should().Equal(("VIP", 1), ("GA", 0));
        subscription.TryRead(out _).Should().BeFalse("one sweep publishes one snapshot, and a sweep that removes nothing publishes none");
        _engine.Broadcaster.Latest(concert.Id)!.Version.Should().Be(before + 1);
        (await _engine.Holds.GetAsync(stillActive, concert.Id)).Should().NotBeNull();
    }
}
