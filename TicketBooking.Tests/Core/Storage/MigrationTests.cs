using Dapper;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Storage;

public sealed class MigrationTests
{
    private static readonly string SeedPath = Path.Combine(AppContext.BaseDirectory, "seed", "concerts.json");

    [Fact]
    public void Migration_scripts_are_numbered_from_one_without_gaps()
    {
        DatabaseMigrator.Migrations.Should().NotBeEmpty();
        DatabaseMigrator.Migrations.Select(m => m.Version).Should().Equal(Enumerable.Range(1, DatabaseMigrator.Migrations.Count));
        DatabaseMigrator.Migrations.Should().AllSatisfy(m => m.Name.Should().MatchRegex(@"^\d{4}_[a-z0-9_]+\.sql$"));
    }

    [Fact]
    public async Task An_empty_file_is_migrated_to_wal_and_seeded_with_the_repository_concerts()
    {
        await using var engine = TestEngine.Start();
        var seeded = await engine.Services.GetService<ConcertSeeder>().SeedAsync(SeedPath);

        await using var connection = await engine.Connections.OpenAsync();
        (await connection.ExecuteScalarAsync<int>("PRAGMA user_version")).Should().Be(DatabaseMigrator.Migrations.Count);
        (await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode")).Should().Be("wal");
        seeded.Should().BeGreaterThanOrEqualTo(4);
        var concerts = await engine.Catalog.ListAsync(includePast: true);
        concerts.Should().HaveCount(seeded);
        concerts.Select(c => c.City).Should().OnlyHaveUniqueItems();
        concerts.Select(c => c.TimeZone).Should().OnlyHaveUniqueItems().And.Contain(z => !z.StartsWith("America/", StringComparison.Ordinal));
        concerts.Should().AllSatisfy(c => c.Tiers.Select(t => (t.Code, t.PriceCents, t.Capacity))
            .Should().Equal(("VIP", 10_000L, 100), ("FRONT_ROW", 5_000L, 200), ("GA", 1_000L, 1_000)));
        var london = concerts.Single(c => c.City == "London");
        VenueTime.ToLocal(london.StartsAt, london.TimeZone).ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture)
            .Should().Be("2027-06-18 19:45", "seed times are the venue's wall-clock time");
    }

    [Fact]
    public async Task A_restart_applies_nothing_twice_and_keeps_every_booking_and_hold()
    {
        using var database = new TempDatabase();
        Guid concertId;
        BuyerId buyer = BuyerId.New(), holder = BuyerId.New();
        Booking booking;
        await using (var first = TestEngine.Start(database: database))
        {
            (await first.Services.GetService<ConcertSeeder>().SeedAsync(SeedPath)).Should().BePositive();
            concertId = (await first.Catalog.ListAsync(includePast: true))[0].Id;
            await first.Holds.PlaceAsync(buyer, TestEngine.Request(concertId, ("VIP", 2)));
            booking = ((ConfirmResult.Booked)await first.Bookings.ConfirmAsync(buyer, new ConfirmRequest(
                concertId, new BuyerDetails("Ada", "ada@example.com"), new CardDetails(SimulatedPaymentGateway.ApprovedCard, "12/30", "123")), "k")).Booking;
            await first.Holds.PlaceAsync(holder, TestEngine.Request(concertId, ("GA", 3)));
        }

        await using var second = TestEngine.Start(database: database);

        second.Services.GetService<DatabaseMigrator>().Migrate().Should().Be(0);
        (await second.Services.GetService<ConcertSeeder>().SeedAsync(SeedPath)).Should().Be(0, "seeding only fills an empty database");
        (await second.Catalog.ListAsync(includePast: true)).Should().HaveCount(5);
        (await second.Bookings.ListAsync(buyer)).Should().ContainSingle().Which.Should().BeEquivalentTo(booking);
        (await second.Holds.GetAsync(holder, concertId))!.Quantity.Should().Be(3);
        var vip = await second.TierAsync(concertId, "VIP");
        (vip.Sold, vip.Held).Should().Be((2, 0));
    }

    [Fact]
    public async Task Bookings_made_before_tickets_existed_get_one_ticket_per_seat_with_distinct_codes()
    {
        using var database = new TempDatabase();
        var buyer = BuyerId.New();
        var concertId = Guid.CreateVersion7();
        var bookingId = Guid.CreateVersion7();
        await using (var before = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString))
        {
            await before.OpenAsync();
            foreach (var migration in DatabaseMigrator.Migrations.Where(m => m.Version <= 3))
            {
                await before.ExecuteAsync(migration.Sql);
            }

            await before.ExecuteAsync("PRAGMA user_version = 3");
            await before.ExecuteAsync("""
                INSERT INTO concerts (id, name, artist, venue, city, time_zone, starts_at, created_at)
                VALUES (@concertId, 'Old show', 'Old band', 'Hall', 'Oslo', 'Europe/Oslo', 1900000000000, 0);
                INSERT INTO tiers (id, concert_id, code, name, price_cents, capacity, sold, revenue_cents, sort_order)
                VALUES (1, @concertId, 'VIP', 'VIP', 10000, 10, 2, 20000, 0), (2, @concertId, 'GA', 'General', 1000, 100, 3, 3000, 1);
                INSERT INTO bookings (id, reference, buyer_id, concert_id, hold_id, buyer_name, buyer_email, total_cents, status, created_at)
                VALUES (@bookingId, 'ABCD-2345', @buyer, @concertId, @holdId, 'Ada', 'ada@example.com', 23000, 'confirmed', 0);
                INSERT INTO booking_items (booking_id, tier_id, quantity, unit_price_cents) VALUES (@bookingId, 2, 3, 1000), (@bookingId, 1, 2, 10000);
                """, new { concertId = concertId.ToString(), bookingId = bookingId.ToString(), buyer = buyer.Value.ToString(), holdId = Guid.NewGuid().ToString() }); // text, as the app stores ids (no type handler is registered before the engine starts)
        }

        await using var engine = TestEngine.Start(database: database);

        var tickets = (await engine.Bookings.GetAsync(buyer, bookingId))!.Tickets;
        tickets.Select(t => (t.Position, t.Tier)).Should().Equal((1, "VIP"), (2, "VIP"), (3, "GA"), (4, "GA"), (5, "GA"));
        tickets.Should().OnlyContain(t => t.Status == TicketBooking.Core.Tickets.TicketStatus.Valid && TicketBooking.Core.Tickets.TicketCode.Normalize(t.Code) == t.Code);
        tickets.Select(t => t.Code).Should().OnlyHaveUniqueItems();
        tickets.Select(t => t.Id).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Waiting_lists_from_before_one_place_per_tier_keep_one_place_each_and_offers_nobody_holds_end()
    {
        using var database = new TempDatabase();
        var (twice, offered, stranded) = (Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), Guid.NewGuid().ToString());
        var concertId = Guid.CreateVersion7().ToString();
        await using (var before = new Microsoft.Data.Sqlite.SqliteConnection(database.ConnectionString))
        {
            await before.OpenAsync();
            foreach (var migration in DatabaseMigrator.Migrations.Where(m => m.Version <= 12))
            {
                await before.ExecuteAsync(migration.Sql);
            }

            await before.ExecuteAsync("PRAGMA user_version = 12");
            // Ids as text, as the app stores them: no type handler is registered before the engine starts.
            await before.ExecuteAsync("""
                INSERT INTO concerts (id, name, artist, venue, city, time_zone, starts_at, created_at)
                VALUES (@concertId, 'Old show', 'Old band', 'Hall', 'Oslo', 'Europe/Oslo', 1900000000000, 0);
                INSERT INTO tiers (id, concert_id, code, name, price_cents, capacity, sold, held, revenue_cents, sort_order)
                VALUES (1, @concertId, 'GA', 'General', 1000, 10, 0, 4, 0, 0);
                INSERT INTO holds (buyer_id, concert_id, tier_id, hold_id, quantity, created_at, expires_at, last_activity_at, waitlist_id)
                VALUES (@offered, @concertId, 1, 'h1', 4, 0, 1900000000000, 0, 'held-offer');
                INSERT INTO waitlist (id, concert_id, tier_id, buyer_id, email, email_key, quantity, seq, status, leave_token, created_at)
                VALUES ('first', @concertId, 1, @twice, 'a@example.com', 'a@example.com', 2, 1, 'waiting', 't1', 0),
                       ('second', @concertId, 1, @twice, 'b@example.com', 'b@example.com', 2, 2, 'waiting', 't2', 0),
                       ('merged-over', @concertId, 1, @offered, 'c@example.com', 'c@example.com', 2, 3, 'offered', 't3', 0),
                       ('held-offer', @concertId, 1, @offered, 'd@example.com', 'd@example.com', 4, 4, 'offered', 't4', 0),
                       ('alone', @concertId, 1, @stranded, 'e@example.com', 'e@example.com', 1, 5, 'offered', 't5', 0);
                """, new { concertId, twice, offered, stranded });
        }

        await using var engine = TestEngine.Start(database: database);

        await using var connection = await engine.Connections.OpenAsync();
        var statuses = (await connection.QueryAsync<(string Id, string Status)>("SELECT id, status FROM waitlist ORDER BY seq")).ToList();
        statuses.Should().Equal(("first", "waiting"), ("second", "left"), ("merged-over", "left"), ("held-offer", "offered"), ("alone", "expired"));
        (await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM waitlist WHERE status = 'left' AND ended_at > 0")).Should().Be(2, "they left when the migration ran");
    }

    [Fact]
    public async Task Ids_are_stored_as_text_and_instants_as_unix_milliseconds()
    {
        await using var engine = TestEngine.Start();
        var concert = await engine.CreateConcertAsync();

        await using var connection = await engine.Connections.OpenAsync();
        var row = await connection.QuerySingleAsync<(string IdType, string StartType, long StartsAt)>(
            "SELECT typeof(id), typeof(starts_at), starts_at FROM concerts WHERE id = @id", new { id = concert.Id });

        row.Should().Be(("text", "integer", concert.StartsAt.ToUnixTimeMilliseconds()));
    }
}

internal static class ServiceProviderExtensions
{
    public static T GetService<T>(this IServiceProvider services)
        where T : notnull => (T)services.GetService(typeof(T))!;
}
