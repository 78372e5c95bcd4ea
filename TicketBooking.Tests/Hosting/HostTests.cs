using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Concerts;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Hosting;

public sealed class HostTests
{
    [Fact]
    public async Task A_new_database_is_migrated_and_seeded_and_health_is_200()
    {
        await using var app = new TicketBookingApp();
        using var client = app.CreateBuyerClient();

        var health = await client.GetAsync(new Uri("/health", UriKind.Relative));

        health.StatusCode.Should().Be(HttpStatusCode.OK);
        (await health.Content.ReadAsStringAsync()).Should().Be("Healthy");
        var concerts = await app.GetService<ConcertCatalog>().ListAsync();
        concerts.Should().HaveCount(5);
        concerts.Should().AllSatisfy(c => c.Tiers.Select(t => (t.Code, t.PriceCents, t.Capacity)).Should().Equal(
            ("VIP", 10_000L, 100), ("FRONT_ROW", 5_000L, 200), ("GA", 1_000L, 1_000)));
    }

    [Fact]
    public async Task An_unknown_page_address_is_a_404_with_the_not_found_page_and_an_unknown_api_address_a_problem()
    {
        await using var app = new TicketBookingApp();
        using var client = app.CreateBuyerClient();

        var page = await client.GetAsync(new Uri("/no-such-page", UriKind.Relative));
        var api = await client.GetAsync(new Uri("/api/no-such-thing", UriKind.Relative));

        page.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await page.Content.ReadAsStringAsync()).Should().Contain("Page not found").And.Contain("See upcoming concerts");
        api.StatusCode.Should().Be(HttpStatusCode.NotFound);
        api.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
    }

    [Fact]
    public async Task Health_is_503_when_the_database_file_cannot_be_opened()
    {
        await using var app = new TicketBookingApp();
        using var client = app.CreateBuyerClient();
        (await client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);

        File.Move(app.Database.Path, app.Database.Path + ".moved");
        var missing = await client.GetAsync(new Uri("/health", UriKind.Relative));
        File.Move(app.Database.Path + ".moved", app.Database.Path);
        var back = await client.GetAsync(new Uri("/health", UriKind.Relative));

        missing.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        back.StatusCode.Should().Be(HttpStatusCode.OK, "the app serves again once the file is back, without a restart");
    }

    [Fact]
    public async Task A_restart_on_the_same_database_keeps_its_data_and_seeds_nothing_twice()
    {
        using var database = new TempDatabase();
        Guid created;
        await using (var first = new TicketBookingApp(database: database))
        {
            var concert = (await first.GetService<ConcertCatalog>().ListAsync())[0];
            created = concert.Id;
        }

        SqliteConnection.ClearAllPools();
        await using var second = new TicketBookingApp(database: database);
        var concerts = await second.GetService<ConcertCatalog>().ListAsync();

        concerts.Should().HaveCount(5);
        concerts.Should().Contain(c => c.Id == created);
    }

    [Theory]
    [InlineData("Holds:Duration", "-00:01:00")]
    [InlineData("Holds:HardCap", "00:01:00")]
    [InlineData("Holds:MaxPerTier", "0")]
    [InlineData("Holds:SweepInterval", "00:00:00")]
    [InlineData("Payments:Delay", "-00:00:01")]
    public async Task Invalid_options_stop_the_app_at_start(string key, string value)
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { [key] = value });

        var start = () => app.Services;

        start.Should().Throw<OptionsValidationException>().Which.Message.Should().Contain(key.Split(':')[1]);
    }
}
