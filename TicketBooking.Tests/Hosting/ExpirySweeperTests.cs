using Microsoft.Extensions.Logging;
using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Hosting;

public sealed class ExpirySweeperTests
{
    private static readonly TimeSpan SweepInterval = TimeSpan.FromSeconds(10);
    private readonly TestClock _time = new();

    /// <summary>Starts the app on the fake clock and returns once the sweeper waits on its timer.</summary>
    private async Task<TicketBookingApp> StartAsync()
    {
        var app = new TicketBookingApp(
            new Dictionary<string, string?>
            {
                ["Holds:SweepInterval"] = SweepInterval.ToString(),
                ["Storage:BusyTimeout"] = "00:00:00.200",
            },
            _time);
        _ = app.Services;
        await _time.WaitForTimersAsync();
        return app;
    }

    [Fact]
    public async Task The_hosted_sweeper_removes_an_expired_hold_on_its_timer_and_announces_the_change()
    {
        await using var app = await StartAsync();
        var (concert, vipBefore) = await HoldOneVipAsync(app);
        using var updates = app.GetService<AvailabilityBroadcaster>().Subscribe(concert.Id);
        updates.TryRead(out _);

        _time.Advance(app.GetService<Microsoft.Extensions.Options.IOptions<HoldOptions>>().Value.Duration);
        _time.Advance(SweepInterval);
        await app.Log.WaitForAsync(e => e.Message.StartsWith("Expired 1 holds", StringComparison.Ordinal));

        var snapshot = await updates.ReadAllAsync().FirstAsync();
        snapshot.Tiers.Single(t => t.Code == "VIP").Should().Match<TierAvailability>(t => t.Held == 0 && t.Available == vipBefore);
        (await CountHoldsAsync(app)).Should().Be(0);
    }

    [Fact]
    public async Task A_failing_sweep_is_logged_and_the_next_tick_sweeps_as_usual()
    {
        await using var app = await StartAsync();
        await HoldOneVipAsync(app);
        _time.Advance(app.GetService<Microsoft.Extensions.Options.IOptions<HoldOptions>>().Value.Duration);

        using (var blocker = ((SqliteConnectionFactory)app.GetService<ConnectionFactory>()).OpenUnpooled())
        {
            using var writeLock = blocker.BeginTransaction(deferred: false);
            _time.Advance(SweepInterval);
            var failure = await app.Log.WaitForAsync(e => e.Message.StartsWith("Sweeping expired holds failed", StringComparison.Ordinal));
            failure.Level.Should().Be(LogLevel.Error);
            writeLock.Rollback();
        }

        _time.Advance(SweepInterval);
        await app.Log.WaitForAsync(e => e.Message.StartsWith("Expired 1 holds", StringComparison.Ordinal));
        (await CountHoldsAsync(app)).Should().Be(0);
    }

    private static async Task<(Concert Concert, int VipAvailable)> HoldOneVipAsync(TicketBookingApp app)
    {
        var concert = (await app.GetService<ConcertCatalog>().ListAsync())[0];
        var vip = concert.Tier("VIP")!.Available;
        var result = await app.GetService<HoldService>().PlaceAsync(BuyerId.New(), new HoldRequest(concert.Id, [new HoldItem("VIP", 1)]));
        result.Should().BeOfType<HoldResult.Held>();
        return (concert, vip);
    }

    private static async Task<long> CountHoldsAsync(TicketBookingApp app)
    {
        await using var connection = await app.GetService<ConnectionFactory>().OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM holds";
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
