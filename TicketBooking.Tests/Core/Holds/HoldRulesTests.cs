using TicketBooking.Core.Storage;
using TicketBooking.Core;
using TicketBooking.Core.Holds;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

public abstract class HoldRulesTests(StorageProvider provider) : IAsyncLifetime
{
    private TestEngine _engine = null!;

    public Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider, holds: h =>
        {
            h.MaxPerTier = 4;
            h.MaxPerOrder = 6;
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Hold_takes_tickets_from_availability_and_reports_items_prices_and_expiry()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 50));
        var buyer = BuyerId.New();

        var result = await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2), ("GA", 3)));

        var hold = result.Should().BeOfType<HoldResult.Held>().Subject.Hold;
        hold.Items.Should().BeEquivalentTo([new HeldItem("VIP", "VIP", 2, 10_000), new HeldItem("GA", "GA", 3, 1_000)]);
        hold.TotalCents.Should().Be(23_000);
        hold.ExpiresAt.Should().Be(_engine.Time.GetUtcNow() + _engine.HoldOptions.Duration);
        (await _engine.TierAsync(concert.Id, "VIP")).Available.Should().Be(8);
        (await _engine.TierAsync(concert.Id, "GA")).Available.Should().Be(47);
        (await _engine.Holds.GetAsync(buyer, concert.Id)).Should().BeEquivalentTo(hold);
    }

    [Fact]
    public async Task Hold_fails_when_tier_has_fewer_tickets_than_requested_and_says_what_is_left()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 5), ("GA", 1_000, 50));
        await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 4)));
        var buyer = BuyerId.New();

        var result = await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2), ("GA", 2)));

        result.Should().BeOfType<HoldResult.NotEnoughTickets>()
            .Which.Tiers.Should().BeEquivalentTo([new TierShortfall("VIP", 2, 1)]);
        (await _engine.Holds.GetAsync(buyer, concert.Id)).Should().BeNull("a multi-tier hold is all or nothing");
        (await _engine.TierAsync(concert.Id, "GA")).Available.Should().Be(50);
    }

    [Fact]
    public async Task Entering_checkout_again_replaces_quantities_and_checks_only_the_difference()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 3), ("GA", 1_000, 50));
        var buyer = BuyerId.New();
        await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2)));
        await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 1)));

        var tooMany = await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 3)));
        var replaced = await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 1), ("GA", 4)));

        tooMany.Should().BeOfType<HoldResult.NotEnoughTickets>()
            .Which.Tiers.Should().BeEquivalentTo([new TierShortfall("VIP", 3, 2)], "the buyer's own two count as available to them");
        replaced.Should().BeOfType<HoldResult.Held>();
        var hold = await _engine.Holds.GetAsync(buyer, concert.Id);
        hold!.Items.Select(i => (i.Tier, i.Quantity)).Should().Equal(("VIP", 1), ("GA", 4));
        (await _engine.TierAsync(concert.Id, "VIP")).Held.Should().Be(2);
        (await _engine.TierAsync(concert.Id, "GA")).Held.Should().Be(4);
    }

    [Fact]
    public async Task Replacing_a_checkout_gives_a_new_hold_id_but_keeps_the_hard_cap_of_the_first()
    {
        var concert = await _engine.CreateConcertAsync(("GA", 1_000, 50));
        var buyer = BuyerId.New();
        var first = ((HoldResult.Held)await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("GA", 1)))).Hold;

        _engine.Time.Advance(TimeSpan.FromMinutes(8));
        await _engine.Holds.HeartbeatAsync(buyer, concert.Id, active: true, visible: true);
        var second = ((HoldResult.Held)await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("GA", 2)))).Hold;

        second.HoldId.Should().NotBe(first.HoldId);
        second.CreatedAt.Should().Be(first.CreatedAt);
        second.ExpiresAt.Should().Be(first.CreatedAt + _engine.HoldOptions.HardCap);
    }

    [Fact]
    public async Task Releasing_frees_the_tickets_at_once_and_announces_it()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 4));
        var buyer = BuyerId.New();
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 4)))).Should().BeOfType<HoldResult.Held>();
        var before = _engine.Broadcaster.Latest(concert.Id)!.Version;

        var released = await _engine.Holds.ReleaseAsync(buyer, concert.Id);

        released.Should().BeTrue();
        (await _engine.TierAsync(concert.Id, "VIP")).Available.Should().Be(4);
        var latest = _engine.Broadcaster.Latest(concert.Id)!;
        latest.Version.Should().Be(before + 1);
        latest.Tier("VIP")!.Available.Should().Be(4);
        (await _engine.Holds.ReleaseAsync(buyer, concert.Id)).Should().BeFalse("there is nothing left to release");
    }

    [Fact]
    public async Task One_buyer_cannot_release_or_see_another_buyers_hold()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 5));
        var owner = BuyerId.New();
        var stranger = BuyerId.New();
        await _engine.Holds.PlaceAsync(owner, TestEngine.Request(concert.Id, ("VIP", 2)));

        (await _engine.Holds.ReleaseAsync(stranger, concert.Id)).Should().BeFalse();
        (await _engine.Holds.GetAsync(stranger, concert.Id)).Should().BeNull();
        (await _engine.Holds.HeartbeatAsync(stranger, concert.Id, true, true)).Should().BeOfType<HeartbeatResult.NoActiveHold>();
        (await _engine.Holds.GetAsync(owner, concert.Id))!.Quantity.Should().Be(2);
    }

    [Theory]
    [InlineData(5, 0, "At most 4 tickets of one tier")]
    [InlineData(4, 3, "At most 6 tickets can be bought in one order")]
    public async Task Orders_over_the_limits_are_refused_and_hold_nothing(int vip, int ga, string message)
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 50), ("GA", 1_000, 50));
        var buyer = BuyerId.New();
        var items = new List<(string, int)> { ("VIP", vip) };
        if (ga > 0)
        {
            items.Add(("GA", ga));
        }

        var result = await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, [.. items]));

        result.Should().BeOfType<HoldResult.LimitExceeded>().Which.Message.Should().StartWith(message);
        (await _engine.Holds.GetAsync(buyer, concert.Id)).Should().BeNull();
    }

    [Fact]
    public async Task Malformed_requests_are_invalid_and_change_nothing()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 50));
        var buyer = BuyerId.New();

        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(concert.Id, [])))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors.Should().ContainKey("items");
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 0))))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors.Should().ContainKey("items[0].quantity");
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", -3))))
            .Should().BeOfType<HoldResult.Invalid>();
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 1), ("vip", 1))))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors["items"].Single().Should().Contain("more than once");
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, (" ", 1))))
            .Should().BeOfType<HoldResult.Invalid>().Which.Errors.Should().ContainKey("items[0].tier");
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("BALCONY", 1))))
            .Should().BeOfType<HoldResult.UnknownTiers>().Which.Tiers.Should().Equal("BALCONY");
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(Guid.NewGuid(), ("VIP", 1))))
            .Should().BeOfType<HoldResult.ConcertNotFound>();

        (await _engine.TierAsync(concert.Id, "VIP")).Held.Should().Be(0);
    }

    [Fact]
    public async Task Tier_codes_match_whatever_their_case()
    {
        var concert = await _engine.CreateConcertAsync(("FRONT_ROW", 5_000, 50));

        var result = await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("front_row", 2)));

        result.Should().BeOfType<HoldResult.Held>().Which.Hold.Items.Single().Tier.Should().Be("FRONT_ROW");
    }

    [Fact]
    public async Task No_tickets_are_held_once_the_concert_has_started()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 50));
        _engine.Time.SetUtcNow(concert.StartsAt);

        var result = await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 1)));

        result.Should().BeOfType<HoldResult.SalesClosed>();
    }
}

public sealed class HoldRulesOnSqliteTests() : HoldRulesTests(StorageProvider.Sqlite);

public sealed class HoldRulesOnPostgresTests() : HoldRulesTests(StorageProvider.Postgres);
