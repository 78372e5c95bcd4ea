using System.Diagnostics;
using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
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
    [InlineData("Waitlist:OfferWindow", "00:00:00")]
    public async Task Invalid_options_stop_the_app_before_the_database_is_touched(string key, string value)
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { [key] = value });

        var services = app.Services;
        var validate = () => services.GetRequiredService<IStartupValidator>().Validate();

        validate.Should().Throw<OptionsValidationException>().Which.Failures.Should().ContainSingle().Which.Should().StartWith($"{key}: ");
        SchemaVersion(app.Database.Path).Should().BeNull("the entry point checked the options before migrating and stopped");
    }

    [Fact]
    public async Task The_published_app_with_an_invalid_option_exits_with_one_line_naming_the_key_and_creates_no_database()
    {
        var folder = await PublishedApp.FolderAsync();
        using var database = new TempDatabase();
        var start = new ProcessStartInfo("dotnet", [Path.Combine(folder, "TicketBooking.Web.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = folder,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment["ConnectionStrings__Tickets"] = $"Data Source={database.Path}";
        start.Environment["Organizer__Password"] = TicketBookingApp.OrganizerPassword;
        start.Environment["Holds__Duration"] = "-00:01:00";

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(limit.Token);

        process.ExitCode.Should().Be(1);
        (await errors).Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().ContainSingle()
            .Which.Should().StartWith("TicketBooking cannot start: invalid configuration: Holds:Duration: ");
        (await output).Should().BeEmpty("nothing ran: no migration, no log");
        File.Exists(database.Path).Should().BeFalse("no database was created");
    }

    private static long? SchemaVersion(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        using var connection = new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name = 'schema_version'";
        if ((long)command.ExecuteScalar()! == 0)
        {
            return null;
        }

        command.CommandText = "SELECT version FROM schema_version";
        return (long)command.ExecuteScalar()!;
    }
}
