using TicketBooking.Core.Storage;
using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Holds;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

public abstract class HoldExpiryTests(StorageProvider provider) : EngineTest(provider: provider)
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);

    [Fact]
    public async Task A_hold_stops_counting_exactly_at_its_expiry_without_any_sweep()
    {
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 10));
        var first = BuyerId.New();
        var second = BuyerId.New();
        await Engine.Holds.PlaceAsync(first, TestEngine.Request(concert.Id, ("VIP", 10)));

        Engine.Time.Advance(Engine.HoldOptions.Duration - Millisecond);
        var justBefore = await Engine.Holds.PlaceAsync(second, TestEngine.Request(concert.Id, ("VIP", 10)));
        (await Engine.TierAsync(concert.Id, "VIP")).Available.Should().Be(0);

        Engine.Time.Advance(Millisecond);
        (await Engine.TierAsync(concert.Id, "VIP")).Available.Should().Be(10, "the hold stopped counting at its expires_at");
        var atExpiry = await Engine.Holds.PlaceAsync(second, TestEngine.Request(concert.Id, ("VIP", 10)));

        justBefore.Should().BeOfType<HoldResult.NotEnoughTickets>();
        atExpiry.Should().BeOfType<HoldResult.Held>();
        (await Engine.Holds.GetAsync(first, concert.Id)).Should().BeNull();
        var tier = await Engine.TierAsync(concert.Id, "VIP");
        (tier.Held, tier.Available).Should().Be((10, 0));
    }

    [Fact]
    public async Task An_expired_hold_is_not_renewed_by_a_heartbeat()
    {
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 10));
        var buyer = BuyerId.New();
        await Engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 1)));

        Engine.Time.Advance(Engine.HoldOptions.Duration);

        (await Engine.Holds.HeartbeatAsync(buyer, concert.Id, active: true, visible: true)).Should().BeOfType<HeartbeatResult.NoActiveHold>();
    }

    [Fact]
    public async Task The_sweep_deletes_expired_holds_and_publishes_one_snapshot_per_concert()
    {
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 3), ("GA", 2)));
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 5)));
        Engine.Time.Advance(TimeSpan.FromMinutes(1));
        var stillActive = BuyerId.New();
        await Engine.Holds.PlaceAsync(stillActive, TestEngine.Request(concert.Id, ("VIP", 1)));
        using var subscription = Engine.Broadcaster.Subscribe(concert.Id);
        var before = Engine.Broadcaster.Latest(concert.Id)!.Version;

        Engine.Time.Advance(Engine.HoldOptions.Duration - TimeSpan.FromMinutes(1));
        var swept = await Engine.Holds.SweepExpiredAsync();
        var again = await Engine.Holds.SweepExpiredAsync();

        swept.Should().Be(new SweepResult(3, 10, [concert.Id]) with { Concerts = swept.Concerts });
        swept.Concerts.Should().Equal(concert.Id);
        again.HoldsRemoved.Should().Be(0);
        subscription.TryRead(out var snapshot).Should().BeTrue();
        snapshot!.Version.Should().Be(before + 1);
        snapshot.Tiers.Select(t => (t.Code, t.Held)).Should().Equal(("VIP", 1), ("GA", 0));
        subscription.TryRead(out _).Should().BeFalse("one sweep publishes one snapshot, and a sweep that removes nothing publishes none");
        Engine.Broadcaster.Latest(concert.Id)!.Version.Should().Be(before + 1);
        (await Engine.Holds.GetAsync(stillActive, concert.Id)).Should().NotBeNull();
    }
}

public sealed class HoldExpiryOnSqliteTests() : HoldExpiryTests(StorageProvider.Sqlite);

public sealed class HoldExpiryOnPostgresTests() : HoldExpiryTests(StorageProvider.Postgres);
