using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Tickets;
using TicketBooking.Web.Api;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Tickets;

/// <summary>A scan: the code, the door's name, and optionally the concert this door admits to (another concert's ticket is then refused).</summary>
public sealed record CheckInBody(string? Code, string? Door, Guid? ConcertId = null);

/// <summary>An admitted ticket; <see cref="Seat"/> is its seat label on a seated tier.</summary>
public sealed record CheckInResponse(Guid TicketId, Guid ConcertId, string Tier, string Holder, DateTimeOffset CheckedInAt, string? Door, string? Seat = null);

public sealed record TierCheckInsResponse(string Tier, int Sold, int Admitted);

/// <summary>Tickets for their buyer (the QR image) and the door (check-in, admitted per tier): docs/architecture.md, "Tickets and check-in".</summary>
internal static class TicketEndpoints
{
    public static IEndpointRouteBuilder MapTicketEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/api/bookings/{id:guid}/tickets/{ticketId:guid}/qr", QrAsync)
            .WithTags("Bookings").WithBuyerSession().WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy)
            .WithSummary("One of this buyer's tickets as a QR code (image/svg+xml)");

        routes.MapPost("/api/checkin", CheckInAsync)
            .WithTags("Door").RequireAuthorization(OrganizerSession.Policy).WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy)
            .WithSummary("Admit a ticket by its code, once: 200 admitted, 409 already admitted (when, which door), 410 cancelled, 404 unknown");

        routes.MapGet("/api/admin/concerts/{id:guid}/checkins", CheckInsAsync)
            .WithTags("Organizer").RequireAuthorization(OrganizerSession.Policy).WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy)
            .WithSummary("Tickets sold and admitted per tier");
        return routes;
    }

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> QrAsync(Guid id, Guid ticketId, BookingService bookings, HttpContext context)
    {
        var ticket = (await bookings.GetAsync(context.User.GetBuyerId(), id, context.RequestAborted))?.Tickets.FirstOrDefault(t => t.Id == ticketId);
        if (ticket is null)
        {
            return Problems.NotFound("There is no such ticket in your bookings.");
        }

        return TypedResults.Content(TicketQr.Svg(ticket.Code), "image/svg+xml");
    }

    private static async Task<Results<Ok<CheckInResponse>, ValidationProblem, ProblemHttpResult>> CheckInAsync(CheckInBody body, CheckInService door)
    {
        if (string.IsNullOrWhiteSpace(body.Code))
        {
            return Problems.Invalid("code", "Enter the ticket's code, as its QR code carries it.");
        }

        if (body.Door?.Length > CheckInService.MaxDoorLength)
        {
            return Problems.Invalid("door", $"A door's name is at most {CheckInService.MaxDoorLength} characters.");
        }

        return await door.CheckInAsync(body.Code, body.Door, body.ConcertId) switch
        {
            CheckInResult.Admitted { Ticket: var t } => TypedResults.Ok(new CheckInResponse(t.TicketId, t.ConcertId, t.Tier, t.Holder, t.CheckedInAt!.Value, t.Door, t.Seat)),
            CheckInResult.AlreadyAdmitted { Ticket: var t } => Problems.Conflict(
                "Already admitted.",
                $"This ticket was admitted at {t.CheckedInAt:u}{(t.Door is null ? "" : $" at {t.Door}")}.",
                new Dictionary<string, object?> { ["checkedInAt"] = t.CheckedInAt, ["door"] = t.Door }),
            CheckInResult.Cancelled => TypedResults.Problem(
                "This ticket was cancelled and refunded; it admits nobody.", statusCode: StatusCodes.Status410Gone, title: "Cancelled ticket."),
            CheckInResult.OtherConcert other => Problems.Conflict("Ticket for another concert.", $"This ticket is for {other.Concert}; it was not admitted."),
            _ => Problems.NotFound("No ticket has this code."),
        };
    }

    private static async Task<Results<Ok<TierCheckInsResponse[]>, ProblemHttpResult>> CheckInsAsync(Guid id, CheckInService door, HttpContext context)
    {
        var tiers = await door.GetAdmissionsAsync(id, context.RequestAborted);
        return tiers.Count == 0
            ? Problems.ConcertNotFound()
            : TypedResults.Ok(tiers.Select(t => new TierCheckInsResponse(t.Tier, t.Sold, t.Admitted)).ToArray());
    }
}
