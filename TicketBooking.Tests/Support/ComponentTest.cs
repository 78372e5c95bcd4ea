using System.Security.Claims;
using Bunit;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MudBlazor;
using MudBlazor.Services;
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
using TicketBooking.Web.Buyers;

namespace TicketBooking.Tests.Support;

/// <summary>
/// bunit with the real engine behind the components (its own SQLite file, a fake clock) and a signed-in
/// anonymous buyer, as a Blazor Server circuit would have.
/// </summary>
public abstract class ComponentTest : BunitContext, IAsyncLifetime
{
    // bunit's WaitFor* give up after 1 s by default; on two cores shared with the rest of the suite the renderer's
    // dispatcher can be that late to even run the check. A wait that passes returns at once, so only failures wait longer.
    static ComponentTest() => DefaultWaitTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Every option class the engine binds (AddTicketBookingCore), which pages may inject.</summary>
    private static readonly Type[] EngineOptions =
    [
        typeof(TicketBooking.Core.Storage.StorageOptions), typeof(HoldOptions), typeof(TicketBooking.Core.Limits.BuyerLimitOptions),
        typeof(PaymentOptions), typeof(CancellationOptions), typeof(TicketBooking.Core.Seating.SeatingOptions),
        typeof(TicketBooking.Core.Waitlist.WaitlistOptions), typeof(TicketBooking.Core.OnSale.WaitingRoomOptions),
    ];

    protected ComponentTest(Action<HoldOptions>? holds = null, RateLimitOptions? rates = null, Action<TicketBooking.Core.OnSale.WaitingRoomOptions>? room = null)
    {
        Engine = TestEngine.Start(holds, room: room);
        // The engine's services as the app composes them (AddTicketBookingCore), the same instances the test drives:
        // whatever this container does not register itself comes from the engine's.
        Services.AddFallbackServiceProvider(Engine.Services);
        Services.AddSingleton<TimeProvider>(Engine.Time);
        // Options are the exception: MudBlazor registers the options system here as well, which would answer with defaults.
        foreach (var options in EngineOptions)
        {
            var type = typeof(IOptions<>).MakeGenericType(options);
            Services.AddSingleton(type, Engine.Services.GetRequiredService(type));
        }

        Services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        Services.AddSingleton(typeof(ILogger<>), typeof(NullLogger<>));
        Services.AddScoped<CurrentBuyer>();
        // The same limits the API answers with; off unless a test class asks for them, as in the app's tests.
        Services.AddSingleton(new FairUse(
            Options.Create(rates ?? new RateLimitOptions { Enabled = false }), Options.Create(new LimitOptions()),
            Engine.Services.GetRequiredService<TicketBookingMetrics>(), Engine.Time, NullLogger<FairUse>.Instance));
        // Built here, its engine services from the engine's container (a fallback only answers components, not constructors).
        Services.AddSingleton(sp => ActivatorUtilities.CreateInstance<BuyerRequests>(Engine.Services, sp.GetRequiredService<FairUse>()));
        // MudBlazor as the app registers it; its components call JS (popovers, key interceptors), hence loose JS interop.
        Services.AddMudServices();
        Services.AddSingleton<MudProviders.ProviderSlot>();
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

    /// <summary>A paid booking (the approved test card) of <paramref name="buyer"/> in <paramref name="holder"/>'s name, through the engine.</summary>
    protected async Task<Booking> BookAsync(BuyerId buyer, Guid concertId, string holder, params (string Tier, int Quantity)[] items)
    {
        (await Engine.Holds.PlaceAsync(buyer, TestEngine.Request(concertId, items))).Should().BeOfType<HoldResult.Held>();
        var result = await Engine.Bookings.ConfirmAsync(buyer,
            new ConfirmRequest(concertId, new BuyerDetails(holder, $"{holder.Split(' ')[0].ToLowerInvariant()}@example.com"), new CardDetails(SimulatedPaymentGateway.ApprovedCard, "12/39", "123")),
            Guid.NewGuid().ToString());
        return result.Should().BeOfType<ConfirmResult.Booked>().Subject.Booking;
    }

    protected async Task<Hold> HoldAsync(Guid concertId, params (string Tier, int Quantity)[] items) =>
        (await Engine.Holds.PlaceAsync(Buyer, TestEngine.Request(concertId, items))).Should().BeOfType<HoldResult.Held>().Subject.Hold;

    /// <summary>
    /// The providers and everything rendered inside them, the dialogs and popovers of the last <see cref="Render{TComponent}"/>
    /// included: what a person sees on the page.
    /// </summary>
    protected IRenderedComponent<MudProviders> Root { get; private set; } = default!;

    /// <summary>Renders the component inside MudBlazor's providers, as MainLayout would, and returns the component.</summary>
    protected new IRenderedComponent<TComponent> Render<TComponent>(Action<ComponentParameterCollectionBuilder<TComponent>>? parameters = null)
        where TComponent : IComponent
    {
        Root = base.Render<MudProviders>(p => p.AddChildContent(parameters ?? (_ => { })));
        return Root.FindComponent<TComponent>();
    }

    /// <summary>
    /// Chooses <paramref name="option"/> in the MudSelect labelled <paramref name="label"/>, as its popover would. (The popover
    /// renders in the providers beside the component under test; the browser tests click through it.)
    /// </summary>
    protected Task ChooseAsync(string label, string option)
    {
        var select = Root.FindComponents<MudSelect<string>>().First(s => s.Instance.Label == label);
        return Root.InvokeAsync(() => select.Instance.ValueChanged.InvokeAsync(option));
    }

    /// <summary>The validation messages shown under the fields (MudBlazor's helper text in its error state).</summary>
    protected IEnumerable<string> FieldErrors() =>
        Root.FindAll(".mud-input-helper-text.mud-input-error, .validation-message").Select(e => e.TextContent.Trim()).Where(t => t.Length > 0);

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        // MudBlazor's services only dispose asynchronously: dispose the container here, so xunit's later Dispose() finds it done.
        await DisposeAsync();
        await Engine.DisposeAsync();
    }
}
