using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.OnSale;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Storage;
using TicketBooking.Core.Waitlist;

namespace TicketBooking.Core;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Registers the booking engine, one feature at a time: each feature's <c>Add…</c> (in its own folder) registers its
    /// services and binds its options from the configuration in the container, once, checked before the app migrates
    /// (<see cref="ValidatedOptions"/>). The host and the tests' engine compose it the same way. Everything here is a
    /// singleton: the engine keeps no per-request state, and the writer and broadcaster must be one per process.
    /// </summary>
    public static IServiceCollection AddTicketBookingCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services
            .AddStorage()
            .AddConcerts()
            .AddSeating()
            .AddHolds()
            .AddBookings()
            .AddWaitlist()
            .AddWaitingRoom();
    }
}
