using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using TicketBooking.Web.Limits;
using TicketBooking.Web.Tickets;

namespace TicketBooking.Web.Api;

/// <summary>Registers and maps the JSON API (README, "HTTP API").</summary>
internal static class ApiSetup
{
    /// <summary>The largest API request body accepted; the biggest legitimate one (a concert with ten tiers) is a few KB.</summary>
    public const long MaxRequestBodyBytes = 32 * 1024;

    /// <summary>An organizer's seat layout upload (up to 20,000 seats) is the one larger body the API takes.</summary>
    public const long MaxLayoutBodyBytes = 4 * 1024 * 1024;

    public static IServiceCollection AddTicketBookingApi(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();

        // Binding failures (bad JSON, wrong types) become exceptions that ApiExceptionHandler words as problem details.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(o =>
        {
            var json = o.SerializerOptions;
            json.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            json.NumberHandling = JsonNumberHandling.Strict;
            json.MaxDepth = 16;
        });

        services.AddSingleton<SeatMapBodies>();
        services.AddTicketBookingOverloadShedding();
        services.AddTicketBookingLimits();
        services.AddOpenApi(openApi => openApi.AddOperationTransformer((operation, context, _) =>
        {
            var key = $"{context.Description.HttpMethod} /{context.Description.RelativePath?.TrimEnd('/')}";
            if (RequestExamples.TryGetValue(key, out var example) && operation.RequestBody?.Content?.TryGetValue("application/json", out var media) == true)
            {
                media.Example = JsonNode.Parse(example);
            }

            return Task.CompletedTask;
        }));
        return services;
    }

    public static bool IsApi(this HttpRequest request) => request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);

    /// <summary>The largest body this API request may have: its route's own limit (a layout upload's), else the API's.</summary>
    public static long MaxBodyBytes(this HttpRequest request) => SeatEndpoints.IsLayoutUpload(request) ? MaxLayoutBodyBytes : MaxRequestBodyBytes;

    /// <summary>413, worded for the person who sent it.</summary>
    public static IResult BodyTooLarge(long max) => TypedResults.Problem(
        $"The request body is too large (at most {(max >= 1024 * 1024 ? $"{max / (1024 * 1024)} MB" : $"{max / 1024} KB")}). Nothing was changed.",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Request too large");

    /// <summary>API requests get problem details for bare status codes and a bounded body.</summary>
    public static IApplicationBuilder UseApiConventions(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.IsApi(), api =>
        {
            api.UseStatusCodePages();
            api.Use((context, next) =>
            {
                var max = context.Request.MaxBodyBytes();
                if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
                {
                    // Kestrel's own limit leaves room to read past the route's and throw the rest away, so that a client
                    // still sending gets its 413 rather than a reset connection (RequestBodyDeadline).
                    limit.MaxRequestBodySize = max + (max / 2);
                }

                if (context.Request.ContentLength > max)
                {
                    return Problems.Write(context, BodyTooLarge(max));
                }

                return next(context);
            });
        });

    public static WebApplication MapTicketBookingApi(this WebApplication app)
    {
        app.MapConcertEndpoints();
        app.MapHoldEndpoints();
        app.MapBookingEndpoints();
        app.MapWaitlistEndpoints();
        app.MapQueueEndpoints();
        app.MapCircuitLineEndpoints();
        app.MapAdminEndpoints();
        app.MapSeatEndpoints();
        app.MapTicketEndpoints();
        if (app.Environment.IsDevelopment())
        {
            app.MapOpenApi();
        }

        return app;
    }

    private static readonly Dictionary<string, string> RequestExamples = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST /api/holds"] = """{ "concertId": "0199a3b0-0000-7000-8000-000000000001", "items": [ { "tier": "VIP", "quantity": 2 }, { "tier": "GA", "quantity": 1 } ] }""",
        ["POST /api/holds/heartbeat"] = """{ "concertId": "0199a3b0-0000-7000-8000-000000000001", "active": true, "visible": true }""",
        ["POST /api/bookings"] = """{ "concertId": "0199a3b0-0000-7000-8000-000000000001", "buyer": { "name": "Ada Lovelace", "email": "ada@example.com" }, "card": { "number": "4242 4242 4242 4242", "expiry": "12/30", "cvc": "123" } }""",
        ["POST /api/admin/session"] = """{ "password": "the Organizer:Password value" }""",
        ["POST /api/admin/concerts"] = """{ "name": "Summer Nights", "artist": "The Examples", "venue": "Riverside Arena", "city": "Berlin", "timeZone": "Europe/Berlin", "startsAt": "2027-07-01T18:00:00Z", "description": "An open-air evening.", "tiers": [ { "code": "VIP", "name": "VIP", "priceCents": 10000, "capacity": 100 }, { "code": "GA", "name": "General Admission", "priceCents": 1000, "capacity": 1000 } ] }""",
        ["PUT /api/admin/concerts/{id}/tiers/{code}/capacity"] = """{ "capacity": 150 }""",
    };
}
