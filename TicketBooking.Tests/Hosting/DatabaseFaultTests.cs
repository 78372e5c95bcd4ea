using System.Net;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Hosting;

public sealed class DatabaseFaultTests
{
    private static TicketBookingApp ShortBusyTimeout() =>
        new(new Dictionary<string, string?> { ["Storage:BusyTimeout"] = "00:00:00.200" });

    [Fact]
    public async Task Another_process_holding_the_write_lock_past_the_busy_timeout_gives_503s_and_then_recovers()
    {
        await using var app = ShortBusyTimeout();
        using var buyer = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));

        HttpResponseMessage hold;
        HttpResponseMessage health;
        using (var other = ((SqliteConnectionFactory)app.GetService<ConnectionFactory>()).OpenUnpooled())
        {
            using var writeLock = other.BeginTransaction(deferred: false);
            hold = await buyer.HoldAsync(concert.Id, ("VIP", 2));
            health = await buyer.Client.GetAsync(new Uri("/health", UriKind.Relative));
            writeLock.Rollback();
        }

        var problem = await hold.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        problem["detail"]!.GetValue<string>().Should().Contain("Nothing was changed");
        hold.Headers.RetryAfter.Should().NotBeNull();
        health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(0, "the refused hold wrote nothing");
        (await buyer.HoldAsync(concert.Id, ("VIP", 2))).StatusCode.Should().Be(HttpStatusCode.Created, "no restart needed");
        (await buyer.Client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_database_file_that_disappears_gives_503s_instead_of_writing_to_a_lost_file_and_recovers_when_it_returns()
    {
        await using var app = ShortBusyTimeout();
        using var buyer = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        (await buyer.HoldAsync(concert.Id, ("VIP", 1))).StatusCode.Should().Be(HttpStatusCode.Created);

        File.Move(app.Database.Path, app.Database.Path + ".away");
        var whileGone = await buyer.HoldAsync(concert.Id, ("VIP", 5));
        var healthWhileGone = await buyer.Client.GetAsync(new Uri("/health", UriKind.Relative));
        File.Move(app.Database.Path + ".away", app.Database.Path);

        await whileGone.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
        healthWhileGone.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await buyer.Client.GetAsync(new Uri("/health", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
        (await buyer.HoldAsync(concert.Id, ("VIP", 3))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(3, "the hold made while the file was away was not kept anywhere");
    }
}

public sealed class ReadOnlyDatabaseTests
{
    [Fact]
    public async Task A_database_file_that_becomes_unwritable_gives_503s_and_health_503_and_recovers_when_writable()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Storage:BusyTimeout"] = "00:00:00.200" });
        using var buyer = ApiBuyer.For(app);
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        (await buyer.HoldAsync(concert.Id, ("VIP", 1))).StatusCode.Should().Be(HttpStatusCode.Created);

        // chattr +i: even root cannot write the files (plain permissions do not stop root, and CI runs as root).
        Attributes(app.Database.Path, "+i");
        try
        {
            var hold = await buyer.HoldAsync(concert.Id, ("VIP", 2));
            var health = await buyer.Client.GetAsync(new Uri("/health", UriKind.Relative));
            Attributes(app.Database.Path, "-i");
            var afterwards = await buyer.HoldAsync(concert.Id, ("VIP", 3));

            await hold.ShouldBeProblemAsync(HttpStatusCode.ServiceUnavailable);
            health.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
            afterwards.StatusCode.Should().Be(HttpStatusCode.Created, "writable again, no restart needed");
            (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Held.Should().Be(3);
        }
        finally
        {
            Attributes(app.Database.Path, "-i");
        }
    }

    [Fact]
    public async Task Starting_on_a_database_that_cannot_be_written_fails_with_a_clear_message()
    {
        using var database = new TempDatabase();
        await using (var first = new TicketBookingApp(database: database))
        {
            _ = first.Services;
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Attributes(database.Path, "+i");
        try
        {
            await using var app = new TicketBookingApp(database: database);

            var start = () => app.Services;

            start.Should().Throw<TicketBooking.Core.Storage.StoreUnavailableException>().WithMessage("The ticket database is unavailable*")
                .WithInnerException<Microsoft.Data.Sqlite.SqliteException>().WithMessage("*readonly database*");
        }
        finally
        {
            Attributes(database.Path, "-i");
        }
    }

    /// <summary>
    /// Changes the attributes of the database file and its WAL together, as a read-only remount would. The -shm file is
    /// left alone: it is memory-mapped, and freezing a live mapping is not something a filesystem does to a process.
    /// </summary>
    private static void Attributes(string path, string change)
    {
        foreach (var file in new[] { path, path + "-wal" }.Where(File.Exists))
        {
            using var chattr = System.Diagnostics.Process.Start("chattr", [change, file])!;
            chattr.WaitForExit();
            chattr.ExitCode.Should().Be(0, "chattr needs root on a filesystem with attributes (as on CI)");
        }
    }
}
