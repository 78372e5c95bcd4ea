using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the booking engine. Options (<see cref="StorageOptions"/>, <see cref="HoldOptions"/>,
    /// <see cref="PaymentOptions"/>) are bound by the host. Everything here is a singleton: the engine
    /// keeps no per-request state, and the writer and broadcaster must be one per process.
    /// </summary>
    public static IServiceCollection AddTicketBookingCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<ConnectionFactory>(sp => sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>().Value.Provider switch
        {
            StorageProvider.Postgres => ActivatorUtilities.CreateInstance<PostgresConnectionFactory>(sp),
            _ => ActivatorUtilities.CreateInstance<SqliteConnectionFactory>(sp),
        });
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<Cluster.ClusterFeed>();
        services.AddSingleton<Cluster.ClusterLeader>();
        services.AddSingleton<AvailabilityBroadcaster>();
        services.AddSingleton<Diagnostics.TicketBookingMetrics>();
        // Its constructor is internal (it takes the features' internal after-command steps), out of the container's reach.
        services.AddSingleton(sp => new GroupCommitWriter(
            sp.GetRequiredService<ConnectionFactory>(),
            sp.GetRequiredService<AvailabilityBroadcaster>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<Microsoft.Extensions.Options.IOptions<StorageOptions>>(),
            sp.GetServices<IAfterCommand>(),
            sp.GetRequiredService<Waitlist.WaitlistNotices>(),
            sp.GetRequiredService<Email.OutboxSignal>(),
            sp.GetRequiredService<Cluster.ClusterFeed>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<GroupCommitWriter>>()));
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<AppSecrets>();
        services.AddSingleton<Organizers.OrganizerSessions>();
        services.AddSingleton<ConcertCatalog>();
        services.AddSingleton<ConcertAdmin>();
        services.AddSingleton<Seating.SeatingAdmin>();
        services.AddSingleton<Seating.SeatMaps>();
        services.AddSingleton<ConcertSeeder>();
        services.AddSingleton<HoldService>();
        services.AddSingleton<BookingService>();
        services.AddSingleton<Tickets.CheckInService>();
        services.AddSingleton<CancellationService>();
        services.AddSingleton<Email.Outbox>();
        services.AddSingleton<Email.OutboxSignal>();
        services.AddSingleton<Waitlist.WaitlistService>();
        services.AddSingleton<Waitlist.WaitlistNotices>();
        services.AddSingleton<IAfterCommand, Waitlist.WaitlistServing>();
        services.AddSingleton<OnSale.AdmissionTokens>();
        services.AddSingleton<OnSale.WaitingRoomHub>();
        services.AddSingleton<OnSale.WaitingRoomService>();
        services.TryAddSingleton<SimulatedPaymentGateway>();
        services.TryAddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
        return services;
    }
}
