using Microsoft.Extensions.DependencyInjection;

namespace TicketBooking.Core.Seating;

public static class SeatingSetup
{
    /// <summary>Reserved seating (<c>Seating</c>): seat maps for buyers and what organizers change in a layout.</summary>
    public static IServiceCollection AddSeating(this IServiceCollection services)
    {
        services.BindValidated<SeatingOptions>(SeatingOptions.Section);
        services.AddSingleton<SeatingAdmin>();
        services.AddSingleton<SeatMaps>();
        return services;
    }
}
