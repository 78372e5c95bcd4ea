using TicketBooking.Core.Storage;
using TicketBooking.Core;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

/// <summary>The hold policy (docs/architecture.md, "Holds") with its defaults: Duration 10 min, InactivityTimeout 3 min, HiddenGrace 60 s, HardCap 15 min.</summary>
public abstract class HeartbeatTests(StorageProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Millisecond = TimeSpan.FromMilliseconds(1);
    private TestEngine _engine = null!;
    private Concert _concert = null!;
    private BuyerId _buyer;
    private DateTimeOffset _heldAt;

    private HoldOptions Options => _engine.HoldOptions;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        _concert = await _engine.CreateConcertAsync(("GA", 1_000, 100));
        _buyer = BuyerId.New();
        _heldAt = _engine.Time.GetUtcNow();
        await _engine.Holds.PlaceAsync(_buyer, TestEngine.Request(_concert.Id, ("GA", 2)));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Activity_renews_the_hold_to_now_plus_duration()
    {
        _engine.Time.Advance(TimeSpan.FromMinutes(2));

        var result = await Heartbeat(active: true, visible: true);

        result.Should().Be(new HeartbeatResult.Active(_engine.Time.GetUtcNow() + Options.Duration));
    }

    [Fact]
    public async Task Without_input_the_hold_is_renewed_until_just_before_the_inactivity_timeout()
    {
        _engine.Time.Advance(Options.InactivityTimeout - Millisecond);

        var result = await Heartbeat(active: false, visible: true);

        result.Should().Be(new HeartbeatResult.Active(_engine.Time.GetUtcNow() + Options.Duration));
    }

    [Fact]
    public async Task Without_input_for_exactly_the_inactivity_timeout_the_hold_is_not_renewed()
    {
        _engine.Time.Advance(Options.InactivityTimeout);

        var result = await Heartbeat(active: false, visible: true);

        result.Should().Be(new HeartbeatResult.Active(_heldAt + Options.Duration), "the hold keeps its old expiry and runs out");
    }

    [Fact]
    public async Task Renewal_never_passes_the_hard_cap_and_the_hold_ends_there()
    {
        var cap = _heldAt + Options.HardCap;
        _engine.Time.Advance(Options.HardCap - Options.Duration - Millisecond);
        (await Heartbeat(active: true, visible: true)).Should().Be(new HeartbeatResult.Active(cap - Millisecond));

        _engine.Time.Advance(Millisecond);
        (await Heartbeat(active: true, visible: true)).Should().Be(new HeartbeatResult.Active(cap));

        _engine.Time.Advance(Options.Duration - Millisecond);
        (await Heartbeat(active: true, visible: true)).Should().Be(new HeartbeatResult.Active(cap));

        _engine.Time.Advance(Millisecond);
        (await Heartbeat(active: true, visible: true)).Should().BeOfType<HeartbeatResult.NoActiveHold>();
        (await _engine.TierAsync(_concert.Id, "GA")).Held.Should().Be(0);
    }

    [Fact]
    public async Task A_hidden_checkout_shrinks_to_the_grace_period_and_a_visible_active_one_restores_it()
    {
        _engine.Time.Advance(TimeSpan.FromMinutes(1));

        var hidden = await Heartbeat(active: false, visible: false);
        _engine.Time.Advance(TimeSpan.FromSeconds(30));
        var back = await Heartbeat(active: true, visible: true);

        hidden.Should().Be(new HeartbeatResult.Active(_heldAt + TimeSpan.FromMinutes(1) + Options.HiddenGrace));
        back.Should().Be(new HeartbeatResult.Active(_engine.Time.GetUtcNow() + Options.Duration));
    }

    [Fact]
    public async Task Hiding_never_extends_a_hold_that_ends_sooner_than_the_grace_period()
    {
        var expiresAt = _heldAt + Options.Duration;
        _engine.Time.SetUtcNow(expiresAt - TimeSpan.FromSeconds(10));

        var result = await Heartbeat(active: false, visible: false);

        result.Should().Be(new HeartbeatResult.Active(expiresAt));
    }

    [Fact]
    public async Task A_lost_connection_shrinks_all_the_buyers_holds_until_a_heartbeat_restores_them()
    {
        var other = await _engine.CreateConcertAsync(("VIP", 10_000, 10));
        await _engine.Holds.PlaceAsync(_buyer, TestEngine.Request(other.Id, ("VIP", 1)));

        var shrunk = await _engine.Holds.ShrinkAllAsync(_buyer);
        var graceEnd = _engine.Time.GetUtcNow() + Options.HiddenGrace;

        shrunk.Should().Be(2, "one row per held tier");
        (await _engine.Holds.GetAsync(_buyer, _concert.Id))!.ExpiresAt.Should().Be(graceEnd);
        (await _engine.Holds.GetAsync(_buyer, other.Id))!.ExpiresAt.Should().Be(graceEnd);
        (await Heartbeat(active: true, visible: true)).Should().Be(new HeartbeatResult.Active(_engine.Time.GetUtcNow() + Options.Duration));
    }

    private Task<HeartbeatResult> Heartbeat(bool active, bool visible) =>
        _engine.Holds.HeartbeatAsync(_buyer, _concert.Id, active, visible);
}

public sealed class HeartbeatOnSqliteTests() : HeartbeatTests(StorageProvider.Sqlite);

public sealed class HeartbeatOnPostgresTests() : HeartbeatTests(StorageProvider.Postgres);
