using Dapper;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Cluster;

/// <summary>
/// On a shared PostgreSQL database a payment records the instance that started it, so the others can finish at once
/// what an instance that died left pending, and leave a live instance's running charge alone, however recent both are.
/// </summary>
public sealed class OrphanedPaymentTests : IAsyncLifetime
{
    private TestEngine _engine = null!;
    private Concert _concert = null!;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: StorageProvider.Postgres);
        _concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Recovery_voids_at_once_what_a_gone_instance_left_pending_and_leaves_a_live_instances_payment_alone()
    {
        // Another instance, alive: its own pool, with a connection open, as a running instance has.
        using var other = (PostgresConnectionFactory)_engine.Database.NewConnectionFactory(TimeSpan.FromSeconds(5));
        await using var otherConnection = await other.OpenAsync();
        var now = _engine.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var (gone, live, mine, legacy) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());
        await using (var connection = await _engine.Connections.OpenAsync())
        {
            await connection.ExecuteAsync("""
                INSERT INTO payments (id, buyer_id, concert_id, hold_id, amount_cents, card_last4, status, gateway_charge_id, created_at, updated_at, owner)
                VALUES (@gone, @buyer, @concert, @hold, 10000, '4242', 'pending', NULL, @now, @now, 'TicketBooking/0123456789abcdef'),
                       (@live, @buyer, @concert, @hold, 10000, '4242', 'pending', NULL, @now, @now, @otherName),
                       (@mine, @buyer, @concert, @hold, 10000, '4242', 'pending', NULL, @now, @now, @myName),
                       (@legacy, @buyer, @concert, @hold, 10000, '4242', 'pending', NULL, @now, @now, NULL);
                INSERT INTO idempotency_keys (buyer_id, key, fingerprint, payment_id, created_at) VALUES (@buyer, 'cut-off', 'f', @gone, @now);
                """, new
            {
                gone, live, mine, legacy, hold = Guid.NewGuid(), buyer = BuyerIdText(), concert = _concert.Id, now,
                otherName = other.InstanceName, myName = _engine.Connections.InstanceName,
            });
        }

        var recovered = await _engine.Bookings.RecoverAsync(TimeSpan.FromMinutes(2));

        recovered.Should().Be(1);
        await using var check = await _engine.Connections.OpenAsync();
        var statuses = (await check.QueryAsync<(Guid Id, string Status)>("SELECT id, status FROM payments")).ToDictionary(p => p.Id, p => p.Status);
        statuses.Should().BeEquivalentTo(new Dictionary<Guid, string>
        {
            [gone] = "voided",
            [live] = "pending", // another live instance's charge, still running
            [mine] = "pending", // this instance's own
            [legacy] = "pending", // no owner recorded: only age decides
        });
        (await check.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM idempotency_keys WHERE key = 'cut-off'"))
            .Should().Be(0, "the cut-off request's key is forgotten, so the buyer's retry runs afresh");
    }

    private static string BuyerIdText() => TicketBooking.Core.BuyerId.New().Value.ToString();
}
