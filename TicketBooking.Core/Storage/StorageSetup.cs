using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Availability;

namespace TicketBooking.Core.Storage;

public static class StorageSetup
{
    /// <summary>
    /// The database (<c>Storage</c>: provider, connection string, the writer's batch and queue), the single writer, live
    /// push, the change feed and leader between instances, and the engine's meter.
    /// </summary>
    public static IServiceCollection AddStorage(this IServiceCollection services)
    {
        services.BindValidated<StorageOptions>(StorageOptions.Section);
        services.AddSingleton<ConnectionFactory>(sp => sp.GetRequiredService<IOptions<StorageOptions>>().Value.Provider switch
        {
            StorageProvider.Postgres => ActivatorUtilities.CreateInstance<PostgresConnectionFactory>(sp),
            _ => ActivatorUtilities.CreateInstance<SqliteConnectionFactory>(sp),
        });
        services.AddSingleton<DatabaseMigrator>();
        services.AddSingleton<StoreHealth>();
        services.AddSingleton<AppSecrets>();
        services.AddSingleton<Cluster.ClusterFeed>();
        services.AddSingleton<Cluster.ClusterLeader>();
        services.AddSingleton<AvailabilityBroadcaster>();
        services.AddSingleton<Diagnostics.TicketBookingMetrics>();
        // Its constructor is internal (it takes the features' internal after-command steps), out of the container's reach.
        services.AddSingleton(sp => new GroupCommitWriter(
            sp.GetRequiredService<ConnectionFactory>(),
            sp.GetRequiredService<AvailabilityBroadcaster>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<IOptions<StorageOptions>>(),
            sp.GetServices<IAfterCommand>(),
            sp.GetRequiredService<Waitlist.WaitlistNotices>(),
            sp.GetRequiredService<Email.OutboxSignal>(),
            sp.GetRequiredService<Cluster.ClusterFeed>(),
            sp.GetRequiredService<ILogger<GroupCommitWriter>>()));
        services.AddSingleton<Email.OutboxSignal>();
        return services;
    }
}
