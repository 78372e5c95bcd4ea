using TicketBooking.Core;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using TicketBooking.Web.Api;

namespace TicketBooking.Web.Identity;

internal static class IdentitySetup
{
    public const string SignInPath = "/organizer/sign-in";

    public static IServiceCollection AddTicketBookingIdentity(this IServiceCollection services)
    {
        services.BindValidated<OrganizerOptions>(OrganizerOptions.Section);
        services.AddSingleton<OrganizerSession>();

        // The key ring that protects every cookie lives in the ticket database; a fixed application name keeps it
        // the same key ring wherever the app is deployed (the default would depend on the content root path).
        services.AddDataProtection().SetApplicationName("TicketBooking");
        services.AddSingleton<DatabaseKeyRepository>();
        services.AddOptions<KeyManagementOptions>().Configure<DatabaseKeyRepository>((keys, repository) => keys.XmlRepository = repository);

        services.AddAuthentication(BuyerSession.Scheme).AddCookie(BuyerSession.Scheme, cookie =>
        {
            cookie.Cookie.Name = BuyerSession.CookieName;
            cookie.Cookie.HttpOnly = true;
            cookie.Cookie.SameSite = SameSiteMode.Lax;
            cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            cookie.Cookie.IsEssential = true;
            cookie.ExpireTimeSpan = TimeSpan.FromDays(30);
            cookie.SlidingExpiration = true;
            cookie.LoginPath = SignInPath;
            cookie.AccessDeniedPath = SignInPath;
            cookie.Events = new CookieAuthenticationEvents
            {
                OnValidatePrincipal = context => context.HttpContext.RequestServices.GetRequiredService<OrganizerSession>().ValidateAsync(context),
                OnRedirectToLogin = context => context.Request.IsApi()
                    ? Problems.Write(context.HttpContext, Problems.Unauthorized())
                    : Redirect(context),
                OnRedirectToAccessDenied = context => context.Request.IsApi()
                    ? Problems.Write(context.HttpContext, Problems.Forbidden())
                    : Redirect(context),
            };
        });

        // Registered after AddCookie, so it runs after the handler's own post-configuration has made the cookie's format.
        services.AddOptions<CookieAuthenticationOptions>(BuyerSession.Scheme)
            .PostConfigure<TimeProvider>((cookie, time) => cookie.TicketDataFormat = new CachedTicketFormat(cookie.TicketDataFormat, time));

        // The organizer session is checked in the database when the cookie is validated (OnValidatePrincipal above),
        // and again every CircuitAuthenticationState.Interval while a page stays open.
        services.AddAuthorizationBuilder().AddPolicy(OrganizerSession.Policy, policy => policy.RequireRole(OrganizerSession.Role));
        services.AddScoped<AuthenticationStateProvider, CircuitAuthenticationState>();
        services.AddCascadingAuthenticationState();
        return services;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
