using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TicketBooking.Bench;

/// <summary>
/// A thin, allocation-light client of the API for load. Cookies are handled by hand (one shared connection pool,
/// many buyers): a request without a cookie is a new buyer, and the cookie it gets back identifies that buyer.
/// </summary>
internal sealed class TicketApi : IDisposable
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");
    private readonly HttpClient _http;

    /// <param name="localAddress">
    /// Connect from this loopback address (any of 127.0.0.0/8 works on Linux): one client address as the server sees it,
    /// without trusting any forwarded header.
    /// </param>
    /// <param name="followRedirects">False to see a redirect as it is (the busy page's 302), as the crowd scenario needs.</param>
    public TicketApi(Uri baseAddress, int connections, IPAddress? localAddress = null, TimeSpan? timeout = null, bool followRedirects = true)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = followRedirects,
            UseCookies = false,
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(30),
        };
        if (localAddress is not null)
        {
            handler.ConnectCallback = (context, cancellationToken) => ConnectFromAsync(localAddress, context.DnsEndPoint, cancellationToken);
        }

        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
    }

    /// <summary>A TCP connection to <paramref name="server"/> from <paramref name="localAddress"/>.</summary>
    public static async ValueTask<Stream> ConnectFromAsync(IPAddress localAddress, EndPoint server, CancellationToken cancellationToken)
    {
        var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(localAddress, 0));
            await socket.ConnectAsync(server, cancellationToken);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public HttpClient Http => _http;

    /// <summary>An answer; <see cref="ServedBy"/> is the instance a load balancer sent the request to (its X-Served-By), if any.</summary>
    public sealed record Reply(HttpStatusCode Status, string? Cookie, string Body, string? ServedBy = null);

    public async Task<Reply> SendAsync(HttpMethod method, string path, string? json = null, string? cookie = null, string? idempotencyKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            request.Content.Headers.ContentType = Json;
        }

        if (cookie is not null)
        {
            request.Headers.TryAddWithoutValidation("Cookie", cookie);
        }

        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).FirstOrDefault(v => v.StartsWith("tb_session=", StringComparison.Ordinal))
            : null;
        var servedBy = response.Headers.TryGetValues("X-Served-By", out var servers) ? servers.FirstOrDefault() : null;
        return new Reply(response.StatusCode, setCookie ?? cookie, body, servedBy);
    }

    /// <summary>A timed request: records its latency and classifies the status.</summary>
    public async Task<(Outcome Outcome, Reply? Reply)> TimedAsync(
        Latencies latencies, HttpMethod method, string path, string? json = null, string? cookie = null, string? idempotencyKey = null,
        HttpStatusCode success = HttpStatusCode.Created, HttpStatusCode? refused = HttpStatusCode.Conflict)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            var reply = await SendAsync(method, path, json, cookie, idempotencyKey);
            latencies.Add(start);
            var outcome = reply.Status == success ? Outcome.Success : reply.Status == refused ? Outcome.Refused : Outcome.Error;
            return (outcome, reply);
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException or IOException)
        {
            latencies.Add(start);
            return (Outcome.Error, null);
        }
    }

    /// <summary>A hold's body; with the waiting room's <paramref name="admission"/> when the sale has a room open.</summary>
    public static string HoldJson(Guid concertId, string tier, int quantity, string? admission = null) => admission is null
        ? $$"""{"concertId":"{{concertId}}","items":[{"tier":"{{tier}}","quantity":{{quantity}}}]}"""
        : $$"""{"concertId":"{{concertId}}","items":[{"tier":"{{tier}}","quantity":{{quantity}}}],"admission":{{JsonSerializer.Serialize(admission)}}}""";

    /// <summary>A body for an error message: its first 200 characters.</summary>
    public static string Shorten(string text) => text.Length <= 200 ? text : text[..200] + "…";

    public static string BookingJson(Guid concertId, string card = "4242 4242 4242 4242") =>
        $$$"""{"concertId":"{{{concertId}}}","buyer":{"name":"Bench Buyer","email":"bench@example.com"},"card":{"number":"{{{card}}}","expiry":"12/39","cvc":"123"}}""";

    /// <summary>Signs in as organizer and creates a concert with the given tiers; returns its id.</summary>
    public Task<Guid> CreateConcertAsync(string organizerPassword, params (string Code, long PriceCents, int Capacity)[] tiers) =>
        CreateConcertAsync(organizerPassword, null, tiers);

    /// <summary>As the overload without <paramref name="onSaleAt"/>, with a scheduled on-sale (and its waiting room) when it is set.</summary>
    public async Task<Guid> CreateConcertAsync(string organizerPassword, DateTimeOffset? onSaleAt, params (string Code, long PriceCents, int Capacity)[] tiers)
    {
        var organizer = await SignInAsync(organizerPassword);

        var concert = JsonSerializer.Serialize(new
        {
            name = $"Bench {Guid.NewGuid():N}",
            artist = "The Benchmarks",
            venue = "Loopback Arena",
            city = "Localhost",
            timeZone = "Europe/London",
            startsAt = DateTimeOffset.UtcNow.AddDays(30),
            description = "Created by the benchmark.",
            tiers = tiers.Select(t => new { code = t.Code, name = t.Code, priceCents = t.PriceCents, capacity = t.Capacity }),
            onSaleAt,
        });
        var created = await SendAsync(HttpMethod.Post, "/api/admin/concerts", concert, organizer);
        if (created.Status != HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating the concert failed: {created.Status} {created.Body}");
        }

        return JsonNode.Parse(created.Body)!["id"]!.GetValue<Guid>();
    }

    /// <summary>Signs the organizer in; returns the session cookie.</summary>
    public async Task<string?> SignInAsync(string organizerPassword)
    {
        var signIn = await SendAsync(HttpMethod.Post, "/api/admin/session", JsonSerializer.Serialize(new { password = organizerPassword }));
        return signIn.Status == HttpStatusCode.NoContent ? signIn.Cookie : throw new InvalidOperationException($"Organizer sign-in failed: {signIn.Status} {signIn.Body}");
    }

    /// <summary>Makes <paramref name="tier"/> a reserved tier of straight sections (labels <c>SECTION-ROW-NUMBER</c>, rows A, B, …).</summary>
    public async Task LayOutSeatsAsync(string organizerPassword, Guid concertId, string tier, params (string Name, int Rows, int SeatsPerRow)[] sections)
    {
        var organizer = await SignInAsync(organizerPassword);
        var plan = JsonSerializer.Serialize(new { sections = sections.Select(s => new { name = s.Name, rows = s.Rows, seatsPerRow = s.SeatsPerRow }), curved = false });
        var laidOut = await SendAsync(HttpMethod.Post, $"/api/admin/concerts/{concertId}/tiers/{tier}/layout/generate", plan, organizer);
        if (laidOut.Status != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"Laying out {tier} failed: {laidOut.Status} {laidOut.Body}");
        }
    }

    /// <summary>A hold of named seats of a reserved tier.</summary>
    public static string SeatHoldJson(Guid concertId, string tier, IEnumerable<string> seats) =>
        JsonSerializer.Serialize(new { concertId, items = new[] { new { tier, seats } } });

    /// <summary>
    /// A fresh buyer identity (its cookie), from a first request. A server at its concurrency limit sheds the request
    /// (503 with Retry-After) before it mints a cookie; the visitor comes back, as a browser's reload would.
    /// </summary>
    public async Task<string> NewBuyerAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var reply = await SendAsync(HttpMethod.Get, "/api/bookings");
            if (reply.Cookie is { } cookie)
            {
                return cookie;
            }

            if (reply.Status != HttpStatusCode.ServiceUnavailable || attempt == 20)
            {
                throw new InvalidOperationException($"No buyer cookie was issued: {reply.Status} {reply.Body}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt));
        }
    }

    public async Task<JsonNode> AvailabilityAsync(Guid concertId)
    {
        var reply = await SendAsync(HttpMethod.Get, $"/api/concerts/{concertId}/availability");
        return JsonNode.Parse(reply.Body)!;
    }

    public void Dispose() => _http.Dispose();
}
