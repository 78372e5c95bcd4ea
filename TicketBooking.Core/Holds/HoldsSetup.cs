using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Limits;

namespace TicketBooking.Core.Holds;

public static class HoldsSetup
{
    /// <summary>Holds (<c>Holds</c>) and the ticket maximums every feature asks (<c>Limits</c>: <see cref="TicketLimits"/>).</summary>
    public static IServiceCollection AddHolds(this IServiceCollection services)
    {
        services.BindValidated<HoldOptions>(HoldOptions.Section);
        services.BindValidated<BuyerLimitOptions>(BuyerLimitOptions.Section);
        services.AddSingleton(sp => new TicketLimits(sp.GetRequiredService<IOptions<HoldOptions>>().Value, sp.GetRequiredService<IOptions<BuyerLimitOptions>>().Value));
        services.AddSingleton<HoldService>();
        return services;
    }
}
