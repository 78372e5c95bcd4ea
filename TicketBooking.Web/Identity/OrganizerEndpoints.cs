using System.Globalization;
using Microsoft.AspNetCore.Mvc;

namespace TicketBooking.Web.Identity;

/// <summary>
/// The organizer sign-in form posts here (a plain form post: a cookie cannot be set from a Blazor circuit).
/// Antiforgery is checked for every form-bound endpoint.
/// </summary>
internal static class OrganizerEndpoints
{
    public static IEndpointRouteBuilder MapOrganizerSignIn(this IEndpointRouteBuilder routes)
    {
        routes.MapPost(IdentitySetup.SignInPath, SignInAsync).ExcludeFromDescription();
        routes.MapPost("/organizer/sign-out", SignOutAsync).ExcludeFromDescription();
        return routes;
    }

    private static async Task<IResult> SignInAsync(
        [FromForm] string? password, [FromForm] string? returnUrl, OrganizerSession organizer, HttpContext context)
    {
        var back = LocalUrl.IsLocal(returnUrl) ? $"&returnUrl={Uri.EscapeDataString(returnUrl!)}" : "";
        switch (await organizer.SignInAsync(context, password))
        {
            case SignInOutcome.SignedIn:
                return TypedResults.LocalRedirect(LocalUrl.IsLocal(returnUrl) ? returnUrl! : "/organizer");
            case SignInOutcome.Limited limited:
                context.Response.Headers.RetryAfter = limited.Refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.LocalRedirect($"{IdentitySetup.SignInPath}?wait={limited.Refusal.RetryAfterSeconds}{back}");
            default:
                return TypedResults.LocalRedirect($"{IdentitySetup.SignInPath}?failed=true{back}");
        }
    }

    // Binding a form field is also what makes the endpoint check the antiforgery token.
    private static async Task<IResult> SignOutAsync([FromForm] string? returnUrl, OrganizerSession organizer, HttpContext context)
    {
        await organizer.SignOutAsync(context);
        return TypedResults.LocalRedirect(LocalUrl.IsLocal(returnUrl) ? returnUrl! : "/");
    }
}
