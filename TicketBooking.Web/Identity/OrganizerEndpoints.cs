using Microsoft.AspNetCore.Mvc;
using TicketBooking.Web.Api;

namespace TicketBooking.Web.Identity;

/// <summary>
/// The organizer sign-in form posts here (a plain form post: a cookie cannot be set from a Blazor circuit).
/// Antiforgery is checked for every form-bound endpoint.
/// </summary>
internal static class OrganizerEndpoints
{
    public static IEndpointRouteBuilder MapOrganizerSignIn(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(IdentitySetup.SignInPath, SignInAsync).RequireRateLimiting(RateLimits.SignInPolicy).WithBuyerSession().ExcludeFromDescription();
        routes.MapPost("/organizer/sign-out", SignOutAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> SignInAsync(
        [FromForm] string? password, [FromForm] string? returnUrl, OrganizerSession organizer, HttpContext context)
    {
        if (!organizer.IsPasswordCorrect(password))
        {
            return TypedResults.LocalRedirect($"{IdentitySetup.SignInPath}?failed=true");
        }

        await organizer.SignInAsync(context);
        return TypedResults.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/organizer");
    }

    // Binding a form field is also what makes the endpoint check the antiforgery token.
    private static async Task<IResult> SignOutAsync([FromForm] string? returnUrl, HttpContext context)
    {
        await OrganizerSession.SignOutAsync(context);
        return TypedResults.LocalRedirect(IsLocal(returnUrl) ? returnUrl! : "/");
    }

    /// <summary>Only paths on this site, never "//evil.example" or "https://…".</summary>
    private static bool IsLocal(string? url) =>
        url is { Length: > 1 } && url[0] == '/' && url[1] != '/' && url[1] != '\\';
}
