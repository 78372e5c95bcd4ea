using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Holds;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Api;

/// <summary>The API's RFC 9457 problem responses, worded for the person reading them.</summary>
internal static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult ConcertNotFound() => NotFound("There is no concert with this id.");

    public static ValidationProblem Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, title: "Some fields need attention.", detail: string.Join(" ", errors.Values.SelectMany(m => m)));

    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "The request is not valid.");

    public static ProblemHttpResult Conflict(string title, string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: title, extensions: extensions);

    public static ProblemHttpResult NotEnoughTickets(HoldResult.NotEnoughTickets shortfall) => Conflict(
        shortfall.Title,
        shortfall.Message,
        new Dictionary<string, object?>
        {
            ["tiers"] = shortfall.Tiers.Select(t => new { tier = t.Tier, requested = t.Requested, available = t.Available }).ToArray(),
        });

    /// <summary>Where a buyer gets in line for a concert: the page and the API resource.</summary>
    public static string RoomPage(Guid concertId) => $"/concerts/{concertId}/queue";

    public static string RoomApi(Guid concertId) => $"/api/concerts/{concertId}/queue";

    /// <summary>409 before a concert's on-sale, worded by the refusal, with when the sale opens and where to get in line.</summary>
    public static ProblemHttpResult NotOnSaleYet(Guid concertId, DateTimeOffset onSaleAt, string title, string message) => Conflict(
        title,
        message,
        new Dictionary<string, object?> { ["onSaleAt"] = onSaleAt, ["room"] = RoomPage(concertId), ["queue"] = RoomApi(concertId) });

    /// <summary>403 while a concert's waiting room is open and a hold or a waiting-list join carried no admission that is still good.</summary>
    public static ProblemHttpResult AdmissionRequired(Guid concertId, Core.OnSale.AdmissionCheck reason) => TypedResults.Problem(
        Core.OnSale.AdmissionChecks.Explain(reason), statusCode: StatusCodes.Status403Forbidden, title: "Waiting room",
        extensions: new Dictionary<string, object?>
        {
            ["reason"] = reason.ToString().ToLowerInvariant(),
            ["room"] = RoomPage(concertId),
            ["queue"] = RoomApi(concertId),
        });

    public static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        "Sign in as an organizer first (POST /api/admin/session).", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in required");

    public static ProblemHttpResult Forbidden() => TypedResults.Problem(
        "Only organizers can do this.", statusCode: StatusCodes.Status403Forbidden, title: "Not allowed");

    public static ProblemHttpResult Unavailable() => TypedResults.Problem(
        "The ticket store is busy or unavailable. Nothing was changed; please try again in a moment.",
        statusCode: StatusCodes.Status503ServiceUnavailable, title: "Try again shortly");

    public static ProblemHttpResult NoBuyerSession() => TypedResults.Problem(
        "This request has no buyer session. Start from a concert page, or GET /api/concerts first and send back the cookie it sets.",
        statusCode: StatusCodes.Status401Unauthorized, title: "No buyer session");

    /// <summary>429 (or 503 for a server-wide cap) with Retry-After, worded by the limit that refused.</summary>
    public static ProblemHttpResult TooManyRequests(HttpContext context, Refusal refusal, int statusCode = StatusCodes.Status429TooManyRequests)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(refusal);
        context.Response.Headers.RetryAfter = refusal.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(refusal.Message, statusCode: statusCode, title: statusCode == StatusCodes.Status429TooManyRequests ? "Slow down" : "Busy",
            extensions: new Dictionary<string, object?> { ["limit"] = refusal.Limit, ["retryAfterSeconds"] = refusal.RetryAfterSeconds });
    }

    /// <summary>Writes a problem result outside an endpoint (middleware, authentication events).</summary>
    public static Task Write(HttpContext context, IResult problem) => problem.ExecuteAsync(context);
}
