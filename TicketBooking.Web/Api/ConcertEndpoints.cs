using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Diagnostics;
using TicketBooking.Web.Identity;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Api;

/// <summary>
/// A tier and its counts; <see cref="Reserved"/>: its tickets are seats, picked on <c>/api/concerts/{id}/seats</c> (docs/architecture.md, "Reserved seating").
/// <see cref="Waiting"/> people wait for it (docs/architecture.md, "The waiting list"), wanting <see cref="WaitingTickets"/>; <see cref="SetAside"/> returned
/// tickets are kept for them, not for sale: capacity = sold + held + setAside + available.
/// </summary>
public sealed record TierResponse(string Code, string Name, long PriceCents, string Currency, int Capacity, int Sold, int Held, int Available, bool Reserved = false,
    int Waiting = 0, int WaitingTickets = 0, int SetAside = 0)
{
    public static TierResponse From(Tier tier) =>
        new(tier.Code, tier.Name, tier.PriceCents, Tier.Currency, tier.Capacity, tier.Sold, tier.Held, tier.Available, tier.Reserved, tier.Waiting, tier.WaitingTickets, tier.SetAside);
}

/// <summary><see cref="OnSaleAt"/>: when tickets go on sale (null: on sale). Tickets of a concert with an on-sale are sold through its waiting room (docs/architecture.md, "The on-sale and its waiting room").</summary>
public sealed record ConcertResponse(
    Guid Id, string Name, string Artist, string Venue, string City, DateTimeOffset StartsAt, string TimeZone, string Description,
    IReadOnlyList<TierResponse> Tiers, DateTimeOffset? OnSaleAt = null)
{
    public static ConcertResponse From(Concert concert) => new(
        concert.Id, concert.Name, concert.Artist, concert.Venue, concert.City, concert.StartsAt, concert.TimeZone, concert.Description,
        [.. concert.Tiers.Select(TierResponse.From)], concert.OnSaleAt);
}

/// <summary>A tier's live counts; the waiting line's as in <see cref="TierResponse"/>.</summary>
public sealed record TierAvailabilityResponse(string Code, int Capacity, int Sold, int Held, int Available, int Waiting = 0, int WaitingTickets = 0, int SetAside = 0);

public sealed record AvailabilityResponse(Guid ConcertId, long Version, IReadOnlyList<TierAvailabilityResponse> Tiers)
{
    public static AvailabilityResponse From(AvailabilitySnapshot snapshot) => new(
        snapshot.ConcertId, snapshot.Version,
        [.. snapshot.Tiers.Select(t => new TierAvailabilityResponse(t.Code, t.Capacity, t.Sold, t.Held, t.Available, t.Waiting, t.WaitingTickets, t.SetAside))]);
}

/// <summary>Browsing: concerts, their tiers and live availability (also as a server-sent event stream).</summary>
internal static class ConcertEndpoints
{
    public const string AvailabilityEvent = "availability";

    /// <summary>On a concert with seats: the seats changed after <c>since</c>, as of <c>version</c> (apply when you hold <c>since</c> or later).</summary>
    public const string SeatsEvent = "seats";

    /// <summary>Proxies close idle connections; a comment line this often keeps a quiet stream open.</summary>
    public static readonly TimeSpan KeepAliveInterval = TimeSpan.FromSeconds(15);

    private static readonly ReadOnlyMemory<byte> KeepAliveComment = Encoding.UTF8.GetBytes(": keep-alive\n\n");

    // Every subscriber of a concert receives the same snapshot instance: serialize it once, not once per stream.
    private static readonly ConditionalWeakTable<AvailabilitySnapshot, StrongBox<SseItem<string>>> Serialized = [];
    private static readonly ConditionalWeakTable<AvailabilitySnapshot, string> SerializedSeats = [];

    public static IEndpointRouteBuilder MapConcertEndpoints(this IEndpointRouteBuilder routes)
    {
        var group = routes.MapGroup("/api/concerts").WithTags("Concerts").WithBuyerSession();
        group.MapGet("/", ListAsync).WithSummary("Upcoming concerts with their tiers and live counts").WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapGet("/{id:guid}", GetAsync).WithSummary("One concert").WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapGet("/{id:guid}/availability", GetAvailabilityAsync).WithSummary("Live availability per tier, with a version").WithRequestTimeout(LimitsSetup.ApiTimeoutPolicy);
        group.MapGet("/{id:guid}/availability/stream", StreamAvailabilityAsync)
            .WithSummary("Server-sent events: 'availability' with the current snapshot, then every change");
        group.MapGet("/availability/stream", StreamAllAvailabilityAsync)
            .WithSummary("Server-sent events: 'availability' for every upcoming concert, then every change of any concert");
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
        Guid id, ConcertCatalog catalog, SeatMaps seatMaps, AvailabilityBroadcaster broadcaster, FairUse fairUse, TicketBookingMetrics metrics, TimeProvider time,
        IOptions<JsonOptions> json, IOptions<LimitOptions> limits, HttpContext context, CancellationToken cancellationToken)
    {
        // A place among the open streams first (EventStreams.Admit).
        if (EventStreams.Admit(context, fairUse) is { } refused)
        {
            return refused;
        }

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
        EventStreams.MarkUnbuffered(context.Response);
        var stream = new StreamPlan(
            context.User.GetBuyerId(),
            seatMaps,
            LastEventId(context.Request),
            // A tenth either way, so viewers who arrived together do not all reconnect together.
            limits.Value.EventStreamLifetime * (0.9 + (0.2 * Random.Shared.NextDouble())),
            TimeSpan.FromMilliseconds(1_000 + Random.Shared.Next(4_000)));
        return TypedResults.ServerSentEvents(StreamAsync(subscription, current, stream, json.Value.SerializerOptions, context.Response, time, cancellationToken));
    }

    /// <summary>
    /// How one stream runs: the version the client already has (Last-Event-ID on a reconnect), how long it lasts before the
    /// server ends it, and the reconnection delay it tells the client.
    /// </summary>
    private sealed record StreamPlan(BuyerId Viewer, SeatMaps SeatMaps, long? LastEventId, TimeSpan Lifetime, TimeSpan Reconnect);

    private static long? LastEventId(HttpRequest request) =>
        long.TryParse(request.Headers["Last-Event-ID"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var version)
            ? version : null;

    private static async IAsyncEnumerable<SseItem<string>> StreamAsync(
        AvailabilitySubscription subscription,
        AvailabilitySnapshot current,
        StreamPlan plan,
        JsonSerializerOptions json,
        HttpResponse response,
        TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = subscription;
        using var lifetime = new CancellationTokenSource(plan.Lifetime, time);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lifetime.Token);

        // A reconnecting client that already has the current version gets only what changes from now on. One that claims a
        // version this server never reached (a database restored from backup) gets the current snapshot.
        var version = plan.LastEventId ?? -1;
        if (current.Version != version)
        {
            version = current.Version;
            yield return Item(current, json) with { ReconnectionInterval = plan.Reconnect };
        }
        else
        {
            // Nothing to send yet: send the headers now, so the client knows the stream is open.
            await response.Body.FlushAsync(cancellationToken);
        }

        await foreach (var snapshot in KeepingAliveAsync(subscription, response, time, ending.Token, cancellationToken))
        {
            if (snapshot.Version > version)
            {
                var since = version;
                version = snapshot.Version;
                yield return Item(snapshot, json);
                if (await SeatsItemAsync(snapshot, since, plan, json, cancellationToken) is { } seats)
                {
                    yield return seats;
                }
            }
        }
    }

    /// <summary>
    /// The subscription's snapshots as they come, with a keep-alive comment written to <paramref name="response"/> after
    /// every <see cref="KeepAliveInterval"/> of quiet; ends when <paramref name="ending"/> is cancelled (the client left or
    /// the stream's lifetime is up).
    /// </summary>
    private static async IAsyncEnumerable<AvailabilitySnapshot> KeepingAliveAsync(
        AvailabilitySubscription subscription, HttpResponse response, TimeProvider time, CancellationToken ending, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var updates = subscription.ReadAllAsync(ending).GetAsyncEnumerator(ending);
        var next = updates.MoveNextAsync().AsTask();
        Task? keepAlive = null;
        while (true)
        {
            if (!next.IsCompleted)
            {
                // One keep-alive timer at a time, armed again only after it fires: a timer made and cancelled for every
                // snapshot was lock contention on the runtime's timer queue with thousands of viewers (docs/performance.md).
                keepAlive ??= Task.Delay(KeepAliveInterval, time, ending);
                await Task.WhenAny(next, keepAlive);
                // When the client goes away or the lifetime is up the delay is cancelled; fall through to `next`, which
                // then ends too (the iterator must not be disposed while a MoveNextAsync is pending).
                if (!next.IsCompleted && keepAlive.IsCompletedSuccessfully)
                {
                    // SseItem cannot carry a comment. The formatter writes and flushes each item as it is yielded
                    // and is now waiting on this iterator, so the response stream is ours to write between items.
                    await response.Body.WriteAsync(KeepAliveComment, cancellationToken);
                    await response.Body.FlushAsync(cancellationToken);
                    keepAlive = null;
                    continue;
                }
            }

            if (!await next)
            {
                yield break;
            }

            var snapshot = updates.Current;
            next = updates.MoveNextAsync().AsTask();
            yield return snapshot;
        }
    }

    /// <summary>
    /// Every upcoming concert's availability, for a page that lists them (the concert list, docs/scaling.md §5): the current counts
    /// of each first, then each change of any concert, as <c>availability</c> events; one stream instead of one per concert
    /// (a browser opens at most six connections to a site over HTTP/1.1).
    /// </summary>
    private static async Task<Results<ServerSentEventsResult<string>, ProblemHttpResult>> StreamAllAvailabilityAsync(
        ConcertCatalog catalog, AvailabilityBroadcaster broadcaster, FairUse fairUse, TicketBookingMetrics metrics, TimeProvider time,
        IOptions<JsonOptions> json, IOptions<LimitOptions> limits, HttpContext context, CancellationToken cancellationToken)
    {
        if (EventStreams.Admit(context, fairUse) is { } refused)
        {
            return refused;
        }
        var subscription = broadcaster.SubscribeToAll();
        context.Response.RegisterForDispose(subscription);
        var now = time.GetUtcNow();
        var current = (await catalog.ListAsync(cancellationToken: cancellationToken))
            .Select(c => new AvailabilitySnapshot(c.Id, c.Version, now, [.. c.Tiers.Select(t =>
                new TierAvailability(t.Code, t.Capacity, t.Sold, t.Held, t.Reserved, t.SetAside, t.Waiting, t.WaitingTickets))]))
            .ToList();
        metrics.StreamOpened();
        context.Response.RegisterForDispose(new OnDispose(metrics.StreamClosed));
        EventStreams.MarkUnbuffered(context.Response);
        var lifetime = limits.Value.EventStreamLifetime * (0.9 + (0.2 * Random.Shared.NextDouble()));
        return TypedResults.ServerSentEvents(StreamAllAsync(subscription, current, lifetime, json.Value.SerializerOptions, context.Response, time, cancellationToken));
    }

    private static async IAsyncEnumerable<SseItem<string>> StreamAllAsync(
        AvailabilitySubscription subscription, List<AvailabilitySnapshot> current, TimeSpan lifetime, JsonSerializerOptions json, HttpResponse response, TimeProvider time,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var _ = subscription;
        using var ends = new CancellationTokenSource(lifetime, time);
        using var ending = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, ends.Token);
        var versions = new Dictionary<Guid, long>();
        foreach (var snapshot in current)
        {
            versions[snapshot.ConcertId] = snapshot.Version;
            yield return new SseItem<string>(JsonSerializer.Serialize(AvailabilityResponse.From(snapshot), json), AvailabilityEvent);
        }

        await foreach (var snapshot in KeepingAliveAsync(subscription, response, time, ending.Token, cancellationToken))
        {
            if (snapshot.Version > versions.GetValueOrDefault(snapshot.ConcertId, -1))
            {
                versions[snapshot.ConcertId] = snapshot.Version;
                yield return Item(snapshot, json);
            }
        }
    }

    /// <summary>
    /// The seats a snapshot changed, as this viewer sees them; when the viewer's stream skipped versions (snapshots are
    /// coalesced under load) the seats changed since the last one it sent, read from the database. Null without seats.
    /// </summary>
    private static async Task<SseItem<string>?> SeatsItemAsync(AvailabilitySnapshot snapshot, long since, StreamPlan plan, JsonSerializerOptions json, CancellationToken cancellationToken)
    {
        if (!snapshot.Tiers.Any(t => t.Reserved))
        {
            return null;
        }

        if (snapshot.Version == since + 1 && snapshot.SeatChanges is { } changes)
        {
            if (changes.Count == 0)
            {
                return null;
            }

            // Everyone but the holder sees the same delta: serialize it once per snapshot.
            var personal = changes.Any(c => c.HeldBy == plan.Viewer.Value);
            var data = personal
                ? JsonSerializer.Serialize(new SeatChangesResponse(snapshot.ConcertId, since, snapshot.Version, [.. changes.Select(c => new SeatChangeResponse(c.Label, SeatStatusNames.Of(c.For(plan.Viewer))))]), json)
                : SerializedSeats.GetValue(snapshot, s => JsonSerializer.Serialize(new SeatChangesResponse(s.ConcertId, since, s.Version, [.. s.SeatChanges!.Select(c => new SeatChangeResponse(c.Label, SeatStatusNames.Of(c.Status)))]), json));
            return SeatsItem(data, snapshot.Version);
        }

        if (await plan.SeatMaps.GetAsync(snapshot.ConcertId, plan.Viewer, since, cancellationToken) is not { } map)
        {
            return null;
        }

        return SeatsItem(JsonSerializer.Serialize(new SeatChangesResponse(map.ConcertId, since, map.Version, [.. map.Seats.Select(s => new SeatChangeResponse(s.Label, SeatStatusNames.Of(s.Status)))]), json), snapshot.Version);
    }

    private static SseItem<string> SeatsItem(string data, long version) =>
        new(data, SeatsEvent) { EventId = version.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>A string item is written as is; the JSON is the same camelCase the rest of the API uses.</summary>
    private static SseItem<string> Item(AvailabilitySnapshot snapshot, JsonSerializerOptions json) =>
        Serialized.GetValue(snapshot, s => new StrongBox<SseItem<string>>(new(JsonSerializer.Serialize(AvailabilityResponse.From(s), json), AvailabilityEvent)
        {
            EventId = s.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })).Value;

    private sealed class OnDispose(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
