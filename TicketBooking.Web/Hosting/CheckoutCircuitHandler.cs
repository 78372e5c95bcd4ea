using Microsoft.AspNetCore.Components.Server.Circuits;
using TicketBooking.Core.Holds;
using TicketBooking.Web.Components.Shared;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// When a buyer's browser drops its connection (tab closed, network gone), their holds shrink to
/// <see cref="HoldOptions.HiddenGrace"/> so the tickets return soon; if the connection comes back,
/// the checkout's next heartbeat renews them.
/// </summary>
internal sealed partial class CheckoutCircuitHandler(CurrentBuyer buyer, HoldService holds, ILogger<CheckoutCircuitHandler> logger) : CircuitHandler
{
    public override async Task OnConnectionDownAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        try
        {
            var shrunk = await holds.ShrinkAllAsync(await buyer.GetAsync());
            if (shrunk > 0)
            {
                LogShrunk(shrunk);
            }
        }
#pragma warning disable CA1031 // A failure here must not break the circuit; the holds still expire on their own.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogShrinkFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Connection lost: shrank {Holds} holds to the grace period")]
    private partial void LogShrunk(int holds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Connection lost, but shrinking the buyer's holds failed")]
    private partial void LogShrinkFailed(Exception exception);
}
