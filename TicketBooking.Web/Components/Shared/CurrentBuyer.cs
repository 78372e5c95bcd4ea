using Microsoft.AspNetCore.Components.Authorization;
using TicketBooking.Core;
using TicketBooking.Web.Identity;

namespace TicketBooking.Web.Components.Shared;

/// <summary>The buyer using this circuit, from the cookie principal the circuit started with.</summary>
public sealed class CurrentBuyer(AuthenticationStateProvider authentication)
{
    public async Task<BuyerId> GetAsync()
    {
        var state = await authentication.GetAuthenticationStateAsync();
        return state.User.FindBuyerId()
            ?? throw new InvalidOperationException("This circuit has no buyer session; pages are served with BuyerSession metadata.");
    }
}
