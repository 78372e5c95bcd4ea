using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Holds;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;
using TicketBooking.Web.Buyers;

namespace TicketBooking.Web.Api;

/// <summary>
/// One tier of a hold: a quantity, or on a seated tier the seats by label (their count is the quantity) or
/// <c>bestAvailable</c> with a quantity (what a quantity alone means there too); <c>accessible</c> asks for accessible seats.
/// </summary>
public sealed record HoldItemBody(string? Tier, int? Quantity, IReadOnlyList<string?>? Seats = null, bool? BestAvailable = null, bool? Accessible = null);

/// <summary><see cref="Admission"/>: while the concert's waiting room is open, the admission from <c>/api/concerts/{id}/queue</c>.</summary>
public sealed record HoldBody(Guid? ConcertId, IReadOnlyList<HoldItemBody?>? Items, string? Admission = null);

public sealed record HeartbeatBody(Guid? ConcertId, bool? Active, bool? Visible);

/// <summary>A held tier; on a seated tier <see cref="Seats"/> are the seats' labels and <see cref="Together"/> whether they sit side by side.</summary>
public sealed record HoldItemResponse(string Tier, int Quantity, IReadOnlyList<string>? Seats = null, bool? Together = null);

/// <summary>A checkout. <see cref="HoldId"/> and <see cref="TotalCents"/> are what a booking request may state it pays for.</summary>
public sealed record HoldResponse(Guid ConcertId, Guid HoldId, IReadOnlyList<HoldItemResponse> Items, long TotalCents, DateTimeOffset ExpiresAt)
{
    public static HoldResponse From(Hold hold) =>
        new(hold.ConcertId, hold.HoldId, [.. hold.Items.Select(i => i.Seats is null ? new HoldItemResponse(i.Tier, i.Quantity) : new HoldItemResponse(i.Tier, i.Quantity, i.Seats, i.Together))], hold.TotalCents, hold.ExpiresAt);
}

public sealed record HeartbeatResponse(DateTimeOffset ExpiresAt);

/// <summary>The buyer's checkout: hold tickets, keep them while active, let them go.</summary>
internal static class HoldEndpoints
{
    public static IEndpointRouteBuilder MapHoldEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/holds").WithTags("Holds").WithBuyerSession();
        group.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapPost("/", PlaceAsync)
            .WithSummary("Hold tickets for checkout (replaces this buyer's checkout for the concert); all tiers or none");
        group.MapGet("/{concertId:guid}", GetAsync).WithSummary("This buyer's active hold for a concert");
        group.MapPost("/heartbeat", HeartbeatAsync).WithSummary("Report checkout activity and tab visibility; renews or shrinks the hold");
        group.MapDelete("/{concertId:guid}", ReleaseAsync).WithSummary("Leave checkout: release the hold at once");
        return routes;
    }

    private static async Task<Results<Created<HoldResponse>, ValidationProblem, ProblemHttpResult>> PlaceAsync(
        HoldBody body, BuyerRequests requests, HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        if (body.ConcertId is not { } concertId || concertId == Guid.Empty)
        {
            errors["concertId"] = ["Choose a concert (concertId)."];
        }

        if (body.Items is not { Count: > 0 } items)
        {
            errors["items"] = ["Choose at least one tier and quantity (items)."];
        }
        else
        {
            // Only what the JSON's shape says; the rules on tiers, quantities and seats are the engine's (HoldService).
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is { Seats: { } seats } named)
                {
                    if (named.BestAvailable == true)
                    {
                        errors[$"items[{i}].seats"] = ["Name seats or ask for the best available, not both."];
                    }
                    else if (named.Quantity is { } quantity && quantity != seats.Count)
                    {
                        errors[$"items[{i}].quantity"] = [$"{seats.Count} seats were named for a quantity of {quantity}; leave the quantity out or make it match."];
                    }
                }
                else if (items[i] is { Quantity: null })
                {
                    errors[$"items[{i}].quantity"] = ["Give a quantity."];
                }
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid(errors);
        }

        var request = new HoldRequest(body.ConcertId!.Value, [.. body.Items!.Select(i => i?.Seats is { } seats
            ? new HoldItem(i.Tier?.Trim() ?? "", seats.Count, [.. seats.Select(s => s?.Trim() ?? "")], i.Accessible ?? false)
            : new HoldItem(i?.Tier?.Trim() ?? "", i?.Quantity ?? 0, null, i?.Accessible ?? false))], body.Admission);
        var (result, refused) = await requests.PlaceHoldAsync(context.Requester(), request);
        if (refused is not null)
        {
            return Problems.TooManyRequests(context, refused);
        }

        return result switch
        {
            HoldResult.Held held => TypedResults.Created($"/api/holds/{held.Hold.ConcertId}", HoldResponse.From(held.Hold)),
            HoldResult.NotEnoughTickets shortfall => Problems.NotEnoughTickets(shortfall),
            HoldResult.LimitExceeded limit => Problems.Invalid("items", limit.Message),
            HoldResult.BuyerLimitReached reached => Problems.Conflict(reached.Title, reached.Message,
                new Dictionary<string, object?> { ["tier"] = reached.Tier, ["maxPerBuyer"] = reached.Max, ["alreadyBought"] = reached.AlreadyBought }),
            HoldResult.Invalid invalid => Problems.Invalid(invalid.Errors),
            HoldResult.UnknownTiers unknown => Problems.Invalid("items", unknown.Message),
            HoldResult.SeatsTaken taken => Problems.Conflict(taken.Title, taken.Message, new Dictionary<string, object?> { ["seats"] = taken.Seats }),
            HoldResult.OrphanSeats orphans => Problems.Conflict(orphans.Title, orphans.Message,
                new Dictionary<string, object?> { ["seats"] = orphans.Seats, ["reason"] = "orphanSeat" }),
            HoldResult.ConcertNotFound => Problems.ConcertNotFound(),
            HoldResult.SalesClosed closed => Problems.Conflict(closed.Title, closed.Message),
            HoldResult.NotOnSaleYet notYet => Problems.NotOnSaleYet(request.ConcertId, notYet.OnSaleAt, notYet.Title, notYet.Message),
            HoldResult.AdmissionRequired notAdmitted => Problems.AdmissionRequired(request.ConcertId, notAdmitted.Reason),
            var other => throw new InvalidOperationException($"Unhandled hold result {other}"),
        };
    }

    private static async Task<Results<Ok<HoldResponse>, ProblemHttpResult>> GetAsync(Guid concertId, HoldService holds, HttpContext context) =>
        await holds.GetAsync(context.User.GetBuyerId(), concertId, context.RequestAborted) is { } hold
            ? TypedResults.Ok(HoldResponse.From(hold))
            : NoHold();

    private static async Task<Results<Ok<HeartbeatResponse>, ValidationProblem, ProblemHttpResult>> HeartbeatAsync(
        HeartbeatBody body, BuyerRequests requests, HttpContext context)
    {
        if (body.ConcertId is not { } concertId || concertId == Guid.Empty)
        {
            return Problems.Invalid("concertId", "Name the concert whose checkout is open (concertId).");
        }

        // A client that does not say otherwise is treated as idle and visible: no renewal, no shrinking.
        var (result, refused) = await requests.HeartbeatAsync(context.Requester(), concertId, body.Active ?? false, body.Visible ?? true);
        return refused is not null ? Problems.TooManyRequests(context, refused)
            : result is HeartbeatResult.Active active ? TypedResults.Ok(new HeartbeatResponse(active.ExpiresAt))
            : NoHold();
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> ReleaseAsync(Guid concertId, BuyerRequests requests, HttpContext context) =>
        await requests.ReleaseAsync(context.Requester(), concertId) ? TypedResults.NoContent() : NoHold();

    private static ProblemHttpResult NoHold() => Problems.NotFound("You hold no tickets for this concert (the hold may have expired).");
}
