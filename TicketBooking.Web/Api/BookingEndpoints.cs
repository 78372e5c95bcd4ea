using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;
using TicketBooking.Web.Buyers;

namespace TicketBooking.Web.Api;

public sealed record BuyerBody(string? Name, string? Email);

public sealed record CardBody(string? Number, string? Expiry, string? Cvc);

/// <summary>
/// Pay for the caller's hold. <see cref="HoldId"/> and <see cref="ExpectedTotalCents"/> are optional: when given and the
/// hold has changed since the caller read it, nothing is charged and the answer is 409 "your checkout changed".
/// </summary>
public sealed record BookingBody(Guid? ConcertId, BuyerBody? Buyer, CardBody? Card, Guid? HoldId = null, long? ExpectedTotalCents = null);

public sealed record ClaimBody(string? Reference, string? Email);

/// <summary>Which tickets to cancel; all that are still valid when absent or empty.</summary>
public sealed record CancelBody(IReadOnlyList<Guid>? TicketIds);

/// <summary>A booked tier; on a seated tier <see cref="Seats"/> are its seats' labels (a cancelled ticket's seat included).</summary>
public sealed record BookingItemResponse(string Tier, int Quantity, long UnitPriceCents, IReadOnlyList<string>? Seats = null);

/// <summary>A ticket as its buyer sees it: <c>code</c> is what its QR code carries. Status: valid, checkedIn or cancelled.</summary>
public sealed record TicketResponse(Guid Id, string Tier, string Code, string Status, DateTimeOffset? CheckedInAt, string? Seat = null);

/// <summary>Status: confirmed, partiallyCancelled or cancelled; <c>refundedCents</c> went back to the card.</summary>
public sealed record BookingResponse(
    Guid Id, string Reference, Guid ConcertId, IReadOnlyList<BookingItemResponse> Items, long TotalCents, string Status, DateTimeOffset CreatedAt,
    IReadOnlyList<TicketResponse> Tickets, long RefundedCents)
{
    public static BookingResponse From(Booking booking) => new(
        booking.Id, booking.Reference, booking.Concert.Id,
        [.. booking.Items.Select(i => booking.Tickets.Where(t => t.Tier == i.Tier && t.Seat is not null).Select(t => t.Seat!).ToList() is { Count: > 0 } seats
            ? new BookingItemResponse(i.Tier, i.Quantity, i.UnitPriceCents, seats)
            : new BookingItemResponse(i.Tier, i.Quantity, i.UnitPriceCents))],
        booking.TotalCents, booking.Status, booking.CreatedAt,
        [.. booking.Tickets.Select(t => new TicketResponse(t.Id, t.Tier, t.Code, JsonNamingPolicy.CamelCase.ConvertName(t.Status.ToString()), t.CheckedInAt, t.Seat))],
        booking.RefundedCents);
}

/// <summary>Paying for held tickets, and the buyer's own bookings.</summary>
internal static class BookingEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapBookingEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/bookings").WithTags("Bookings").WithBuyerSession();
        group.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapPost("/", ConfirmAsync)
            .WithSummary("Pay for this buyer's hold; the Idempotency-Key header makes a retry return the same booking");
        group.MapPost("/claim", ClaimAsync)
            .WithSummary("Find my booking: bring the booking with this reference and e-mail into this browser's identity");
        group.MapGet("/", ListAsync).WithSummary("This buyer's bookings, newest first");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One of this buyer's bookings");
        group.MapPost("/{id:guid}/cancel", CancelAsync)
            .WithSummary("Cancel some or all tickets of this buyer's booking before the deadline, refunding them; the seats go back on sale");

        var organizer = routes.MapGroup("/api/admin/bookings").WithTags("Organizer").RequireAuthorization(OrganizerSession.Policy);
        organizer.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        organizer.MapPost("/{id:guid}/cancel", CancelAnyAsync).WithSummary("Cancel and refund some or all tickets of any booking, at any time");
        return routes;
    }

    private static async Task<Results<Created<BookingResponse>, ValidationProblem, ProblemHttpResult>> ConfirmAsync(
        BookingBody body,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        BuyerRequests requests,
        HttpContext context)
    {
        var request = new ConfirmRequest(
            body.ConcertId ?? Guid.Empty,
            new BuyerDetails(body.Buyer?.Name ?? "", body.Buyer?.Email ?? ""),
            new CardDetails(body.Card?.Number ?? "", body.Card?.Expiry ?? "", body.Card?.Cvc ?? ""),
            body.HoldId,
            body.ExpectedTotalCents);
        var (result, refused) = await requests.ConfirmAsync(context.Requester(), request, idempotencyKey);
        if (refused is not null)
        {
            return Problems.TooManyRequests(context, refused);
        }

        switch (result)
        {
            case ConfirmResult.Booked booked:
                return TypedResults.Created($"/api/bookings/{booked.Booking.Id}", BookingResponse.From(booked.Booking));
            case ConfirmResult.Invalid invalid:
                return Problems.Invalid(invalid.Errors);
            case ConfirmResult.PaymentFailed failed:
                // The message only: which check failed at the processor is not the caller's to know.
                return TypedResults.Problem(failed.Message, statusCode: StatusCodes.Status402PaymentRequired, title: "The payment did not go through.");
            case ConfirmResult.NoHold:
                return Problems.NotFound("You hold no tickets for this concert. Choose tickets again to check out.");
            case ConfirmResult.SoldOut:
                return Problems.Conflict("Sold out.", "Your hold expired and the tickets have gone to other buyers. Your card was not charged.");
            case ConfirmResult.AlreadyBooked already:
                return Problems.Conflict(
                    "Already booked.",
                    $"This checkout was already booked as {already.Booking.Reference}. This payment was not taken.",
                    new Dictionary<string, object?> { ["bookingId"] = already.Booking.Id, ["reference"] = already.Booking.Reference });
            case ConfirmResult.CheckoutChanged:
                return Problems.Conflict("Your checkout changed.", "The tickets in your checkout are not the ones you are paying for (they changed meanwhile). Your card was not charged; please review and pay again.");
            case ConfirmResult.InProgress:
                context.Response.Headers.RetryAfter = "1";
                return Problems.Conflict("Still processing.", "A payment for this checkout is still being processed. Retry shortly for its result.");
            case ConfirmResult.KeyReused:
                return Problems.Invalid("idempotencyKey", "This Idempotency-Key was already used for a different request. Use a new key for a new payment.");
            default:
                throw new InvalidOperationException($"Unhandled confirm result {result}");
        }
    }

    private static async Task<Results<Ok<BookingResponse>, ValidationProblem, ProblemHttpResult>> ClaimAsync(ClaimBody body, BuyerRequests requests, HttpContext context)
    {
        if (string.IsNullOrWhiteSpace(body.Reference) || string.IsNullOrWhiteSpace(body.Email))
        {
            return Problems.Invalid(new Dictionary<string, string[]>
            {
                ["reference"] = string.IsNullOrWhiteSpace(body.Reference) ? ["Enter the booking reference, like ABCD-2345."] : [],
                ["email"] = string.IsNullOrWhiteSpace(body.Email) ? ["Enter the e-mail address the booking was made with."] : [],
            }.Where(e => e.Value.Length > 0).ToDictionary());
        }

        var (booking, refused) = await requests.ClaimAsync(context.Requester(), body.Reference, body.Email);
        return refused is not null ? Problems.TooManyRequests(context, refused)
            : booking is not null ? TypedResults.Ok(BookingResponse.From(booking))
            : Problems.NotFound(BookingService.ClaimNotFoundMessage);
    }

    private static Task<Results<Ok<BookingResponse>, ValidationProblem, ProblemHttpResult>> CancelAsync(
        Guid id, CancelBody? body, CancellationService cancellations, HttpContext context) =>
        CancelAsAsync(new Canceller.Buyer(context.User.GetBuyerId()), id, body, cancellations, context);

    private static Task<Results<Ok<BookingResponse>, ValidationProblem, ProblemHttpResult>> CancelAnyAsync(
        Guid id, CancelBody? body, CancellationService cancellations, HttpContext context) =>
        CancelAsAsync(new Canceller.Organizer(), id, body, cancellations, context);

    private static async Task<Results<Ok<BookingResponse>, ValidationProblem, ProblemHttpResult>> CancelAsAsync(
        Canceller canceller, Guid id, CancelBody? body, CancellationService cancellations, HttpContext context) =>
        await cancellations.CancelAsync(canceller, id, body?.TicketIds, context.RequestAborted) switch
        {
            CancelResult.Cancelled cancelled => TypedResults.Ok(BookingResponse.From(cancelled.Booking)),
            CancelResult.Invalid invalid => Problems.Invalid(invalid.Errors),
            CancelResult.PastDeadline past => Problems.Conflict(
                "Too late to cancel.", $"Tickets could be cancelled until {past.Deadline:u}; the organizer can still help.",
                new Dictionary<string, object?> { ["deadline"] = past.Deadline }),
            CancelResult.NothingToCancel nothing => Problems.Conflict("Nothing to cancel.", nothing.Message),
            CancelResult.RefundFailed failed => TypedResults.Problem(failed.Message, statusCode: StatusCodes.Status502BadGateway, title: "The refund did not go through."),
            CancelResult.RefundPending => TypedResults.Problem(
                "The card processor has not answered yet. The tickets no longer admit anyone; the refund is finished shortly and you get an e-mail.",
                statusCode: StatusCodes.Status503ServiceUnavailable, title: "Refund in progress."),
            _ => Problems.NotFound("There is no booking with this id for you."),
        };

    private static async Task<Ok<BookingResponse[]>> ListAsync(BookingService bookings, HttpContext context) =>
        TypedResults.Ok((await bookings.ListAsync(context.User.GetBuyerId(), context.RequestAborted)).Select(BookingResponse.From).ToArray());

    private static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetAsync(Guid id, BookingService bookings, HttpContext context) =>
        await bookings.GetAsync(context.User.GetBuyerId(), id, context.RequestAborted) is { } booking
            ? TypedResults.Ok(BookingResponse.From(booking))
            : Problems.NotFound("There is no booking with this id for you.");
}
