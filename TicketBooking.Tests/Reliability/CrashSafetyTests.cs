using System.Data.Common;
using System.Net;
using System.Text.Json.Nodes;
using Dapper;
using TicketBooking.Bench;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;
using Xunit.Abstractions;

namespace TicketBooking.Tests.Reliability;

/// <summary>
/// Runs an on-sale against the built app as its own process, kills it with SIGKILL mid-sale, restarts it on the
/// same database and checks that nothing was lost or invented: on a SQLite file, and on PostgreSQL.
/// </summary>
public abstract class CrashSafetyTests(StorageProvider provider, ITestOutputHelper output)
{
    private static readonly Dictionary<string, string> ShortHolds = new()
    {
        ["Holds:Duration"] = "00:00:01",
        ["Holds:HiddenGrace"] = "00:00:01",
        ["Holds:SweepInterval"] = "00:00:00.200",
        ["Payments:Delay"] = "00:00:00.005",
    };

    /// <summary>The short holds, with e-mails as .eml files in the run's own folder, looked for often.</summary>
    private static Dictionary<string, string> Settings(TempDatabase database)
    {
        var settings = new Dictionary<string, string>(ShortHolds)
        {
            ["Email:PickupDirectory"] = Path.Combine(database.Directory, "mail"),
            ["Email:PollInterval"] = "00:00:00.200",
        };
        foreach (var (key, value) in database.HostSettings)
        {
            settings[key] = value!;
        }

        return settings;
    }

    /// <summary>Kills the app right after <paramref name="killAfterBookings"/> bookings were confirmed to clients, with dozens of requests in flight.</summary>
    protected async Task KillMidSaleAsync(int killAfterBookings)
    {
        using var database = new TempDatabase(provider);
        var mail = Path.Combine(database.Directory, "mail");
        var (concertId, confirmed) = await SellThenKillAsync(database, killAfterBookings);
        var mailBeforeKill = Directory.Exists(mail) ? Directory.GetFiles(mail, "*.eml").Length : 0;
        output.WriteLine($"{mailBeforeKill} confirmation e-mails were delivered before the kill");

        await using var restarted = await RestartAsync(database);
        using var api = new TicketApi(restarted.BaseAddress, 4);
        await WaitForExpiredHoldsToBeSweptAsync(database);

        await using var db = Open(database);
        output.WriteLine($"{provider}, kill after booking {killAfterBookings}: {confirmed.Count} bookings confirmed to clients, " +
            $"{Scalar(db, "SELECT COUNT(*) FROM payments WHERE status = 'approved'")} approved payments, " +
            $"{Scalar(db, "SELECT COUNT(*) FROM payments WHERE status = 'voided'")} voided by recovery");
        confirmed.Count.Should().BeGreaterThanOrEqualTo(killAfterBookings);
        AssertInvariantPerTier(db, concertId);
        AssertEveryConfirmedBookingIsThere(db, confirmed);
        AssertEveryPaymentIsResolved(db);
        var tiers = (await api.AvailabilityAsync(concertId))["tiers"]!.AsArray();
        tiers.Sum(t => t!["available"]!.GetValue<long>()).Should().BePositive("the kill landed before the sale ended");
        tiers.Sum(t => t!["sold"]!.GetValue<long>()).Should().Be(Scalar(db, "SELECT COALESCE(CAST(SUM(i.quantity) AS BIGINT), 0) FROM booking_items i JOIN bookings b ON b.id = i.booking_id WHERE b.concert_id = @c", concertId));
        await AssertOneConfirmationPerBookingAsync(database, mail);
    }

    /// <summary>
    /// The same kill on a concert whose VIP tier is 1,500 reserved seats (best available and named picks, 1–3 seats): no
    /// seat is both sold and held, every held seat belongs to a live hold, the counters are the seat rows, and every paid
    /// ticket of the tier has its seat.
    /// </summary>
    protected async Task KillMidSeatedSaleAsync()
    {
        using var database = new TempDatabase(provider);
        {
            var (concertId, confirmed) = await SellThenKillAsync(database, killAfterBookings: 200, seated: true);

            await using var restarted = await RestartAsync(database);
            await WaitForExpiredHoldsToBeSweptAsync(database);
            await using var db = Open(database);
            var seatsSold = Scalar(db, "SELECT COUNT(*) FROM seats WHERE concert_id = @c AND ticket_id IS NOT NULL", concertId);
            output.WriteLine($"kill after booking 200 on a reserved tier: {confirmed.Count} bookings confirmed to clients, {seatsSold} seats sold");

            seatsSold.Should().BePositive();
            AssertInvariantPerTier(db, concertId);
            AssertEveryConfirmedBookingIsThere(db, confirmed);
            AssertEveryPaymentIsResolved(db);
            Scalar(db, "SELECT COUNT(*) FROM seats WHERE concert_id = @c AND ticket_id IS NOT NULL AND held_by IS NOT NULL", concertId)
                .Should().Be(0, "no seat is both sold and held");
            Scalar(db, "SELECT COUNT(*) FROM seats s WHERE s.concert_id = @c AND s.held_by IS NOT NULL AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.buyer_id = s.held_by AND h.tier_id = s.tier_id)", concertId)
                .Should().Be(0, "a held seat belongs to a hold that still exists");
            Scalar(db, "SELECT COUNT(*) FROM tiers t WHERE t.concert_id = @c AND t.kind = 'reserved' AND (t.sold != (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.ticket_id IS NOT NULL) OR t.in_holds != (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.held_by IS NOT NULL))", concertId)
                .Should().Be(0, "the tier's counters are its seat rows");
            Scalar(db, "SELECT COUNT(*) FROM tickets k JOIN tiers t ON t.id = k.tier_id WHERE k.concert_id = @c AND t.kind = 'reserved' AND k.status != 'cancelled' AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.ticket_id = k.id AND s.label = k.seat_label)", concertId)
                .Should().Be(0, "every paid ticket of the reserved tier has its seat");
            Scalar(db, "SELECT COUNT(*) FROM seats s WHERE s.concert_id = @c AND s.ticket_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tickets k WHERE k.id = s.ticket_id AND k.seat_label = s.label AND k.status != 'cancelled')", concertId)
                .Should().Be(0, "every sold seat is a paid ticket's");
        }
    }

    private static async Task<(Guid ConcertId, List<Guid> Confirmed)> SellThenKillAsync(TempDatabase database, int killAfterBookings, bool seated = false)
    {
        await using var app = await AppUnderTest.StartAsync(BuiltApp.Configuration, database.Directory, Settings(database));
        using var api = new TicketApi(app.BaseAddress, 64);
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, seated ? 1 : 5_000), ("GA", 1_000, 50_000));
        if (seated)
        {
            await api.LayOutSeatsAsync(app.OrganizerPassword, concertId, "VIP", ("A", 20, 25), ("B", 20, 25), ("C", 20, 25));
        }

        var confirmed = new List<Guid>();
        var killPoint = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = new CancellationTokenSource();
        var buyers = Enumerable.Range(0, 32).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                try
                {
                    var request = seated && i % 6 == 3
                        ? TicketApi.SeatHoldJson(concertId, "VIP", [$"{"ABC"[worker % 3]}-{SeatLayoutRow(i % 20)}-{1 + (worker + i) % 24}", $"{"ABC"[worker % 3]}-{SeatLayoutRow(i % 20)}-{2 + (worker + i) % 24}"])
                        : TicketApi.HoldJson(concertId, i % 3 == 0 ? "VIP" : "GA", 1 + (i % 3));
                    var hold = await api.SendAsync(HttpMethod.Post, "/api/holds", request, await api.NewBuyerAsync());
                    if (hold.Status != HttpStatusCode.Created || i % 4 == 3)
                    {
                        continue; // Sold out, or a buyer who walks away and leaves the hold to expire.
                    }

                    var booking = await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), hold.Cookie, $"{worker}-{i}");
                    if (booking.Status == HttpStatusCode.Created)
                    {
                        lock (confirmed)
                        {
                            confirmed.Add(JsonNode.Parse(booking.Body)!["id"]!.GetValue<Guid>());
                            if (confirmed.Count == killAfterBookings)
                            {
                                killPoint.TrySetResult();
                            }
                        }
                    }
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException or System.Net.Sockets.SocketException)
                {
                    return; // The server is gone.
                }
            }
        })).ToList();

        await killPoint.Task.WaitAsync(TimeSpan.FromSeconds(60));
        await app.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(buyers);
        lock (confirmed)
        {
            return (concertId, [.. confirmed]);
        }
    }

    private static string SeatLayoutRow(int index) => TicketBooking.Core.Seating.SeatLayouts.RowName(index);

    /// <summary>
    /// The app again on the database the killed one left. On PostgreSQL first until the server has ended the killed
    /// process's sessions: until then the new instance would take them for a live instance's and leave its payments be.
    /// </summary>
    private static async Task<AppUnderTest> RestartAsync(TempDatabase database)
    {
        if (database.Provider == StorageProvider.Postgres)
        {
            var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
            await using var db = Open(database);
            while (Scalar(db, "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'TicketBooking/%'") > 0)
            {
                DateTimeOffset.UtcNow.Should().BeBefore(deadline, "the server notices a dead client's closed connections");
                await Task.Delay(20); // polling the server: the end of a session is not announced to anyone
            }
        }

        return await AppUnderTest.StartAsync(BuiltApp.Configuration, database.Directory, Settings(database));
    }

    /// <summary>A connection of the test's own, outside any pool, and not named like an instance's (see <see cref="RestartAsync"/>).</summary>
    private static DbConnection Open(TempDatabase database)
    {
        DbConnection connection = database.Provider == StorageProvider.Postgres
            ? new Npgsql.NpgsqlConnection(database.ConnectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection($"{database.ConnectionString};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    /// <summary>Holds made just before the kill expired while the app was down; the restarted sweeper must remove them.</summary>
    private static async Task WaitForExpiredHoldsToBeSweptAsync(TempDatabase database)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(20);
        while (true)
        {
            await using (var db = Open(database))
            {
                var expired = Scalar(db, "SELECT COUNT(*) FROM holds WHERE expires_at <= @c", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                if (expired == 0)
                {
                    return;
                }
            }

            DateTimeOffset.UtcNow.Should().BeBefore(deadline, "the sweeper runs every 200 ms once the app is up");
            await Task.Delay(50); // polling the database: the sweeper's only observable effect from outside the process
        }
    }

    /// <summary>
    /// Every booking committed before the kill, confirmed to its client or not, gets its confirmation e-mail after the
    /// restart, and exactly one: the file is named by the outbox row, so a delivery repeated after the kill is the same file.
    /// </summary>
    private static async Task AssertOneConfirmationPerBookingAsync(TempDatabase database, string mailDirectory)
    {
        var deadline = DateTimeOffset.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var db = Open(database))
            {
                var bookings = Scalar(db, "SELECT COUNT(*) FROM bookings WHERE created_at > @c", 0L);
                var queued = Scalar(db, "SELECT COUNT(*) FROM outbox WHERE kind = 'booking-confirmed'");
                var unsent = Scalar(db, "SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL");
                var files = Directory.Exists(mailDirectory) ? Directory.GetFiles(mailDirectory, "*.eml") : [];
                queued.Should().Be(bookings, "each booking wrote its confirmation in its own transaction");
                if (unsent == 0)
                {
                    files.Should().HaveCount((int)bookings);
                    files.Select(f => MimeKit.MimeMessage.Load(f).MessageId).Should().OnlyHaveUniqueItems();
                    return;
                }
            }

            DateTimeOffset.UtcNow.Should().BeBefore(deadline, "the restarted sender delivers what the kill left unsent");
            await Task.Delay(100); // polling the folder and the database: the sender's only observable effects from outside
        }
    }

    private static void AssertInvariantPerTier(DbConnection db, Guid concertId)
    {
        var tiers = db.Query<(string Code, long Capacity, long Sold, long HeldCounter, long HeldRows, long ItemsSold)>("""
            SELECT t.code, t.capacity, t.sold, t.in_holds,
                   (SELECT COALESCE(CAST(SUM(h.quantity) AS BIGINT), 0) FROM holds h WHERE h.tier_id = t.id),
                   (SELECT COALESCE(CAST(SUM(i.quantity) AS BIGINT), 0) FROM booking_items i WHERE i.tier_id = t.id)
            FROM tiers t WHERE t.concert_id = @c
            """, new { c = concertId.ToString() }).AsList();
        tiers.Should().NotBeEmpty();
        foreach (var (code, capacity, sold, heldCounter, heldRows, itemsSold) in tiers)
        {
            (sold + heldRows).Should().BeLessThanOrEqualTo(capacity, $"{code}: sold + held within capacity");
            heldCounter.Should().Be(heldRows, $"{code}: the held counter matches the holds");
            sold.Should().Be(itemsSold, $"{code}: every sold ticket is in a booking");
        }
    }

    private static void AssertEveryConfirmedBookingIsThere(DbConnection db, List<Guid> confirmed)
    {
        foreach (var id in confirmed)
        {
            Scalar(db, "SELECT COUNT(*) FROM booking_items WHERE booking_id = @c", id).Should().BePositive($"booking {id} keeps its items");
            Scalar(db, "SELECT COUNT(*) FROM payments WHERE booking_id = @c AND status = 'approved'", id).Should().Be(1, $"booking {id} has its approved payment");
        }
    }

    private static void AssertEveryPaymentIsResolved(DbConnection db)
    {
        Scalar(db, "SELECT COUNT(*) FROM payments WHERE status IN ('pending', 'voiding')").Should().Be(0, "start-up recovery voids what the crash left open");
        Scalar(db, "SELECT COUNT(*) FROM payments p WHERE p.status = 'approved' AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.id = p.booking_id)")
            .Should().Be(0, "no approved payment without its booking");
        Scalar(db, "SELECT COUNT(*) FROM bookings b WHERE NOT EXISTS (SELECT 1 FROM payments p WHERE p.booking_id = b.id AND p.status = 'approved')")
            .Should().Be(0, "no booking without an approved payment");
    }

    private static long Scalar(DbConnection db, string sql, object? parameter = null) =>
        db.ExecuteScalar<long>(sql, parameter is null ? null : new { c = parameter is Guid g ? g.ToString() : parameter });
}

/// <summary>Three kill points on a SQLite file: early, mid-way, late in the sale.</summary>
[Collection(SerialTests.Name)]
public sealed class CrashSafetyOnSqliteTests(ITestOutputHelper output) : CrashSafetyTests(StorageProvider.Sqlite, output)
{
    [Theory]
    [InlineData(20)]
    [InlineData(200)]
    [InlineData(700)]
    public Task A_kill_mid_sale_loses_no_booking_sells_nothing_twice_leaves_no_charge_unresolved_and_no_email_unsent_or_doubled(int killAfterBookings) =>
        KillMidSaleAsync(killAfterBookings);

    [Fact]
    public Task A_kill_mid_sale_on_a_reserved_tier_leaves_no_seat_both_sold_and_held_and_no_paid_ticket_without_its_seat() =>
        KillMidSeatedSaleAsync();
}

/// <summary>The same kills on PostgreSQL: one kill point (the engine is the same; what differs is the store and its recovery).</summary>
[Collection(SerialTests.Name)]
public sealed class CrashSafetyOnPostgresTests(ITestOutputHelper output) : CrashSafetyTests(StorageProvider.Postgres, output)
{
    [Fact]
    public Task A_kill_mid_sale_loses_no_booking_sells_nothing_twice_leaves_no_charge_unresolved_and_no_email_unsent_or_doubled() =>
        KillMidSaleAsync(200);

    [Fact]
    public Task A_kill_mid_sale_on_a_reserved_tier_leaves_no_seat_both_sold_and_held_and_no_paid_ticket_without_its_seat() =>
        KillMidSeatedSaleAsync();
}
