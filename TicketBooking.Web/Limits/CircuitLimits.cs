using Microsoft.AspNetCore.Components.Server.Circuits;
using Microsoft.AspNetCore.SignalR;
using TicketBooking.Web.Identity;

namespace TicketBooking.Web.Limits;

/// <summary>
/// Guards the start of a Blazor circuit (a page's live connection, a SignalR connection to Blazor's hub): at most
/// <see cref="LimitOptions.CircuitsPerAddress"/> connections per client address, and a slot of this instance's
/// <see cref="CircuitSlots"/> for each new circuit. A start refused for want of a slot (a race with the page gate:
/// <see cref="CircuitGate"/>) is sent to the busy page, and one over the address's limit gets the reason in the page;
/// both are told through <c>js/circuit-start.js</c>, never through Blazor's error bar. A reconnect to a circuit that
/// is still alive needs no slot: the circuit kept its own.
/// </summary>
internal sealed partial class CircuitLimits(FairUse fairUse, CircuitSlots slots, TimeProvider time, ILogger<CircuitLimits> logger) : IHubFilter
{
    /// <summary>Client methods of <c>js/circuit-start.js</c>.</summary>
    public const string BusyMethod = "ticketbooking:busy";

    public const string RefusedMethod = "ticketbooking:refused";

    /// <summary>How long a refused start waits for its page to go (so the browser logs no failed start); then it ends.</summary>
    internal static readonly TimeSpan LeaveTimeout = TimeSpan.FromSeconds(10);

    private const string LeaseKey = "ticketbooking.circuit-lease";
    private const string RefusalKey = "ticketbooking.circuit-refusal";

    public Task OnConnectedAsync(HubLifetimeContext context, Func<HubLifetimeContext, Task> next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.Context.GetHttpContext();
        var address = http is null ? ClientAddress.Unknown : ClientAddress.Of(http);

        // Refused only when the page asks for a circuit: a connection cannot carry a message before it is open.
        var lease = fairUse.OpenCircuit(address, out var refusal);
        context.Context.Items[lease is null ? RefusalKey : LeaseKey] = lease ?? (object)refusal!;
        return next(context);
    }

    public async ValueTask<object?> InvokeMethodAsync(HubInvocationContext invocationContext, Func<HubInvocationContext, ValueTask<object?>> next)
    {
        ArgumentNullException.ThrowIfNull(invocationContext);
        ArgumentNullException.ThrowIfNull(next);
        var method = invocationContext.HubMethodName;
        if (method is not ("StartCircuit" or "ResumeCircuit"))
        {
            return await next(invocationContext);
        }

        var hub = invocationContext.Context;
        if (hub.Items.TryGetValue(RefusalKey, out var refused))
        {
            await invocationContext.Hub.Clients.Caller.SendAsync(RefusedMethod, ((Refusal)refused!).Message, hub.ConnectionAborted);
            return null;
        }

        var http = hub.GetHttpContext();
        var staff = hub.User?.IsInRole(OrganizerSession.Role) == true;
        if (!slots.TryTake(http?.Request.Cookies[CircuitGate.LineCookie], staff))
        {
            LogNoSlot(slots.Capacity);
            var page = PageOf(invocationContext, method);
            await invocationContext.Hub.Clients.Caller.SendAsync(BusyMethod, CircuitGate.BusyPath(page), hub.ConnectionAborted);
            await LeftAsync(hub.ConnectionAborted);
            return null;
        }

        try
        {
            var started = await next(invocationContext);
            if (started is null)
            {
                // No circuit was made (Blazor refused the start's data): the slot goes straight back.
                slots.Release();
            }

            return started;
        }
        catch
        {
            slots.Release();
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

    /// <summary>The page that asked for the circuit: StartCircuit(baseUri, uri, …), ResumeCircuit(id, baseUri, uri, …).</summary>
    private static string? PageOf(HubInvocationContext invocation, string method)
    {
        var index = method == "StartCircuit" ? 1 : 2;
        return invocation.HubMethodArguments.Count > index && invocation.HubMethodArguments[index] is string uri
            && Uri.TryCreate(uri, UriKind.Absolute, out var page) ? page.PathAndQuery : null;
    }

    /// <summary>Waits until the browser has left for the busy page, or <see cref="LeaveTimeout"/>.</summary>
    private async Task LeftAsync(CancellationToken aborted)
    {
        try
        {
            await Task.Delay(LeaveTimeout, time, aborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A circuit could not start: all {Capacity} circuit slots are taken; the page goes to the busy page")]
    private partial void LogNoSlot(int capacity);
}

/// <summary>Gives a circuit's slot back when the circuit is gone (closed by its page, or dropped after waiting for a reconnect).</summary>
internal sealed class CircuitSlotHandler(CircuitSlots slots) : CircuitHandler
{
    public override Task OnCircuitClosedAsync(Circuit circuit, CancellationToken cancellationToken)
    {
        slots.Release();
        return Task.CompletedTask;
    }
}
