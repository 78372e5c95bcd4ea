using Microsoft.AspNetCore.Components.Authorization;
using TicketBooking.Core;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Buyers;

namespace TicketBooking.Web.Components.Shared;

/// <summary>The buyer using this circuit, from the cookie principal the circuit started with, and where they came from.</summary>
public sealed class CurrentBuyer(AuthenticationStateProvider authentication)
{
    /// <summary>
    /// The client address the page was loaded from (<see cref="Limits.ClientAddress"/>). Set by <c>Routes</c> from its
    /// root component parameter, which Blazor keeps in the page's data-protected component descriptor, so a browser cannot change it.
    /// </summary>
    public string Address { get; set; } = Limits.ClientAddress.Unknown;

    /// <summary>Who is acting, for the limits every buyer write goes through (<see cref="Limits.BuyerRequests"/>).</summary>
    public async Task<Limits.Requester> GetRequesterAsync() => new(await GetAsync(), Address);

    /// <summary>The buyer, or null on a circuit that has none.</summary>
    public async Task<BuyerId?> FindAsync() => (await authentication.GetAuthenticationStateAsync()).User.FindBuyerId();

    public async Task<BuyerId> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.FindBuyerId()
            ?? throw new InvalidOperationException("This circuit has no buyer session; pages are served with BuyerSession metadata.");
    }
}
