using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Storage;

namespace TicketBooking.Tests.Support;

/// <summary>
/// The booking engine on its own real database (a SQLite file in a temporary folder, or a PostgreSQL database in the
/// run's private cluster), with a fake clock.
/// No web host: the rules are tested where they live.
/// </summary>
public sealed class TestEngine : IAsyncDisposable
{
    private readonly ServiceProvider _services;
    private readonly bool _ownsDatabase;

    private TestEngine(ServiceProvider services, TempDatabase database, bool ownsDatabase, TestClock time, TestLog log)
    {
        _services = services;
        _ownsDatabase = ownsDatabase;
        Database = database;
        Time = time;
        Log = log;
    }

    public TempDatabase Database { get; }

    public TestClock Time { get; }

    public IServiceProvider Services => _services;

    public HoldService Holds => _services.GetRequiredService<HoldService>();

    public BookingService Bookings => _services.GetRequiredService<BookingService>();

    public ConcertCatalog Catalog => _services.GetRequiredService<ConcertCatalog>();

    public ConcertAdmin Admin => _services.GetRequiredService<ConcertAdmin>();

    public AvailabilityBroadcaster Broadcaster => _services.GetRequiredService<AvailabilityBroadcaster>();

    public SimulatedPaymentGateway Gateway => _services.GetRequiredService<SimulatedPaymentGateway>();

    public ConnectionFactory Connections => _services.GetRequiredService<ConnectionFactory>();

    internal GroupCommitWriter Writer => _services.GetRequiredService<GroupCommitWriter>();

    /// <summary>The features' steps after each write command, as the writer runs them (for tests that run a transaction themselves).</summary>
    internal IReadOnlyList<IAfterCommand> AfterCommands => [.. _services.GetServices<IAfterCommand>()];

    public HoldOptions HoldOptions => _services.GetRequiredService<IOptions<HoldOptions>>().Value;

    public TestLog Log { get; }

    /// <summary>
    /// Starts an engine and migrates its database. Pass a <paramref name="database"/> to reopen one that
    /// outlives the engine (a restart); otherwise a new one is made and deleted with the engine.
    /// </summary>
    public static TestEngine Start(
        Action<HoldOptions>? holds = null,
        Action<StorageOptions>? storage = null,
        Action<PaymentOptions>? payments = null,
        TempDatabase? database = null,
        Action<SeatingOptions>? seating = null,
        Action<TicketBooking.Core.OnSale.WaitingRoomOptions>? room = null,
        StorageProvider provider = StorageProvider.Sqlite,
        Action<TicketBooking.Core.Limits.BuyerLimitOptions>? limits = null,
        Action<TicketBooking.Core.Waitlist.WaitlistOptions>? waitlist = null)
    {
        var ownsDatabase = database is null;
        database ??= new TempDatabase(provider);
        var time = new TestClock();
        var log = new TestLog();
        // The engine composed as the host composes it (AddTicketBookingCore binds every option from configuration, here
        // empty: the defaults), then a test's own settings on top, checked as the host checks them.
        var services = new ServiceCollection()
            .AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build())
            .AddSingleton<TimeProvider>(time)
            .AddLogging(b => b.AddProvider(log).SetMinimumLevel(LogLevel.Debug))
            .AddTicketBookingCore()
            .Configure<StorageOptions>(o =>
            {
                o.Provider = database.Provider;
                o.ConnectionString = database.ConnectionString;
                storage?.Invoke(o);
            })
            .Configure<HoldOptions>(o => holds?.Invoke(o))
            .Configure<PaymentOptions>(o => payments?.Invoke(o))
            .Configure<SeatingOptions>(o => seating?.Invoke(o))
            .Configure<TicketBooking.Core.OnSale.WaitingRoomOptions>(o => room?.Invoke(o))
            .Configure<TicketBooking.Core.Limits.BuyerLimitOptions>(o => limits?.Invoke(o))
            .Configure<TicketBooking.Core.Waitlist.WaitlistOptions>(o => waitlist?.Invoke(o))
            .BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        services.GetRequiredService<IStartupValidator>().Validate();
        services.GetRequiredService<DatabaseMigrator>().Migrate();
        return new TestEngine(services, database, ownsDatabase, time, log);
    }

    /// <summary>A concert that starts a month from the fake now, with the given tiers (prices in cents).</summary>
    public Task<Concert> CreateConcertAsync(params (string Code, long PriceCents, int Capacity)[] tiers) => CreateConcertAsync(null, tiers);

    /// <summary>As <see cref="CreateConcertAsync(ValueTuple{string, long, int}[])"/>, going on sale at <paramref name="onSaleAt"/>.</summary>
    public async Task<Concert> CreateConcertAsync(DateTimeOffset? onSaleAt, params (string Code, long PriceCents, int Capacity)[] tiers)
    {
        if (tiers.Length == 0)
        {
            tiers = [("VIP", 10_000, 100), ("FRONT_ROW", 5_000, 200), ("GA", 1_000, 1_000)];
        }

        var draft = new ConcertDraft(
            $"Test concert {Guid.NewGuid():N}", "Test Artist", "Test Hall", "Testville", "Europe/London",
            Time.GetUtcNow().AddDays(30), "A concert for tests.",
            [.. tiers.Select(t => new TierDraft(t.Code, t.Code, t.PriceCents, t.Capacity))], onSaleAt);
        var result = await Admin.CreateAsync(draft);
        return result.Should().BeOfType<AdminResult.Saved>().Subject.Concert;
    }

    public TicketBooking.Core.OnSale.WaitingRoomService Room => _services.GetRequiredService<TicketBooking.Core.OnSale.WaitingRoomService>();

    public SeatingAdmin Seating => _services.GetRequiredService<SeatingAdmin>();

    public TicketBooking.Core.Waitlist.WaitlistService Waitlist => _services.GetRequiredService<TicketBooking.Core.Waitlist.WaitlistService>();

    public SeatMaps SeatMaps => _services.GetRequiredService<SeatMaps>();

    /// <summary>
    /// A concert whose SEATS tier ($50) is reserved: one straight section "A" of <paramref name="rows"/> rows (A, B, C…)
    /// of <paramref name="seatsPerRow"/> seats, labelled A-A-1 …; and a general GA tier ($10, 100).
    /// </summary>
    public async Task<Concert> CreateSeatedConcertAsync(int rows = 5, int seatsPerRow = 10)
    {
        var concert = await CreateConcertAsync(("SEATS", 5_000, 1), ("GA", 1_000, 100));
        return await SeatedTier.LayOutAsync(Seating, concert.Id, rows, seatsPerRow);
    }

    /// <summary>The concert's tier as the catalog reads it now.</summary>
    public async Task<Tier> TierAsync(Guid concertId, string code) =>
        (await Catalog.GetAsync(concertId))!.Tier(code)!;

    public static HoldRequest Request(Guid concertId, params (string Tier, int Quantity)[] items) =>
        new(concertId, [.. items.Select(i => new HoldItem(i.Tier, i.Quantity))]);

    /// <summary>Paying for the buyer's checkout with the approved test card.</summary>
    public static ConfirmRequest Payment(Guid concertId) =>
        new(concertId, new BuyerDetails("Ada Lovelace", "ada@example.com"), new CardDetails(SimulatedPaymentGateway.ApprovedCard, "12/30", "123"));

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        if (_ownsDatabase)
        {
            Database.Dispose();
        }
    }
}

/// <summary>The seated tier the tests use: SEATS becomes one straight section "A" of rows × seats.</summary>
public static class SeatedTier
{
    public static async Task<Concert> LayOutAsync(SeatingAdmin seating, Guid concertId, int rows, int seatsPerRow)
    {
        var layout = SeatLayouts.Generate(new LayoutPlan([new SectionPlan("A", rows, seatsPerRow)], Curved: false));
        return (await seating.SetLayoutAsync(concertId, "SEATS", layout)).Should().BeOfType<AdminResult.Saved>().Subject.Concert;
    }
}

/// <summary>
/// A test's own database: on SQLite a file in its own temporary folder, deleted with the folder; on PostgreSQL a new
/// database in the run's private cluster (<see cref="PostgresServer"/>), dropped afterwards.
/// </summary>
public sealed class TempDatabase : IDisposable
{
    private readonly string? _postgresName;

    public TempDatabase(StorageProvider provider = StorageProvider.Sqlite)
    {
        Provider = provider;
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ticketbooking-tests", Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, "tickets.db");
        if (provider == StorageProvider.Postgres)
        {
            _postgresName = $"tb_{Guid.NewGuid():N}";
            ConnectionString = PostgresServer.Shared.CreateDatabase(_postgresName);
        }
        else
        {
            ConnectionString = $"Data Source={Path}";
        }
    }

    public StorageProvider Provider { get; }

    /// <summary>A folder of the test's own (the SQLite file's, or scratch space beside a PostgreSQL database).</summary>
    public string Directory { get; }

    /// <summary>The SQLite file.</summary>
    public string Path { get; }

    public string ConnectionString { get; }

    /// <summary>The settings an app host needs to use this database.</summary>
    public IEnumerable<KeyValuePair<string, string?>> HostSettings =>
    [
        new("ConnectionStrings:Tickets", ConnectionString),
        new("Storage:Provider", Provider.ToString()),
    ];

    /// <summary>
    /// A connection factory of its own for this database, as another process or instance would have: on SQLite
    /// unpooled (each open is a real new connection); on PostgreSQL pooled, at most 40 at once, like an instance's pool.
    /// </summary>
    public ConnectionFactory NewConnectionFactory(TimeSpan busyTimeout) => Provider == StorageProvider.Postgres
        ? new PostgresConnectionFactory(Microsoft.Extensions.Options.Options.Create(new StorageOptions
        {
            Provider = Provider, ConnectionString = $"{ConnectionString};Maximum Pool Size=40", BusyTimeout = busyTimeout,
        }))
        : new SqliteConnectionFactory(Microsoft.Extensions.Options.Options.Create(new StorageOptions
        {
            ConnectionString = $"{ConnectionString};Pooling=False", BusyTimeout = busyTimeout,
        }));

    public void Dispose()
    {
        if (_postgresName is not null)
        {
            PostgresServer.Shared.DropDatabase(_postgresName);
        }

        // The pools are keyed by the whole connection string, and the app's factory adds settings of its own (mode, timeout):
        // clear them all, or every pooled handle on this file outlives it (thousands over a run, up to the open-file limit).
        // Other tests' connections only lose their idle pooled handles; they open new ones.
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // A connection still closing; the temp folder is cleaned by the OS eventually.
        }
    }
}
