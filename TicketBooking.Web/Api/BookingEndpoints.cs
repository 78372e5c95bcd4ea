using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;
using TicketBooking.Web.Identity;

namespace TicketBooking.Web.Api;

public sealed record BuyerBody(string? Name, string? Email);

public sealed record CardBody(string? Number, string? Expiry, string? Cvc);

public sealed record BookingBody(Guid? ConcertId, BuyerBody? Buyer, CardBody? Card);

public sealed record BookingItemResponse(string Tier, int Quantity, long UnitPriceCents);

public sealed record BookingResponse(
    Guid Id, string Reference, Guid ConcertId, IReadOnlyList<BookingItemResponse> Items, long TotalCents, string Status, DateTimeOffset CreatedAt)
{
    public static BookingResponse From(Booking booking) => new(
        booking.Id, booking.Reference, booking.Concert.Id,
        [.. booking.Items.Select(i => new BookingItemResponse(i.Tier, i.Quantity, i.UnitPriceCents))],
        booking.TotalCents, booking.Status, booking.CreatedAt);
}

/// <summary>Paying for held tickets, and the buyer's own bookings.</summary>
internal static class BookingEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapBookingEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/bookings").WithTags("Bookings").WithBuyerSession();
        group.MapPost("/", ConfirmAsync).RequireRateLimiting(RateLimits.BookingsPolicy)
            .WithSummary("Pay for this buyer's hold; the Idempotency-Key header makes a retry return the same booking");
        group.MapGet("/", ListAsync).WithSummary("This buyer's bookings, newest first");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One of this buyer's bookings");
        return routes;
    }

    private static async Task<Results<Created<BookingResponse>, ValidationProblem, ProblemHttpResult>> ConfirmAsync(
        BookingBody body,
        [FromHeader(Name = IdempotencyKeyHeader)] string? idempotencyKey,
        BookingService bookings,
        HttpContext context)
    {
        var request = new ConfirmRequest(
            body.ConcertId ?? Guid.Empty,
            new BuyerDetails(body.Buyer?.Name ?? "", body.Buyer?.Email ?? ""),
            new CardDetails(body.Card?.Number ?? "", body.Card?.Expiry ?? "", body.Card?.Cvc ?? ""));
        var result = await bookings.ConfirmAsync(context.User.GetBuyerId(), request, idempotencyKey);
        switch (result)
        {
            case ConfirmResult.Booked booked:
                return TypedResults.Created($"/api/bookings/{booked.Booking.Id}", BookingResponse.From(booked.Booking));
            case ConfirmResult.Invalid invalid:
                return Problems.Invalid(invalid.Errors);
            case ConfirmResult.PaymentFailed failed:
                return TypedResults.Problem(
                    failed.Message,
                    statusCode: StatusCodes.Status402PaymentRequired,
                    title: "The payment did not go through.",
                    extensions: new Dictionary<string, object?> { ["reason"] = failed.Reason.ToString() });
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
                return Problems.Conflict("The checkout changed.", "The tickets in your checkout changed while paying. Your card was not charged; please review and pay again.");
            case ConfirmResult.InProgress:
                context.Response.Headers.RetryAfter = "1";
                return Problems.Conflict("Still processing.", "A payment with this Idempotency-Key is still being processed. Retry shortly for its result.");
            case ConfirmResult.KeyReused:
                return Problems.Invalid("idempotencyKey", "This Idempotency-Key was already used for a different request. Use a new key for a new payment.");
            default:
                throw new InvalidOperationException($"Unhandled confirm result {result}");
        }
    }

    private static async Task<Ok<BookingResponse[]>> ListAsync(BookingService bookings, HttpContext context) =>
        TypedResults.Ok((await bookings.ListAsync(context.User.GetBuyerId(), context.RequestAborted)).Select(BookingResponse.From).ToArray());

    private static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetAsync(Guid id, BookingService bookings, HttpContext context) =>
        await bookings.GetAsync(context.User.GetBuyerId(), id, context.RequestAborted) is { } booking
            ? TypedResults.Ok(BookingResponse.From(booking))
            : Problems.NotFound("There is no booking with this id for you.");
}
