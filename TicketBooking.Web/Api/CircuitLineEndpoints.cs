using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Api;

/// <summary>
/// The caller's place in this instance's line for a page with a live connection (the busy page, docs/scaling.md §5).
/// <see cref="State"/> is <c>waiting</c> (<see cref="Place"/>: 1 is next), <c>admitted</c> (a slot is kept for the caller
/// until <see cref="KeptUntil"/>: open the page now) or <c>none</c> (not in line: open the page, and wait again if asked).
/// </summary>
public sealed record CircuitLineResponse(string State, int? Place, int InLine, DateTimeOffset? KeptUntil)
{
    internal static CircuitLineResponse From(LineStatus status) => new(
        status.State switch { LineState.Waiting => "waiting", LineState.Admitted => "admitted", _ => "none" },
        status.Place, status.InLine, status.ReservedUntil);
}

/// <summary>The busy page's place in line, and the same pushed as it moves.</summary>
internal static class CircuitLineEndpoints
{
    public const string LineEvent = "line";

    /// <summary>A place is sent at most this often (each freed slot moves everyone); the turn itself goes out at once.</summary>
    public static readonly TimeSpan PlaceInterval = TimeSpan.FromSeconds(1);

    public static IEndpointRouteBuilder MapCircuitLineEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/circuits/line").WithTags("Busy page");
        group.MapGet("/", Get).WithSummary("Your place in line for a page with a live connection (the busy page's line)")
            .WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapGet("/stream", Stream).WithSummary("Server-sent events: 'line' with your place now, then as it moves, until your turn");
        return routes;
    }

    private static Ok<CircuitLineResponse> Get(CircuitSlots slots, HttpContext context) =>
        TypedResults.Ok(CircuitLineResponse.From(slots.StatusOf(CircuitGate.LineToken(context))));

    private static Results<ServerSentEventsResult<string>, ProblemHttpResult> Stream(
        CircuitSlots slots, FairUse fairUse, TimeProvider time, IOptions<JsonOptions> json, HttpContext context, CancellationToken cancellationToken)
    {
        if (EventStreams.Admit(context, fairUse) is { } refused)
        {
            return refused;
        }

        // While this stream is open the visitor keeps their place and may be given a slot.
        var token = CircuitGate.LineToken(context);
        if (slots.Watch(token) is not { } watch)
        {
            return Problems.NotFound("You are not in line. Open the page you wanted: if the site is still busy, you will be given a place.");
        }

        context.Response.RegisterForDispose(watch);
        EventStreams.MarkUnbuffered(context.Response);
        return TypedResults.ServerSentEvents(EventsAsync(slots, token!, watch, json.Value.SerializerOptions, time, context.Response, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        CircuitSlots slots, string token, CircuitSlots.LineWatch watch, JsonSerializerOptions json, TimeProvider time, HttpResponse response,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        CircuitLineResponse? sent = null;
        Task? quiet = null;
        while (true)
        {
            var version = slots.Version;
            var now = CircuitLineResponse.From(slots.StatusOf(token));
            if (now != sent)
            {
                sent = now;
                yield return new SseItem<string>(JsonSerializer.Serialize(now, json), LineEvent);
                if (now.State != "waiting")
                {
                    // The page leaves now: for the page it asked for, or to ask again.
                    yield break;
                }

                await Task.WhenAny(watch.LetIn, Task.Delay(PlaceInterval, time, cancellationToken));
            }

            // One keep-alive timer at a time, armed again only after it fires (see ConcertEndpoints.KeepingAliveAsync).
            quiet ??= Task.Delay(ConcertEndpoints.KeepAliveInterval, time, cancellationToken);
            if (await Task.WhenAny(watch.LetIn, slots.ChangedAfter(version), quiet) == quiet)
            {
                quiet = null;
                cancellationToken.ThrowIfCancellationRequested();
                await response.WriteAsync(": keep-alive\n\n", cancellationToken);
                await response.Body.FlushAsync(cancellationToken);
            }
        }
    }
}
