using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Diagnostics;
using TicketBooking.Web.Identity;

namespace TicketBooking.Web.Api;

public sealed record TierResponse(string Code, string Name, long PriceCents, string Currency, int Capacity, int Sold, int Held, int Available)
{
    public static TierResponse From(Tier tier) =>
        new(tier.Code, tier.Name, tier.PriceCents, Tier.Currency, tier.Capacity, tier.Sold, tier.Held, tier.Available);
}

public sealed record ConcertResponse(
    Guid Id, string Name, string Artist, string Venue, string City, DateTimeOffset StartsAt, string TimeZone, string Description,
    IReadOnlyList<TierResponse> Tiers)
{
    public static ConcertResponse From(Concert concert) => new(
        concert.Id, concert.Name, concert.Artist, concert.Venue, concert.City, concert.StartsAt, concert.TimeZone, concert.Description,
        [.. concert.Tiers.Select(TierResponse.From)]);
}

public sealed record TierAvailabilityResponse(string Code, int Capacity, int Sold, int Held, int Available);

public sealed record AvailabilityResponse(Guid ConcertId, long Version, IReadOnlyList<TierAvailabilityResponse> Tiers)
{
    public static AvailabilityResponse From(AvailabilitySnapshot snapshot) => new(
        snapshot.ConcertId, snapshot.Version,
        [.. snapshot.Tiers.Select(t => new TierAvailabilityResponse(t.Code, t.Capacity, t.Sold, t.Held, t.Available))]);
}

/// <summary>Browsing: concerts, their tiers and live availability (also as a server-sent event stream).</summary>
internal static class ConcertEndpoints
{
    public const string AvailabilityEvent = "availability";

    /// <summary>Proxies close idle connections; a comment line this often keeps a quiet stream open.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly ReadOnlyMemory<byte> KeepAliveComment = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    // Every subscriber of a concert receives the same snapshot instance: serialize it once, not once per stream.
    private static readonly ConditionalWeakTable<AvailabilitySnapshot, string> Serialized = [];

    public static IEndpointRouteBuilder MapConcertEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/concerts").WithTags("Concerts").WithBuyerSession();
        group.MapGet("/", ListAsync).WithSummary("Upcoming concerts with their tiers and live counts");
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One concert");
        group.MapGet("/{id:guid}/availability", GetAvailabilityAsync).WithSummary("Live availability per tier, with a version");
        group.MapGet("/{id:guid}/availability/stream", StreamAvailabilityAsync)
            .WithSummary("Server-sent events: 'availability' with the current snapshot, then every change");
        return routes;
    }

    private static async Task<Ok<ConcertResponse[]>> ListAsync(ConcertCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok((await catalog.ListAsync(cancellationToken: cancellationToken)).Select(ConcertResponse.From).ToArray());

    private static async Task<Results<Ok<ConcertResponse>, ProblemHttpResult>> GetAsync(Guid id, ConcertCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(id, cancellationToken) is { } concert
            ? TypedResults.Ok(ConcertResponse.From(concert))
            : Problems.ConcertNotFound();

    private static async Task<Results<Ok<AvailabilityResponse>, ProblemHttpResult>> GetAvailabilityAsync(
        Guid id, ConcertCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAvailabilityAsync(id, cancellationToken) is { } snapshot
            ? TypedResults.Ok(AvailabilityResponse.From(snapshot))
            : Problems.ConcertNotFound();

    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> StreamAvailabilityAsync(
        Guid id, ConcertCatalog catalog, AvailabilityBroadcaster broadcaster, TicketBookingMetrics metrics, TimeProvider time, IOptions<JsonOptions> json,
        HttpContext context, CancellationToken cancellationToken)
    {
        // Subscribe before reading the current state, so no change between the two is missed;
        // the request owns the subscription, so a client that goes away is unsubscribed even before streaming starts.
        var subscription = broadcaster.Subscribe(id);
        context.Response.RegisterForDispose(subscription);
        var current = await catalog.GetAvailabilityAsync(id, cancellationToken);
        if (current is null)
        {
            subscription.Dispose();
            return Problems.ConcertNotFound();
        }

        metrics.StreamOpened();
        context.Response.RegisterForDispose(new OnDispose(metrics.StreamClosed));
        context.Response.Headers.CacheControl = "no-cache";
        context.Response.Headers["X-Accel-Buffering"] = "no";
        return TypedResults.ServerSentEvents(StreamAsync(subscription, current, json.Value.SerializerOptions, context.Response, time, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(
        AvailabilitySubscription subscription,
        AvailabilitySnapshot current,
        JsonSerializerOptions json,
        HttpResponse response,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = subscription;
        yield return Item(current, json);
        var version = current.Version;

        await using var updates = subscription.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var next = updates.MoveNextAsync().AsTask();
        while (true)
        {
            using (var quiet = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                var keepAlive = Task.Delay(KeepAliveInterval, time, quiet.Token);
                // When the client goes away the delay is cancelled; fall through to `next`, which then ends too
                // (the iterator must not be disposed while a MoveNextAsync is pending).
                if (await Task.WhenAny(next, keepAlive) == keepAlive && !keepAlive.IsCanceled)
                {
                    // SseItem cannot carry a comment. The formatter writes and flushes each item as it is yielded
                    // and is now waiting on this iterator, so the response stream is ours to write between items.
                    await response.Body.WriteAsync(KeepAliveComment, cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    continue;
                }

                await quiet.CancelAsync();
            }

            if (!await next)
            {
                yield break;
            }

            var snapshot = updates.Current;
            next = updates.MoveNextAsync().AsTask();
            if (snapshot.Version > version)
            {
                version = snapshot.Version;
                yield return Item(snapshot, json);
            }
        }
    }

    /// <summary>A string item is written as is; the JSON is the same camelCase the rest of the API uses.</summary>
    private static SseItem<string> Item(AvailabilitySnapshot snapshot, JsonSerializerOptions json) =>
        new(Serialized.GetValue(snapshot, s => JsonSerializer.Serialize(AvailabilityResponse.From(s), json)), AvailabilityEvent)
        {
            EventId = snapshot.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };

    private sealed class OnDispose(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
