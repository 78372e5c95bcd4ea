using Microsoft.AspNetCore.SignalR;

namespace TicketBooking.Web.Limits;

/// <summary>
/// Counts Blazor circuits per client address and server-wide (<see cref="LimitOptions.CircuitsPerAddress"/>,
/// <see cref="LimitOptions.MaxCircuits"/>). A circuit is a SignalR connection to Blazor's hub: one beyond the limit
/// is refused as it connects, before the circuit and its memory exist.
/// </summary>
internal sealed class CircuitLimits(FairUse fairUse) : IHubFilter
{
    private const string LeaseKey = "ticketbooking.circuit-lease";

    public async Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.Context.GetHttpContext();
        var address = http is null ? ClientAddress.Unknown : ClientAddress.Of(http);
        var lease = fairUse.OpenCircuit(address, out var refusal);
        if (lease is null)
        {
            // FairUse has logged it (once per client and minute).
            throw new HubException(refusal!.Message);
        }

        context.Context.Items[LeaseKey] = lease;
        try
        {
            await next(context);
        }
        catch
        {
            context.Context.Items.Remove(LeaseKey);
            lease.Dispose();
            throw;
        }
    }

    public async Task OnDisconnectedAsync(HubLifetimeContext context, Exception? exception, Func<HubLifetimeContext, Exception?, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            await next(context, exception);
        }
        finally
        {
            if (context.Context.Items.Remove(LeaseKey, out var lease))
            {
                ((IDisposable)lease!).Dispose();
            }
        }
    }
}
