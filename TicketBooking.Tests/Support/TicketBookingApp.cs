using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TicketBooking.Core.Concerts;

namespace TicketBooking.Tests.Support;

/// <summary>
/// The whole web app, in process, on its own temporary database (TodoApi's <c>TodoApplication</c> pattern): a SQLite
/// file unless a PostgreSQL <see cref="TempDatabase"/> is given (several apps may share one, as instances do).
/// Settings override configuration keys (<c>Holds:Duration</c> …); a <see cref="TestClock"/>, when given,
/// replaces the clock. <see cref="StartKestrel"/> serves it on 127.0.0.1 for a real browser or HTTP client.
/// </summary>
public sealed class TicketBookingApp : WebApplicationFactory<Program>
{
    private readonly Dictionary<string, string?> _settings;
    private readonly bool _ownsDatabase;
    private readonly string _environment;
    private readonly Action<IServiceCollection>? _configure;
    private Uri? _kestrelAddress;

    public TicketBookingApp(
        IDictionary<string, string?>? settings = null,
        TestClock? time = null,
        TempDatabase? database = null,
        string environment = "Testing",
        Action<IServiceCollection>? configure = null)
    {
        _environment = environment;
        _configure = configure;
        _ownsDatabase = database is null;
        Database = database ?? new TempDatabase();
        Time = time;
        _settings = new Dictionary<string, string?>(Database.HostSettings, StringComparer.OrdinalIgnoreCase)
        {
            ["RateLimits:Enabled"] = "false",
            ["Email:PickupDirectory"] = Path.Combine(Database.Directory, "mail"),
            ["Organizer:Password"] = OrganizerPassword,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public const string OrganizerPassword = "test-organizer-password";

    public TempDatabase Database { get; }

    public TestClock? Time { get; }

    public TestLog Log { get; } = new();

    /// <summary>Serves the app on a free loopback port and returns its base address.</summary>
    public Uri StartKestrel()
    {
        UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>();
        _kestrelAddress = new Uri(addresses.Addresses.First());
        return _kestrelAddress;
    }

    /// <summary>An HTTP client that keeps cookies, for the in-memory server or, after <see cref="StartKestrel"/>, real HTTP.</summary>
    public HttpClient CreateBuyerClient() => CreateBuyerClient(null);

    /// <summary>
    /// As <see cref="CreateBuyerClient()"/>, over real HTTP with the given cookie jar: cookies are kept per host, not per
    /// port, so one jar makes one browser whose requests can land on several instances on 127.0.0.1.
    /// </summary>
    public HttpClient CreateBuyerClient(CookieContainer? cookies)
    {
        if (_kestrelAddress is null)
        {
            return CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        }

        var handler = new SocketsHttpHandler { CookieContainer = cookies ?? new CookieContainer(), UseCookies = true, AllowAutoRedirect = false };
        return new HttpClient(handler) { BaseAddress = _kestrelAddress };
    }

    /// <summary>
    /// Settings for tests of per-address limits on real HTTP: the per-client limits on, and loopback trusted as a proxy, so
    /// each client's X-Forwarded-For (<see cref="CreateClientAt"/>) is its address.
    /// </summary>
    public static Dictionary<string, string?> LimitsBehindProxy(params (string Key, string Value)[] settings)
    {
        var all = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["RateLimits:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies:0"] = "127.0.0.1",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        return all;
    }

    /// <summary>After <see cref="StartKestrel"/>: a client with its own cookies that a trusted proxy says comes from <paramref name="address"/>.</summary>
    public HttpClient CreateClientAt(string address)
    {
        var client = CreateBuyerClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    /// <summary>A new concert a month ahead with the given tiers (code, price in cents, capacity), made through the engine.</summary>
    public Task<Concert> CreateConcertAsync(params (string Code, long PriceCents, int Capacity)[] tiers) => CreateConcertAsync(null, tiers);

    /// <summary>As <see cref="CreateConcertAsync(ValueTuple{string, long, int}[])"/>, going on sale at <paramref name="onSaleAt"/> (docs/architecture.md, "The on-sale and its waiting room").</summary>
    public async Task<Concert> CreateConcertAsync(DateTimeOffset? onSaleAt, params (string Code, long PriceCents, int Capacity)[] tiers)
    {
        var time = GetService<TimeProvider>();
        var draft = new ConcertDraft(
            $"Test concert {Guid.NewGuid():N}", "Test Artist", "Test Hall", "Testville", "Europe/London",
            time.GetUtcNow().AddDays(30), "A concert for tests.",
            [.. tiers.Select(t => new TierDraft(t.Code, t.Code, t.PriceCents, t.Capacity))], onSaleAt);
        var result = await GetService<ConcertAdmin>().CreateAsync(draft);
        return result.Should().BeOfType<AdminResult.Saved>().Subject.Concert;
    }

    /// <summary>Like <see cref="TestEngine.CreateSeatedConcertAsync"/>: SEATS ($50) seated A-A-1 …, GA ($10, 100) general.</summary>
    public async Task<Concert> CreateSeatedConcertAsync(int rows = 5, int seatsPerRow = 10)
    {
        var concert = await CreateConcertAsync(("SEATS", 5_000, 1), ("GA", 1_000, 100));
        return await SeatedTier.LayOutAsync(GetService<TicketBooking.Core.Seating.SeatingAdmin>(), concert.Id, rows, seatsPerRow);
    }

    /// <summary>The first concert of the seed data (New York), as buyers see it now.</summary>
    public async Task<Concert> FirstConcertAsync() => (await GetService<ConcertCatalog>().ListAsync())[0];

    /// <summary>The seed's seated hall (Symphony Center: VIP and Front Row reserved, GA general).</summary>
    public async Task<Concert> SeatedConcertAsync() => (await GetService<ConcertCatalog>().ListAsync()).Single(c => c.Tiers.Any(t => t.Reserved));

    public T GetService<T>()
        where T : notnull => Services.GetRequiredService<T>();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);

        // Outside Development the host only serves published assets; tests run from the build output, where
        // the framework script and the scoped CSS bundle are still listed in the static web assets manifest.
        builder.UseStaticWebAssets();
        builder.UseShutdownTimeout(TimeSpan.FromSeconds(2));
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureLogging(logging => logging.AddProvider(Log).SetMinimumLevel(LogLevel.Debug));
        if (Time is not null)
        {
            builder.ConfigureServices(services => services.Replace(ServiceDescriptor.Singleton<TimeProvider>(Time)));
        }

        if (_configure is not null)
        {
            builder.ConfigureServices(_configure);
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
        {
            Database.Dispose();
        }
    }
}
