using Microsoft.Extensions.Options;
using MudBlazor.Services;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Storage;
using TicketBooking.Web.Api;
using TicketBooking.Web.Components;
using TicketBooking.Web.Components.Shared;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;
using TicketBooking.Core.Organizers;

namespace TicketBooking.Web.Hosting;

/// <summary>The composition root, kept out of Program.cs.</summary>
internal static class TicketBookingHost
{
    public static WebApplicationBuilder AddTicketBooking(this WebApplicationBuilder builder)
    {
        var services = builder.Services;

        // Every option of the engine is bound by its feature (AddTicketBookingCore); the host says where the database is.
        services.AddTicketBookingCore();
        services.AddOptions<StorageOptions>()
            .Configure<IConfiguration, IHostEnvironment>((storage, configuration, environment) =>
            {
                var connectionString = configuration.GetConnectionString("Tickets") ?? storage.ConnectionString;
                storage.ConnectionString = storage.Provider == StorageProvider.Sqlite
                    ? DatabasePath.Resolve(connectionString, environment.ContentRootPath)
                    : connectionString;
            });
        services.BindValidated<SeedOptions>(SeedOptions.Section);
        services.AddHostedService<ClusterListener>();
        services.AddHostedService<ExpirySweeper>();
        services.AddHostedService<WaitingRoomPump>();
        services.AddHostedService<RefundRecovery>();
        services.BindValidated<Email.EmailOptions>(Email.EmailOptions.Section);
        services.AddSingleton<Email.IEmailTransport>(sp => string.IsNullOrWhiteSpace(sp.GetRequiredService<IOptions<Email.EmailOptions>>().Value.Smtp.Host)
            ? ActivatorUtilities.CreateInstance<Email.PickupDirectoryTransport>(sp)
            : ActivatorUtilities.CreateInstance<Email.SmtpTransport>(sp));
        services.AddSingleton<Email.OutboxSender>();
        services.AddHostedService(sp => sp.GetRequiredService<Email.OutboxSender>());
        services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");

        // Connection and request limits are configuration (Kestrel:Limits in appsettings.json), chosen for an on-sale.
        services.Configure<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>(builder.Configuration.GetSection("Kestrel"));
        services.AddTicketBookingIdentity();
        services.AddTicketBookingApi();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices(mud =>
        {
            mud.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomCenter;
            mud.SnackbarConfiguration.VisibleStateDuration = 6_000;
            mud.SnackbarConfiguration.PreventDuplicates = true;
        });

        // The fingerprinted static assets (MudBlazor's CSS is 615 KB raw) have no precompressed variant: compress them
        // at run time, fastest level, and keep their immutable caching. Pages and the API are not compressed (BREACH).
        services.AddResponseCompression(compression =>
        {
            compression.EnableForHttps = true;
            compression.MimeTypes = ["text/css", "text/javascript", "application/javascript"];
        });
        services.AddOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>().Configure<IOptions<LimitOptions>>((circuits, limits) =>
        {
            circuits.DisconnectedCircuitMaxRetained = limits.Value.DisconnectedCircuitsRetained;
            circuits.DisconnectedCircuitRetentionPeriod = limits.Value.DisconnectedCircuitRetention;
        });
        services.AddScoped<CurrentBuyer>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, CheckoutCircuitHandler>();
        services.AddScoped<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler, CircuitSlotHandler>();
        services.AddHostedService<CircuitSlotSweeper>();
        services.AddHostedService<MemoryTrimmer>();
        return builder;
    }

    /// <summary>
    /// Checks every option now, before anything touches the database: false, with one line on standard error per broken
    /// rule naming its configuration key, when the app must not start. Without this the checks ran when the host started,
    /// after migrations had run, and stopped the app with a stack trace.
    /// </summary>
    public static bool ConfigurationIsValid(this WebApplication app)
    {
        try
        {
            app.Services.GetRequiredService<IStartupValidator>().Validate();
            return true;
        }
        catch (Exception exception) when (exception is OptionsValidationException or AggregateException)
        {
            var failures = exception is AggregateException all
                ? all.InnerExceptions.OfType<OptionsValidationException>().SelectMany(e => e.Failures)
                : ((OptionsValidationException)exception).Failures;
            foreach (var failure in failures)
            {
                Console.Error.WriteLine($"TicketBooking cannot start: invalid configuration: {failure}");
            }

            return false;
        }
    }

    /// <summary>Creates and migrates the database, finishes payments a crash interrupted, and seeds an empty database.</summary>
    public static async Task InitializeDatabaseAsync(this WebApplication app)
    {
        var services = app.Services;
        services.GetRequiredService<DatabaseMigrator>().Migrate();

        // Alone on the database (always on a SQLite file), whatever is unfinished was cut off by a crash. With other
        // instances alive on PostgreSQL, they may be mid-payment: only what no charge could still be running is finished
        // now (the leader's recovery round finishes the rest once it is that old).
        var connections = services.GetRequiredService<ConnectionFactory>();
        await using var startup = await connections.LockStartupAsync();
        var shared = await connections.OthersAliveAsync();
        var payments = services.GetRequiredService<IOptions<PaymentOptions>>().Value;
        await services.GetRequiredService<BookingService>().RecoverAsync(shared ? RefundRecovery.InFlightAge(payments) : null);
        await services.GetRequiredService<CancellationService>().RecoverAsync(shared ? RefundRecovery.InFlightAge(payments) : null);
        // A new organizer password, or none, ends every organizer session, including those of browsers that still carry one.
        await services.GetRequiredService<OrganizerSessions>().EndAllUnlessPasswordUnchangedAsync(
            services.GetRequiredService<IOptions<OrganizerOptions>>().Value.Password);

        var seed = services.GetRequiredService<IOptions<SeedOptions>>().Value;
        if (seed.Path is { Length: > 0 } path)
        {
            await services.GetRequiredService<ConcertSeeder>().SeedAsync(Path.GetFullPath(path, AppContext.BaseDirectory));
        }

        // The demo's on-sale (Development): one seeded concert opens a few minutes after start-up, so its waiting room can be seen.
        if (seed.DemoOnSale is { Length: > 0 } demo)
        {
            await services.GetRequiredService<ConcertSeeder>().ScheduleDemoOnSaleAsync(demo, seed.DemoOnSaleIn);
        }
    }

    public static WebApplication UseTicketBooking(this WebApplication app)
    {
        // First, so everything after sees the client's address (only when a configured proxy says so: ForwardedHeaders).
        app.UseForwardedHeaders();

        // API errors become problem details (ApiExceptionHandler); pages fall through to the HTML error page.
        app.UseExceptionHandler("/Error", createScopeForErrors: true);
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseSecurityHeaders();
        app.UseApiConventions();
        app.UseWhen(context => !context.Request.IsApi(), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        // Routing after the status code pages, so the re-executed request finds the not-found page (with routing only at
        // the start of the pipeline, an unknown address got an empty 404 and the browser's own error page).
        app.UseRouting();
        app.UseAuthentication();
        app.UseBuyerSessions();
        app.UseRequestTimeouts();
        // Authorization before the body: a request that may not reach its endpoint (an unsigned-in PUT of a layout) is
        // refused before a byte of its body is read.
        app.UseAuthorization();
        // A page that would open a circuit, when this instance has none to give, is the busy page instead (docs/scaling.md §5).
        app.UseCircuitGate();
        // The body is read (within its deadline and its route's size) before the request takes an API slot.
        app.UseRequestBodyDeadline();
        app.UseRateLimiter();
        app.UseAntiforgery();

        app.MapHealthChecks("/health");
        // Liveness without touching the database: the process answers HTTP (the benchmark's bare-Kestrel baseline).
        app.MapHealthChecks("/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false });
        app.UseResponseCompression();
        app.MapStaticAssets();
        app.MapTicketBookingApi();
        app.MapOrganizerSignIn();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode().WithBuyerSession();
        return app;
    }
}
