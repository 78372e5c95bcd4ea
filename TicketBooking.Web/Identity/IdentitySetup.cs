using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using TicketBooking.Web.Api;

namespace TicketBooking.Web.Identity;

internal static class IdentitySetup
{
    public const string SignInPath = "/organizer/sign-in";

    public static IServiceCollection AddTicketBookingIdentity(this IServiceCollection services)
    {
        services.AddOptions<OrganizerOptions>().BindConfiguration(OrganizerOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<OrganizerSession>();

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
                OnValidatePrincipal = context =>
                {
                    context.HttpContext.RequestServices.GetRequiredService<OrganizerSession>().DropExpiredRole(context);
                    return Task.CompletedTask;
                },
                OnRedirectToLogin = context => context.Request.IsApi()
                    ? Problems.Write(context.HttpContext, Problems.Unauthorized())
                    : Redirect(context),
                OnRedirectToAccessDenied = context => context.Request.IsApi()
                    ? Problems.Write(context.HttpContext, Problems.Forbidden())
                    : Redirect(context),
            };
        });

        // The role's own expiry is enforced when the cookie is validated (OnValidatePrincipal above).
        services.AddAuthorizationBuilder().AddPolicy(OrganizerSession.Policy, policy => policy.RequireRole(OrganizerSession.Role));
        services.AddCascadingAuthenticationState();
        return services;
    }

    private static Task Redirect(RedirectContext<CookieAuthenticationOptions> context)
    {
        context.Response.Redirect(context.RedirectUri);
        return Task.CompletedTask;
    }
}
