using Microsoft.Extensions.DependencyInjection;

namespace TicketBooking.Core.OnSale;

public static class WaitingRoomSetup
{
    /// <summary>Scheduled on-sales and their waiting room (<c>WaitingRoom</c>): the line, signed admissions, live places.</summary>
    public static IServiceCollection AddWaitingRoom(this IServiceCollection services)
    {
        services.BindValidated<WaitingRoomOptions>(WaitingRoomOptions.Section);
        services.AddSingleton<AdmissionTokens>();
        services.AddSingleton<WaitingRoomHub>();
        services.AddSingleton<WaitingRoomService>();
        return services;
    }
}
