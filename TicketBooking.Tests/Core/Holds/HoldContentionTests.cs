using TicketBooking.Core;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

/// <summary>
/// The booking invariant under real contention: many threads, a small tier, exact counts, on each provider.
/// "Own connections" runs each buyer's hold transaction on a connection of its own, as separate processes or app
/// instances would, so the database's write lock (SQLite's file lock, PostgreSQL's writer lock) is what serialises them;
/// "engine" goes through the single group-commit writer.
/// </summary>
public abstract class HoldContentionTests(StorageProvider provider) : IAsyncLifetime
{
    private const int Buyers = 1_000;
    private const int Tickets = 100;

    private TestEngine _engine = null!;
    private ConnectionFactory _ownConnections = null!;

    /// <summary>How many times each race runs, each a new interleaving (a PostgreSQL round takes about 3 s here).</summary>
    private int Rounds => provider == StorageProvider.Postgres ? 3 : 10;

    public Task InitializeAsync()
    {
        // A thousand connections queue for one write lock; give the slowest of them ample time.
        _engine = TestEngine.Start(storage: s => s.BusyTimeout = TimeSpan.FromSeconds(60), provider: provider);
        _ownConnections = _engine.Database.NewConnectionFactory(TimeSpan.FromSeconds(60));
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        (_ownConnections as IDisposable)?.Dispose();
        await _engine.DisposeAsync();
    }

    [Fact]
    public async Task Thousand_buyers_on_their_own_connections_hold_exactly_the_hundred_tickets_in_every_round()
    {
        for (var round = 1; round <= Rounds; round++)
        {
            var concert = await _engine.CreateConcertAsync(("VIP", 10_000, Tickets));
            var request = TestEngine.Request(concert.Id, ("VIP", 1));
            var options = _engine.HoldOptions;

            var results = ThreadRace.Run(Buyers, _ =>
            {
                using var connection = _ownConnections.Open();
                var buyer = BuyerId.New();
                return WriteTransaction.Run(_ownConnections, connection, _engine.Time.GetUtcNow(), [], c => HoldCommands.Place(c, new(buyer, request, null, options, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true))).Result;
            });

            await AssertExactlyHundredHeld(concert, results, round);
        }
    }

    [Fact]
    public async Task Thousand_parallel_buyers_through_the_engine_hold_exactly_the_hundred_tickets_in_every_round()
    {
        for (var round = 1; round <= Rounds; round++)
        {
            var concert = await _engine.CreateConcertAsync(("VIP", 10_000, Tickets));
            var request = TestEngine.Request(concert.Id, ("VIP", 1));

            var results = ThreadRace.Run(Buyers, _ => _engine.Holds.PlaceAsync(BuyerId.New(), request).GetAwaiter().GetResult());

            await AssertExactlyHundredHeld(concert, results, round);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Parallel_multi_tier_holds_are_all_or_nothing_and_never_refuse_while_tickets_remain(bool ownConnections)
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 60), ("FRONT_ROW", 5_000, 90), ("GA", 1_000, 120));
        var random = new Random(20261122);
        var requests = Enumerable.Range(0, 400).Select(_ =>
        {
            var items = new[] { "VIP", "FRONT_ROW", "GA" }
                .Select(tier => (Tier: tier, Quantity: random.Next(0, 5)))
                .Where(i => i.Quantity > 0)
                .ToArray();
            return (Buyer: BuyerId.New(), Request: TestEngine.Request(concert.Id, items.Length > 0 ? items : [("GA", 1)]));
        }).ToArray();
        var options = _engine.HoldOptions;

        var results = ThreadRace.Run(requests.Length, i =>
        {
            var (buyer, request) = requests[i];
            if (!ownConnections)
            {
                return _engine.Holds.PlaceAsync(buyer, request).GetAwaiter().GetResult();
            }

            using var connection = _ownConnections.Open();
            return WriteTransaction.Run(_ownConnections, connection, _engine.Time.GetUtcNow(), [], c => HoldCommands.Place(c, new(buyer, request, null, options, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true))).Result;
        });

        results.Should().AllSatisfy(r => r.Should().Match(x => x is HoldResult.Held || x is HoldResult.NotEnoughTickets));
        var heldPerTier = new Dictionary<string, int> { ["VIP"] = 0, ["FRONT_ROW"] = 0, ["GA"] = 0 };
        for (var i = 0; i < requests.Length; i++)
        {
            var (buyer, request) = requests[i];
            var held = await _engine.Holds.GetAsync(buyer, concert.Id);
            if (results[i] is HoldResult.Held)
            {
                // All of it…
                held!.Items.Select(item => (item.Tier, item.Quantity))
                    .Should().BeEquivalentTo(request.Items.Select(item => (item.Tier, item.Quantity)));
                foreach (var item in request.Items)
                {
                    heldPerTier[item.Tier] += item.Quantity;
                }
            }
            else
            {
                // …or nothing.
                held.Should().BeNull();
            }
        }

        var final = (await _engine.Catalog.GetAsync(concert.Id))!;
        foreach (var tier in final.Tiers)
        {
            tier.Held.Should().Be(heldPerTier[tier.Code], "the tier's count must equal the tickets in successful holds");
            (tier.Sold + tier.Held).Should().BeLessThanOrEqualTo(tier.Capacity);
        }

        // Holds only grew during the run, so availability only fell: a refusal was honest only if at
        // least one of its tiers still has fewer tickets than were asked for.
        for (var i = 0; i < requests.Length; i++)
        {
            if (results[i] is HoldResult.NotEnoughTickets)
            {
                requests[i].Request.Items.Should().Contain(
                    item => final.Tier(item.Tier)!.Available < item.Quantity,
                    "buyer {0} was refused while every tier they asked for still had enough", i);
            }
        }
    }

    private async Task AssertExactlyHundredHeld(Concert concert, HoldResult[] results, int round)
    {
        results.Count(r => r is HoldResult.Held).Should().Be(Tickets, "round {0}", round);
        results.Count(r => r is HoldResult.NotEnoughTickets).Should().Be(Buyers - Tickets, "round {0}", round);
        var tier = await _engine.TierAsync(concert.Id, "VIP");
        (tier.Sold + tier.Held).Should().Be(Tickets);
        tier.Available.Should().Be(0);
    }
}

[Collection(SerialTests.Name)] // a thousand threads with their own connections: not beside other tests
public sealed class HoldContentionOnSqliteTests() : HoldContentionTests(StorageProvider.Sqlite);

[Collection(SerialTests.Name)]
public sealed class HoldContentionOnPostgresTests() : HoldContentionTests(StorageProvider.Postgres);
