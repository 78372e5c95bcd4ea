using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.Extensions.Logging.Abstractions;
using TicketBooking.Core;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Shared;
using TicketBooking.Web.Hosting;
using TicketBooking.Web.Identity;

namespace TicketBooking.Tests.Hosting;

public sealed class CheckoutCircuitHandlerTests : EngineTest
{
    [Fact]
    public async Task A_lost_connection_shrinks_the_buyers_holds_to_the_grace_period_and_leaves_others_alone()
    {
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 10));
        var buyer = BuyerId.New();
        var other = BuyerId.New();
        await Engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2)));
        var othersHold = (await Engine.Holds.PlaceAsync(other, TestEngine.Request(concert.Id, ("VIP", 2)))).Should().BeOfType<TicketBooking.Core.Holds.HoldResult.Held>().Subject.Hold;
        var handler = new CheckoutCircuitHandler(new CurrentBuyer(new SignedIn(buyer)), Engine.Holds, NullLogger<CheckoutCircuitHandler>.Instance);

        await handler.OnConnectionDownAsync(null!, CancellationToken.None);

        (await Engine.Holds.GetAsync(buyer, concert.Id))!.ExpiresAt.Should().Be(Engine.Time.GetUtcNow() + Engine.HoldOptions.HiddenGrace);
        (await Engine.Holds.GetAsync(other, concert.Id))!.ExpiresAt.Should().Be(othersHold.ExpiresAt);
    }

    private sealed class SignedIn(BuyerId buyer) : AuthenticationStateProvider
    {
        public override Task<AuthenticationState> GetAuthenticationStateAsync() =>
            Task.FromResult(new AuthenticationState(new ClaimsPrincipal(new ClaimsIdentity([new Claim(BuyerSession.BuyerClaim, buyer.ToString())], "test"))));
    }
}
