using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TicketBooking.Core.Payments;

namespace TicketBooking.Core.Bookings;

public static class BookingsSetup
{
    /// <summary>
    /// Paying (<c>Payments</c>; the simulated gateway unless the host registered another), cancelling (<c>Cancellation</c>),
    /// tickets at the door, and the e-mail outbox written with them.
    /// </summary>
    public static IServiceCollection AddBookings(this IServiceCollection services)
    {
        services.BindValidated<PaymentOptions>(PaymentOptions.Section);
        services.BindValidated<CancellationOptions>(CancellationOptions.Section);
        services.TryAddSingleton<SimulatedPaymentGateway>();
        services.TryAddSingleton<IPaymentGateway>(sp => sp.GetRequiredService<SimulatedPaymentGateway>());
        services.AddSingleton<BookingService>();
        services.AddSingleton<CancellationService>();
        services.AddSingleton<Tickets.CheckInService>();
        services.AddSingleton<Email.Outbox>();
        return services;
    }
}
