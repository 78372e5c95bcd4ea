using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Web.Components.Shared;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;
using TicketBooking.Core.Diagnostics;

namespace TicketBooking.Tests.Support;

/// <summary>
/// bunit with the real engine behind the components (its own SQLite file, a fake clock) and a signed-in
/// anonymous buyer, as a Blazor Server circuit would have.
/// </summary>
public abstract class ComponentTest : BunitContext, IAsyncLifetime
{
    protected ComponentTest(Action<HoldOptions>? holds = null, RateLimitOptions? rates = null)
    {
        Engine = TestEngine.Start(holds);
        Services.AddSingleton<TimeProvider>(Engine.Time);
        Services.AddSingleton(Engine.Holds);
        Services.AddSingleton(Engine.Bookings);
        Services.AddSingleton(Engine.Catalog);
        Services.AddSingleton(Engine.Admin);
        Services.AddSingleton(Engine.Broadcaster);
        Services.AddSingleton(Engine.Gateway);
        Services.AddSingleton<IOptions<HoldOptions>>(Options.Create(Engine.HoldOptions));
        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddScoped<CurrentBuyer>();
        // The same limits the API answers with; off unless a test class asks for them, as in the app's tests.
        Services.AddSingleton(new FairUse(
            Options.Create(rates ?? new RateLimitOptions { Enabled = false }), Options.Create(new LimitOptions()),
            Engine.Services.GetRequiredService<TicketBookingMetrics>(), Engine.Time, NullLogger<FairUse>.Instance));
        Services.AddSingleton<BuyerRequests>();
        Authorization = AddAuthorization();
        SignInAs(Buyer);
        JSInterop.Mode = JSRuntimeMode.Loose;
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public TestEngine Engine { get; }

    public BunitAuthorizationContext Authorization { get; }

    public BuyerId Buyer { get; } = BuyerId.New();

    public NavigationManager Navigation => Services.GetRequiredService<NavigationManager>();

    /// <summary>The circuit's principal: the buyer cookie's claims, optionally with the organizer role.</summary>
    protected void SignInAs(BuyerId buyer, bool organizer = false)
    {
        Authorization.SetAuthorized(buyer.ToString());
        Authorization.SetClaims(new Claim(BuyerSession.BuyerClaim, buyer.ToString()));
        if (organizer)
        {
            Authorization.SetRoles(OrganizerSession.Role);
            Authorization.SetPolicies(OrganizerSession.Policy);
        }
    }

    protected Task<Concert> ConcertAsync(params (string Code, long PriceCents, int Capacity)[] tiers) => Engine.CreateConcertAsync(tiers);

    protected async Task<Hold> HoldAsync(Guid concertId, params (string Tier, int Quantity)[] items) =>
        (await Engine.Holds.PlaceAsync(Buyer, TestEngine.Request(concertId, items))).Should().BeOfType<HoldResult.Held>().Subject.Hold;

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeComponentsAsync();
        await Engine.DisposeAsync();
    }
}
