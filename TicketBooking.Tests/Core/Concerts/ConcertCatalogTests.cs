using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Concerts;

public abstract class ConcertCatalogTests(StorageProvider provider) : EngineTest(provider: provider)
{
    [Fact]
    public async Task Reads_of_an_unknown_concert_return_nothing_even_before_any_concert_was_read()
    {
        // A fresh process: the first query of each shape finds no rows (SQLite then reports computed columns as BLOB).
        var unknown = Guid.NewGuid();

        (await Engine.Catalog.GetAsync(unknown)).Should().BeNull();
        (await Engine.Catalog.GetAvailabilityAsync(unknown)).Should().BeNull();
        (await Engine.Admin.GetSalesAsync(unknown)).Should().BeNull();
        (await Engine.Catalog.ListAsync()).Should().BeEmpty();
    }

    [Fact]
    public async Task A_newer_snapshot_updates_a_concerts_counts_and_an_older_one_is_ignored()
    {
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        await Engine.Holds.PlaceAsync(TicketBooking.Core.BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 3)));
        var newer = (await Engine.Catalog.GetAvailabilityAsync(concert.Id))!;

        var updated = concert.WithAvailability(newer);

        updated.Version.Should().Be(newer.Version);
        updated.Tier("VIP")!.Available.Should().Be(7);
        updated.Tier("GA")!.Available.Should().Be(100);
        updated.WithAvailability(newer with { Version = newer.Version - 1, Tiers = [] }).Should().BeSameAs(updated);
    }
}

public sealed class ConcertCatalogOnSqliteTests() : ConcertCatalogTests(StorageProvider.Sqlite);

public sealed class ConcertCatalogOnPostgresTests() : ConcertCatalogTests(StorageProvider.Postgres);
