using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Waitlist;

public static class WaitlistSetup
{
    /// <summary>
    /// Waiting lists (<c>Waitlist</c>), their live notices, and serving the lines after every write command
    /// (<see cref="WaitlistServing"/>, an <see cref="IAfterCommand"/> the writer runs).
    /// </summary>
    public static IServiceCollection AddWaitlist(this IServiceCollection services)
    {
        services.BindValidated<WaitlistOptions>(WaitlistOptions.Section);
        services.AddSingleton<WaitlistService>();
        services.AddSingleton<WaitlistNotices>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IAfterCommand, WaitlistServing>());
        return services;
    }
}
