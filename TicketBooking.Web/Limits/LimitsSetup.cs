using TicketBooking.Core;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Storage;
using TicketBooking.Web.Buyers;

namespace TicketBooking.Web.Limits;

internal static class LimitsSetup
{
    /// <summary>The request timeout policy of the API (<see cref="LimitOptions.ApiRequestTimeout"/>).</summary>
    public const string ApiTimeoutPolicy = "api";

    public static IServiceCollection AddTicketBookingLimits(this IServiceCollection services)
    {
        services.BindValidated<RateLimitOptions>(RateLimitOptions.Section);
        services.BindValidated<LimitOptions>(LimitOptions.Section);
        // Bound with the engine (AddHolds); the host only switches the per-address cap off with the other per-address limits.
        services.AddOptions<BuyerLimitOptions>()
            .PostConfigure<IOptions<RateLimitOptions>>((limits, rates) =>
            {
                // The per-buyer maximum is a business rule and stays; the per-address cap goes with the other per-address limits.
                if (!rates.Value.Enabled)
                {
                    limits.MaxHeldTicketsPerAddress = 0;
                }
            });
        // Places per address in a waiting room are a per-address limit too.
        services.AddOptions<Core.OnSale.WaitingRoomOptions>().PostConfigure<IOptions<RateLimitOptions>>((room, rates) =>
        {
            if (!rates.Value.Enabled)
            {
                room.PlacesPerAddress = 0;
            }
        });
        services.BindValidated<ProxyOptions>(ProxyOptions.Section);
        services.AddOptions<ForwardedHeadersOptions>().Configure<IOptions<ProxyOptions>>((forwarded, proxies) =>
        {
            // ASP.NET Core trusts loopback by default, and with both lists empty it would trust every sender: here only
            // what is configured is trusted, and with nothing configured the headers are not read at all.
            var any = proxies.Value.KnownProxies.Count + proxies.Value.KnownNetworks.Count > 0;
            forwarded.ForwardedHeaders = any ? ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            forwarded.KnownProxies.Clear();
            forwarded.KnownIPNetworks.Clear();
            foreach (var proxy in proxies.Value.KnownProxies)
            {
                forwarded.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in proxies.Value.KnownNetworks)
            {
                forwarded.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });

        // One instance keeps the budgets in memory; instances sharing a PostgreSQL database share them there too.
        services.AddSingleton<BudgetStore>(sp => sp.GetRequiredService<ConnectionFactory>().Provider == StorageProvider.Sqlite
            ? new LocalBudgetStore()
            : new SharedBudgetStore(sp.GetRequiredService<ConnectionFactory>()));
        services.AddSingleton<FairUse>();
        services.AddSingleton<BuyerRequests>();
        services.AddSingleton<CircuitSlots>();
        services.AddSingleton<CircuitLimits>();
        services.Configure<HubOptions>(hubs => hubs.AddFilter<CircuitLimits>());
        services.AddRequestTimeouts();
        services.AddOptions<Microsoft.AspNetCore.Http.Timeouts.RequestTimeoutOptions>().Configure<IOptions<LimitOptions>>((timeouts, limits) =>
            timeouts.AddPolicy(ApiTimeoutPolicy, limits.Value.ApiRequestTimeout));
        return services;
    }
}
