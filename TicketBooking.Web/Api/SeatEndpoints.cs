using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using TicketBooking.Core;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Seating;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Api;

public sealed record SeatResponse(string Label, string Tier, string Section, string Row, int Number, double X, double Y, bool Accessible, string Status);

/// <summary>A seat map (docs/architecture.md, "Reserved seating"). With <c>?since=</c>, <see cref="Complete"/> is false and only changed seats are listed.</summary>
public sealed record SeatMapResponse(Guid ConcertId, long Version, bool Complete, IReadOnlyList<SeatResponse> Seats)
{
    public static SeatMapResponse From(SeatMap map) => new(map.ConcertId, map.Version, map.Complete, [.. map.Seats.Select(s =>
        new SeatResponse(s.Label, s.Tier, s.Section, s.Row, s.Number, s.X, s.Y, s.Accessible, SeatStatusNames.Of(s.Status)))]);
}

/// <summary>One seat's change as the availability stream's <c>seats</c> event carries it.</summary>
public sealed record SeatChangeResponse(string Label, string Status);

/// <summary>The seats changed after <see cref="Since"/>, as of <see cref="Version"/>: apply to a map at <see cref="Since"/> or later, else fetch <c>?since=</c>.</summary>
public sealed record SeatChangesResponse(Guid ConcertId, long Since, long Version, IReadOnlyList<SeatChangeResponse> Seats);

public sealed record SectionBody(string? Name, int? Rows, int? SeatsPerRow);

public sealed record GenerateLayoutBody(IReadOnlyList<SectionBody?>? Sections, bool? Curved);

public sealed record SeatFlagsBody(IReadOnlyList<string?>? Seats, bool? Accessible, bool? NotForSale);

/// <summary>The statuses' names on the wire: <c>available | taken | yours | notForSale</c>.</summary>
public static class SeatStatusNames
{
    public static string Of(SeatStatus status) => status switch
    {
        SeatStatus.Available => "available",
        SeatStatus.Taken => "taken",
        SeatStatus.Yours => "yours",
        SeatStatus.NotForSale => "notForSale",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };
}

/// <summary>Seat maps for buyers; layouts and seat flags for organizers.</summary>
internal static class SeatEndpoints
{
    public static bool IsLayoutUpload(HttpRequest request) =>
        HttpMethods.IsPut(request.Method) && request.Path.StartsWithSegments("/api/admin/concerts", StringComparison.OrdinalIgnoreCase)
        && request.Path.Value!.EndsWith("/layout", StringComparison.OrdinalIgnoreCase);

    public static IEndpointRouteBuilder MapSeatEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapGroup("/api/concerts").WithTags("Concerts").WithBuyerSession()
            .MapGet("/{id:guid}/seats", GetAsync)
            .WithSummary("The seat map: every seat with its status (yours, taken, available, not for sale); ?since={version} for the seats changed after it")
            .WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);

        var admin = routes.MapGroup("/api/admin/concerts").WithTags("Organizer").RequireAuthorization(OrganizerSession.Policy);
        admin.WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        admin.MapPut("/{id:guid}/tiers/{code}/layout", UploadLayoutAsync)
            .WithSummary("Make a tier seated with an uploaded layout ({\"seats\":[{section,row,number,x,y,accessible,notForSale}]}); seats with buyers must stay");
        admin.MapPost("/{id:guid}/tiers/{code}/layout/generate", GenerateLayoutAsync)
            .WithSummary("Make a tier seated with generated sections of rows (straight or curved); seats with buyers must stay");
        admin.MapPost("/{id:guid}/seats/flags", SetFlagsAsync).WithSummary("Mark seats accessible or not for sale (a taken seat stays for sale)");
        return routes;
    }

    /// <summary>
    /// A delta (<c>?since=</c>) is read for the caller. A whole map is the one serialized for everybody at this version,
    /// with the caller's own seats written as theirs, behind an ETag (a repeat with <c>If-None-Match</c> is 304); sending
    /// one counts against the caller's address (<c>Limits:SeatMapsPerMinutePerAddress</c>).
    /// </summary>
    private static async Task<Results<SeatMapResult, StatusCodeHttpResult, Ok<SeatMapResponse>, ValidationProblem, ProblemHttpResult>> GetAsync(
        Guid id, long? since, SeatMaps maps, SeatMapBodies bodies, FairUse fairUse, HttpContext context, CancellationToken cancellationToken)
    {
        if (since is < 0)
        {
            return Problems.Invalid("since", "Give a version from an earlier answer (0 or more).");
        }

        var viewer = context.User.GetBuyerId();
        if (since is not null)
        {
            return await maps.GetAsync(id, viewer, since, cancellationToken) is { } delta ? TypedResults.Ok(SeatMapResponse.From(delta)) : Problems.ConcertNotFound();
        }

        // A request that cannot be answered 304 is a whole map: refused before the database is asked anything.
        var cached = context.Request.GetTypedHeaders().IfNoneMatch;
        var revalidating = cached.Count > 0;
        if (!revalidating && await fairUse.SeatMapAsync(ClientAddress.Of(context)) is { } refused)
        {
            return Problems.TooManyRequests(context, refused);
        }

        if (await maps.SharedAsync(id, cancellationToken) is not { } shared)
        {
            return Problems.ConcertNotFound();
        }

        var own = await maps.OwnSeatsAsync(id, viewer, cancellationToken);
        var body = bodies.For(shared);
        var etag = body.ETag(own);
        if (revalidating)
        {
            if (cached.Any(tag => tag.Equals(EntityTagHeaderValue.Any) || tag.Compare(etag, useStrongComparison: false)))
            {
                Validators(context.Response, etag);
                return TypedResults.StatusCode(StatusCodes.Status304NotModified);
            }

            if (await fairUse.SeatMapAsync(ClientAddress.Of(context)) is { } refusedAfterAll)
            {
                return Problems.TooManyRequests(context, refusedAfterAll);
            }
        }

        if (!body.Covers(own))
        {
            // The caller's seats were held after this version was read: their own exact map, once.
            return await maps.GetAsync(id, viewer, null, cancellationToken) is { } map ? TypedResults.Ok(SeatMapResponse.From(map)) : Problems.ConcertNotFound();
        }

        Validators(context.Response, etag);
        return new SeatMapResult(body, own);
    }

    /// <summary>Caches may keep the map but must ask each time (the seats change every second of an on-sale).</summary>
    private static void Validators(HttpResponse response, EntityTagHeaderValue etag)
    {
        response.Headers.CacheControl = "private, no-cache";
        response.Headers.Vary = "Accept-Encoding";
        response.Headers.ETag = etag.ToString();
    }

    /// <summary>A whole seat map written from its shared bytes.</summary>
    internal sealed class SeatMapResult(SeatMapBody body, IReadOnlyList<string> own) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            ArgumentNullException.ThrowIfNull(httpContext);
            var gzip = httpContext.Request.GetTypedHeaders().AcceptEncoding.Any(e => e.Value.Equals("gzip", StringComparison.OrdinalIgnoreCase) && (e.Quality ?? 1) > 0);
            return body.WriteAsync(httpContext.Response, own, gzip, httpContext.RequestAborted);
        }
    }

    private static async Task<Results<Ok<ConcertResponse>, ValidationProblem, ProblemHttpResult>> UploadLayoutAsync(
        Guid id, string code, SeatingAdmin seating, HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var json = await reader.ReadToEndAsync(context.RequestAborted);
        return AdminEndpoints.Saved(await seating.SetLayoutAsync(id, code, SeatLayouts.Parse(json)));
    }

    private static async Task<Results<Ok<ConcertResponse>, ValidationProblem, ProblemHttpResult>> GenerateLayoutAsync(
        Guid id, string code, GenerateLayoutBody body, SeatingAdmin seating)
    {
        if (body.Sections is not { Count: > 0 } sections || sections.Any(s => string.IsNullOrWhiteSpace(s?.Name) || s.Rows is null || s.SeatsPerRow is null))
        {
            return Problems.Invalid("sections", "Give each section a name, a number of rows and seats per row.");
        }

        var plan = new LayoutPlan([.. sections.Select(s => new SectionPlan(s!.Name!.Trim(), s.Rows!.Value, s.SeatsPerRow!.Value))], body.Curved ?? false);
        return AdminEndpoints.Saved(await seating.SetLayoutAsync(id, code, SeatLayouts.Generate(plan)));
    }

    private static async Task<Results<Ok<ConcertResponse>, ValidationProblem, ProblemHttpResult>> SetFlagsAsync(
        Guid id, SeatFlagsBody body, SeatingAdmin seating)
    {
        if (body.Seats is not { Count: > 0 } seats || seats.Any(string.IsNullOrWhiteSpace))
        {
            return Problems.Invalid("seats", "Name the seats by label, for example A-C-12.");
        }

        return AdminEndpoints.Saved(await seating.SetFlagsAsync(id, [.. seats.Select(s => s!.Trim())], body.Accessible, body.NotForSale));
    }
}
