using Microsoft.Extensions.DependencyInjection;

namespace TicketBooking.Core.Concerts;

public static class ConcertsSetup
{
    /// <summary>The catalog buyers read, what organizers change, the seed, and organizer sessions.</summary>
    public static IServiceCollection AddConcerts(this IServiceCollection services)
    {
        services.AddSingleton<ConcertCatalog>();
        services.AddSingleton<ConcertAdmin>();
        services.AddSingleton<ConcertSeeder>();
        services.AddSingleton<Organizers.OrganizerSessions>();
        return services;
    }
}
