using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using TicketBooking.Core;
using TicketBooking.Core.OnSale;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;
using TicketBooking.Web.Buyers;

namespace TicketBooking.Web.Api;

/// <summary>
/// The caller's place in a concert's waiting room (docs/architecture.md, "The on-sale and its waiting room"). <see cref="State"/> is <c>waiting</c>, <c>admitted</c>
/// (send <see cref="Admission"/> with <c>POST /api/holds</c> until <see cref="AdmissionExpiresAt"/>), <c>done</c> (booked or
/// released) or <c>expired</c>; POST again to get back in line. <see cref="Position"/> is null before the sale opens: then
/// everyone in the room is given a random place. <see cref="AsOf"/>: when the room was in this state. <see cref="TicketsLeft"/>
/// (while waiting): tickets neither sold nor held; at 0 nobody is let in until some come back.
/// </summary>
public sealed record QueueResponse(
    Guid ConcertId, string State, int? Position, int? AheadOfYou, int? EstimatedWaitSeconds, DateTimeOffset? AdmissionExpiresAt, string? Admission,
    DateTimeOffset OnSaleAt, int InLine, string Room, DateTimeOffset AsOf, int? TicketsLeft)
{
    public static QueueResponse From(QueueStatus status) => new(
        status.ConcertId, status.State.ToString().ToLowerInvariant(), status.Position, status.AheadOfYou, status.EstimatedWaitSeconds,
        status.AdmissionExpiresAt, status.Admission, status.OnSaleAt, status.InLine, Problems.RoomPage(status.ConcertId), status.AsOf, status.TicketsLeft);

    /// <summary>The same place, whatever the admission's text and the time of the reading.</summary>
    public QueueResponse Place() => this with { Admission = null, AsOf = default };
}

/// <summary>Getting in line for an on-sale, where you stand, and the same pushed as it changes.</summary>
internal static class QueueEndpoints
{
    public const string QueueEvent = "queue";

    public static IEndpointRouteBuilder MapQueueEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/concerts/{id:guid}/queue").WithTags("Waiting room").WithBuyerSession();
        group.MapPost("/", JoinAsync).WithSummary("Get in line for the concert's on-sale (again: keeps your place)").WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapGet("/", GetAsync).WithSummary("Your place in line, and your admission when it is your turn").WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapGet("/stream", StreamAsync).WithSummary("Server-sent events: 'queue' with your place now, then every change");
        return routes;
    }

    private static async Task<Results<Ok<QueueResponse>, ProblemHttpResult>> JoinAsync(Guid id, BuyerRequests requests, HttpContext context)
    {
        var (result, refused) = await requests.JoinQueueAsync(context.Requester(), id);
        return refused is not null ? Problems.TooManyRequests(context, refused) : result switch
        {
            JoinRoomResult.InLine inLine => TypedResults.Ok(QueueResponse.From(inLine.Status)),
            JoinRoomResult.NotOpenYet notYet => Problems.Conflict(
                "The waiting room is not open yet.",
                $"The waiting room opens at {notYet.OpensAt:u}; tickets go on sale at {notYet.OnSaleAt:u}. Everyone in the room by then gets a random place in line.",
                new Dictionary<string, object?> { ["opensAt"] = notYet.OpensAt, ["onSaleAt"] = notYet.OnSaleAt }),
            JoinRoomResult.NoRoom => Problems.Conflict("No waiting room.", "This concert's tickets are on sale without a waiting room: hold them with POST /api/holds."),
            JoinRoomResult.SalesClosed => Problems.Conflict("Sales have closed.", "This concert has started; tickets are no longer sold."),
            _ => Problems.ConcertNotFound(),
        };
    }

    private static async Task<Results<Ok<QueueResponse>, ProblemHttpResult>> GetAsync(Guid id, WaitingRoomService room, HttpContext context) =>
        await room.GetAsync(context.User.GetBuyerId(), id, context.RequestAborted) is { } status
            ? TypedResults.Ok(QueueResponse.From(status))
            : NotInLine();

    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> StreamAsync(
        Guid id, WaitingRoomService room, FairUse fairUse, TimeProvider time, IOptions<JsonOptions> json, HttpContext context, CancellationToken cancellationToken)
    {
        if (EventStreams.Admit(context, fairUse) is { } refused)
        {
            return refused;
        }

        // Subscribe before reading, so no change in between is missed; only the newest snapshot matters.
        var changes = Channel.CreateBounded<RoomSnapshot>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        var subscription = room.Hub.Subscribe(id, snapshot => changes.Writer.TryWrite(snapshot));
        context.Response.RegisterForDispose(subscription);
        var buyer = context.User.GetBuyerId();
        if (await room.GetAsync(buyer, id, cancellationToken) is not { } status)
        {
            subscription.Dispose();
            return NotInLine();
        }

        EventStreams.MarkUnbuffered(context.Response);
        return TypedResults.ServerSentEvents(EventsAsync(room, buyer, status, changes.Reader, json.Value.SerializerOptions, time, context.Response, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(
        WaitingRoomService room, BuyerId buyer, QueueStatus status, ChannelReader<RoomSnapshot> changes, JsonSerializerOptions json, TimeProvider time,
        HttpResponse response, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        yield return Item(status, json);
        var sent = QueueResponse.From(status).Place();
        var admittedThrough = -1L;
        while (true)
        {
            if (!await WaitOrKeepAliveAsync(changes, time, response, cancellationToken))
            {
                continue;
            }

            while (changes.TryRead(out var snapshot))
            {
                // Snapshots reach subscribers through the thread pool: never step back to an older one.
                if (snapshot.AdmittedThrough < admittedThrough)
                {
                    continue;
                }

                admittedThrough = snapshot.AdmittedThrough;
                status = await room.RefreshAsync(buyer, status, snapshot, cancellationToken);
                var next = QueueResponse.From(status).Place();
                if (next != sent)
                {
                    sent = next;
                    yield return Item(status, json);
                }
            }
        }
    }

    /// <summary>True when a change is ready; after <see cref="ConcertEndpoints.KeepAliveInterval"/> of quiet, writes a keep-alive comment and returns false.</summary>
    private static async Task<bool> WaitOrKeepAliveAsync(ChannelReader<RoomSnapshot> changes, TimeProvider time, HttpResponse response, CancellationToken cancellationToken)
    {
        using var quiet = new CancellationTokenSource(ConcertEndpoints.KeepAliveInterval, time);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, quiet.Token);
        try
        {
            return await changes.WaitToReadAsync(either.Token)
                ? true
                : throw new InvalidOperationException("A room's change channel is never completed while its stream runs.");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            await response.WriteAsync(": keep-alive\n\n", cancellationToken);
            await response.Body.FlushAsync(cancellationToken);
            return false;
        }
    }

    private static SseItem<string> Item(QueueStatus status, JsonSerializerOptions json) =>
        new(JsonSerializer.Serialize(QueueResponse.From(status), json), QueueEvent);

    private static ProblemHttpResult NotInLine() =>
        Problems.NotFound("You are not in line for this concert. POST to this address to get in line.");
}
