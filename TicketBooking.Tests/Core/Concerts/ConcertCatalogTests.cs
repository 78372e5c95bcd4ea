using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Concerts;

public sealed class ConcertCatalogTests : EngineTest
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
}
