using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Waitlist;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;
using TicketBooking.Web.Buyers;

namespace TicketBooking.Web.Api;

/// <summary><see cref="Admission"/>: while the concert's waiting room is open, the admission from <c>/api/concerts/{id}/queue</c>, as for a hold.</summary>
public sealed record WaitlistBody(Guid? ConcertId, string? Tier, int? Quantity, string? Email, string? Admission = null);

/// <summary>
/// A place in a tier's waiting line (docs/architecture.md, "The waiting list"). <see cref="Position"/> (1 = next) and <see cref="TicketsAhead"/> while
/// <c>waiting</c>; <see cref="OfferExpiresAt"/> while <c>offered</c>: the tickets are the caller's hold until then, paid with
/// <c>POST /api/bookings</c>.
/// </summary>
public sealed record WaitlistEntryResponse(Guid Id, Guid ConcertId, string Tier, int Quantity, string Email, string Status, int? Position, int? TicketsAhead,
    DateTimeOffset JoinedAt, DateTimeOffset? OfferExpiresAt)
{
    public static WaitlistEntryResponse From(WaitlistEntry entry) => new(
        entry.Id, entry.ConcertId, entry.Tier, entry.Quantity, entry.Email, StatusName(entry.Status), entry.Position, entry.SeatsAhead, entry.JoinedAt,
        entry.Status == WaitlistStatus.Offered ? entry.OfferExpiresAt : null);

    private static string StatusName(WaitlistStatus status) => status switch
    {
        WaitlistStatus.Waiting => "waiting",
        WaitlistStatus.Offered => "offered",
        WaitlistStatus.Expired => "expired",
        WaitlistStatus.Converted => "converted",
        _ => "left",
    };
}

/// <summary>Join a sold-out tier's waiting line, see where you stand, leave.</summary>
internal static class WaitlistEndpoints
{
    public static IEndpointRouteBuilder MapWaitlistEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/waitlist").WithTags("Waiting list").WithBuyerSession();
        group.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapPost("/", JoinAsync).WithSummary("Join a sold-out tier's waiting list (409 while it has tickets for sale; 403 without an admission while its waiting room is open)");
        group.MapGet("/", ListAsync).WithSummary("This buyer's waiting-list entries, newest first, with live positions");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One of this buyer's entries");
        group.MapDelete("/{id:guid}", LeaveAsync).WithSummary("Leave the waiting list; an offer held passes to the next in line");
        return routes;
    }

    private static async Task<Results<Created<WaitlistEntryResponse>, ValidationProblem, ProblemHttpResult>> JoinAsync(
        WaitlistBody body, BuyerRequests requests, HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.ConcertId is not { } concertId || concertId == Guid.Empty)
        {
            errors["concertId"] = ["Choose a concert (concertId)."];
        }

        if (string.IsNullOrWhiteSpace(body.Tier))
        {
            errors["tier"] = ["Name the tier to wait for (for example GA)."];
        }

        if (body.Quantity is null)
        {
            errors["quantity"] = ["Say how many tickets you want (quantity)."];
        }

        if (string.IsNullOrWhiteSpace(body.Email))
        {
            errors["email"] = ["Give the e-mail address to tell when tickets come back (email)."];
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var (result, refused) = await requests.JoinWaitlistAsync(context.Requester(), new JoinRequest(body.ConcertId!.Value, body.Tier!.Trim(), body.Quantity!.Value, body.Email!, body.Admission));
        if (refused is not null)
        {
            return Problems.TooManyRequests(context, refused);
        }

        return result switch
        {
            JoinResult.Joined joined => TypedResults.Created($"/api/waitlist/{joined.Entry.Id}", WaitlistEntryResponse.From(joined.Entry)),
            JoinResult.Invalid invalid => Problems.Invalid(invalid.Errors),
            JoinResult.ConcertNotFound => Problems.ConcertNotFound(),
            JoinResult.UnknownTier unknown => Problems.Invalid("tier", unknown.Message),
            JoinResult.SalesClosed closed => Problems.Conflict(closed.Title, closed.Message),
            JoinResult.NotOnSaleYet notYet => Problems.NotOnSaleYet(body.ConcertId!.Value, notYet.OnSaleAt, notYet.Title, notYet.Message),
            JoinResult.TicketsAvailable available => Problems.Conflict(available.Title, available.Message,
                new Dictionary<string, object?> { ["tier"] = available.Tier, ["available"] = available.Available }),
            JoinResult.AlreadyWaiting already => Problems.Conflict(already.Title,
                already.Message, new Dictionary<string, object?> { ["entry"] = WaitlistEntryResponse.From(already.Entry) }),
            JoinResult.BuyerLimitReached reached => Problems.Conflict(reached.Title,
                reached.Message,
                new Dictionary<string, object?> { ["tier"] = reached.Tier, ["maxPerBuyer"] = reached.Max, ["alreadyBought"] = reached.AlreadyBought }),
            JoinResult.AdmissionRequired notAdmitted => Problems.AdmissionRequired(body.ConcertId!.Value, notAdmitted.Reason),
            JoinResult.LineFull full => Problems.Conflict(full.Title, full.Message,
                new Dictionary<string, object?> { ["tier"] = full.Tier, ["maxEntries"] = full.Max }),
            var other => throw new InvalidOperationException($"Unhandled waiting-list result {other}"),
        };
    }

    private static async Task<Ok<IReadOnlyList<WaitlistEntryResponse>>> ListAsync(WaitlistService waitlist, HttpContext context, Guid? concertId = null) =>
        TypedResults.Ok<IReadOnlyList<WaitlistEntryResponse>>([.. (await waitlist.ListAsync(context.User.GetBuyerId(), concertId, context.RequestAborted)).Select(WaitlistEntryResponse.From)]);

    private static async Task<Results<Ok<WaitlistEntryResponse>, ProblemHttpResult>> GetAsync(Guid id, WaitlistService waitlist, HttpContext context) =>
        await waitlist.GetAsync(context.User.GetBuyerId(), id, context.RequestAborted) is { } entry
            ? TypedResults.Ok(WaitlistEntryResponse.From(entry))
            : NotFound();

    private static async Task<Results<NoContent, ProblemHttpResult>> LeaveAsync(Guid id, BuyerRequests requests, HttpContext context) =>
        await requests.LeaveWaitlistAsync(context.Requester(), id) switch
        {
            LeaveResult.Left => TypedResults.NoContent(),
            LeaveResult.AlreadyBooked => Problems.Conflict("Already booked.", "This place in line became a booking; cancel the booking instead."),
            _ => NotFound(),
        };

    private static ProblemHttpResult NotFound() => Problems.NotFound("You have no waiting-list entry with this id.");
}
