using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Concerts;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Api;

public sealed record SignInBody(string? Password);

public sealed record TierBody(string? Code, string? Name, long? PriceCents, int? Capacity);

/// <summary><see cref="OnSaleAt"/>: when tickets go on sale (left out: at once).</summary>
public sealed record ConcertBody(
    string? Name, string? Artist, string? Venue, string? City, string? TimeZone, DateTimeOffset? StartsAt, string? Description,
    IReadOnlyList<TierBody?>? Tiers, DateTimeOffset? OnSaleAt = null);

public sealed record ConcertDetailsBody(
    string? Name, string? Artist, string? Venue, string? City, string? TimeZone, DateTimeOffset? StartsAt, string? Description, DateTimeOffset? OnSaleAt = null);

public sealed record CapacityBody(int? Capacity);

public sealed record TierSalesResponse(string Code, string Name, long PriceCents, int Capacity, int Sold, int Held, int Available, long RevenueCents);

public sealed record SalesResponse(Guid ConcertId, string Name, long Version, DateTimeOffset TakenAt, long RevenueCents, IReadOnlyList<TierSalesResponse> Tiers)
{
    public static SalesResponse From(SalesReport report) => new(
        report.ConcertId, report.Name, report.Version, report.TakenAt, report.RevenueCents,
        [.. report.Tiers.Select(t => new TierSalesResponse(t.Code, t.Name, t.PriceCents, t.Capacity, t.Sold, t.Held, t.Available, t.RevenueCents))]);
}

/// <summary>The organizer's API: sign-in, concerts and tiers, capacity, sales figures.</summary>
internal static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder routes)
    {
        var session = routes.MapGroup("/api/admin/session").WithTags("Organizer");
        session.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        session.MapPost("/", SignInAsync)
            .WithSummary("Sign in as organizer with the configured password (sets the session cookie)");
        session.MapDelete("/", (Delegate)SignOutAsync).WithSummary("Sign out as organizer; the buyer session stays");

        var group = routes.MapGroup("/api/admin/concerts").WithTags("Organizer").RequireAuthorization(OrganizerSession.Policy);
        group.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapPost("/", CreateAsync).WithSummary("Create a concert with its tiers");
        group.MapPut("/{id:guid}", UpdateDetailsAsync).WithSummary("Change a concert's details");
        group.MapPost("/{id:guid}/tiers", AddTierAsync).WithSummary("Add a tier");
        group.MapPut("/{id:guid}/tiers/{code}/capacity", SetCapacityAsync).WithSummary("Change a tier's capacity (never below sold + held)");
        group.MapGet("/{id:guid}/sales", GetSalesAsync).WithSummary("Sales per tier: capacity, sold, held, available, revenue");
        return routes;
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> SignInAsync(SignInBody body, OrganizerSession organizer, HttpContext context) =>
        await organizer.SignInAsync(context, body.Password) switch
        {
            SignInOutcome.SignedIn => TypedResults.NoContent(),
            SignInOutcome.NotConfigured => TypedResults.Problem("Organizer sign-in is not configured on this server (Organizer:Password).",
                statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in unavailable"),
            SignInOutcome.Limited limited => Problems.TooManyRequests(context, limited.Refusal),
            _ => TypedResults.Problem("The organizer password is not correct.", statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed"),
        };

    private static async Task<NoContent> SignOutAsync(OrganizerSession organizer, HttpContext context)
    {
        await organizer.SignOutAsync(context);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created<ConcertResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        ConcertBody body, ConcertAdmin admin)
    {
        var tiers = body.Tiers ?? [];
        var draft = new ConcertDraft(
            body.Name ?? "", body.Artist ?? "", body.Venue ?? "", body.City ?? "", body.TimeZone ?? "",
            body.StartsAt ?? default, body.Description,
            [.. tiers.Select(t => new TierDraft(t?.Code ?? "", t?.Name ?? "", t?.PriceCents ?? -1, t?.Capacity ?? 0))], body.OnSaleAt);
        return await admin.CreateAsync(draft) switch
        {
            AdminResult.Saved saved => TypedResults.Created($"/api/concerts/{saved.Concert.Id}", ConcertResponse.From(saved.Concert)),
            var other => Failure(other),
        };
    }

    private static async Task<Results<Ok<ConcertResponse>, ValidationProblem, ProblemHttpResult>> UpdateDetailsAsync(
        Guid id, ConcertDetailsBody body, ConcertAdmin admin)
    {
        var details = new ConcertDetails(
            body.Name ?? "", body.Artist ?? "", body.Venue ?? "", body.City ?? "", body.TimeZone ?? "", body.StartsAt ?? default, body.Description, body.OnSaleAt);
        return Saved(await admin.UpdateDetailsAsync(id, details));
    }

    private static async Task<Results<Created<ConcertResponse>, ValidationProblem, ProblemHttpResult>> AddTierAsync(
        Guid id, TierBody body, ConcertAdmin admin)
    {
        var tier = new TierDraft(body.Code ?? "", body.Name ?? "", body.PriceCents ?? -1, body.Capacity ?? 0);
        return await admin.AddTierAsync(id, tier) switch
        {
            AdminResult.Saved saved => TypedResults.Created($"/api/concerts/{saved.Concert.Id}", ConcertResponse.From(saved.Concert)),
            var other => Failure(other),
        };
    }

    private static async Task<Results<Ok<ConcertResponse>, ValidationProblem, ProblemHttpResult>> SetCapacityAsync(
        Guid id, string code, CapacityBody body, ConcertAdmin admin)
    {
        if (body.Capacity is not { } capacity)
        {
            return Problems.Invalid("capacity", "Give the new capacity.");
        }

        return Saved(await admin.SetCapacityAsync(id, code, capacity));
    }

    private static async Task<Results<Ok<SalesResponse>, ProblemHttpResult>> GetSalesAsync(Guid id, ConcertAdmin admin, CancellationToken cancellationToken) =>
        await admin.GetSalesAsync(id, cancellationToken) is { } report ? TypedResults.Ok(SalesResponse.From(report)) : Problems.ConcertNotFound();

    internal static Results<Ok<ConcertResponse>, ValidationProblem, ProblemHttpResult> Saved(AdminResult result) => result switch
    {
        AdminResult.Saved saved => TypedResults.Ok(ConcertResponse.From(saved.Concert)),
        AdminResult.Invalid invalid => Problems.Invalid(invalid.Errors),
        AdminResult.NotFound notFound => Problems.NotFound(notFound.Message),
        AdminResult.Conflict conflict => Problems.Conflict("Not possible right now.", conflict.Message),
        _ => throw new InvalidOperationException($"Unhandled admin result {result}"),
    };

    private static Results<Created<ConcertResponse>, ValidationProblem, ProblemHttpResult> Failure(AdminResult result) => result switch
    {
        AdminResult.Invalid invalid => Problems.Invalid(invalid.Errors),
        AdminResult.NotFound notFound => Problems.NotFound(notFound.Message),
        AdminResult.Conflict conflict => Problems.Conflict("Not possible right now.", conflict.Message),
        _ => throw new InvalidOperationException($"Unhandled admin result {result}"),
    };
}
