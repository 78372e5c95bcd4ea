using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Concerts;

public sealed class ConcertCatalogTests : IAsyncLifetime
{
    private TestEngine _engine = null!;

    public Task InitializeAsync()
    {
        _engine = TestEngine.Start();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Reads_of_an_unknown_concert_return_nothing_even_before_any_concert_was_read()
    {
        // A fresh process: the first query of each shape finds no rows (SQLite then reports computed columns as BLOB).
        var unknown = Guid.NewGuid();

        (await _engine.Catalog.GetAsync(unknown)).Should().BeNull();
        (await _engine.Catalog.GetAvailabilityAsync(unknown)).Should().BeNull();
        (await _engine.Admin.GetSalesAsync(unknown)).Should().BeNull();
        (await _engine.Catalog.ListAsync()).Should().BeEmpty();
    }
}
