using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using TicketBooking.Core.Availability;
using TicketBooking.Core.Concerts;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Support;

/// <summary>One API client with its own cookie jar: one buyer, as a partner integration would be.</summary>
public sealed class ApiBuyer(HttpClient client) : IDisposable
{
    private bool _hasSession;

    public const string ApprovedCard = "4242 4242 4242 4242";
    public const string DeclinedCard = "4000 0000 0000 0002";

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public HttpClient Client { get; } = client;

    public static ApiBuyer For(TicketBookingApp app) => new(app.CreateBuyerClient());

    public async Task<ConcertResponse> FirstConcertAsync() =>
        (await Client.GetFromJsonAsync<ConcertResponse[]>("/api/concerts", Json))![0];

    public async Task<AvailabilityResponse> AvailabilityAsync(Guid concertId) =>
        (await Client.GetFromJsonAsync<AvailabilityResponse>($"/api/concerts/{concertId}/availability", Json))!;

    /// <summary>
    /// A buyer starts where a browser does: a GET that sets the session cookie. Writes without one are refused (401),
    /// so every write below makes sure of it first.
    /// </summary>
    public async Task StartSessionAsync()
    {
        if (!_hasSession)
        {
            using var response = await Client.GetAsync(new Uri("/api/concerts", UriKind.Relative));
            response.EnsureSuccessStatusCode();
            _hasSession = true;
        }
    }

    public async Task<HttpResponseMessage> HoldAsync(Guid concertId, params (string Tier, int Quantity)[] items)
    {
        await StartSessionAsync();
        return await Client.PostAsJsonAsync("/api/holds", new { concertId, items = items.Select(i => new { tier = i.Tier, quantity = i.Quantity }) });
    }

    /// <summary>A hold carrying a waiting-room admission (docs/architecture.md, "The on-sale and its waiting room").</summary>
    public async Task<HttpResponseMessage> HoldAsync(Guid concertId, string? admission, params (string Tier, int Quantity)[] items)
    {
        await StartSessionAsync();
        return await Client.PostAsJsonAsync("/api/holds", new { concertId, items = items.Select(i => new { tier = i.Tier, quantity = i.Quantity }), admission });
    }

    /// <summary>Gets in line for the concert's on-sale.</summary>
    public async Task<HttpResponseMessage> JoinQueueAsync(Guid concertId)
    {
        await StartSessionAsync();
        return await Client.PostAsync(new Uri($"/api/concerts/{concertId}/queue", UriKind.Relative), null);
    }

    public async Task<QueueResponse> QueueAsync(Guid concertId) =>
        (await Client.GetFromJsonAsync<QueueResponse>(new Uri($"/api/concerts/{concertId}/queue", UriKind.Relative), Json))!;

    public async Task<HttpResponseMessage> HeartbeatAsync(Guid concertId, bool active = true, bool visible = true)
    {
        await StartSessionAsync();
        return await Client.PostAsJsonAsync("/api/holds/heartbeat", new { concertId, active, visible });
    }

    public async Task<HttpResponseMessage> ReleaseAsync(Guid concertId)
    {
        await StartSessionAsync();
        return await Client.DeleteAsync(new Uri($"/api/holds/{concertId}", UriKind.Relative));
    }

    public async Task<HttpResponseMessage> ConfirmAsync(Guid concertId, string idempotencyKey, string card = ApprovedCard)
    {
        await StartSessionAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings")
        {
            Content = JsonContent.Create(new
            {
                concertId,
                buyer = new { name = "Ada Lovelace", email = "ada@example.com" },
                card = new { number = card, expiry = "12/39", cvc = "123" },
            }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await Client.SendAsync(request);
    }

    /// <summary>Holds and pays for <paramref name="items"/>: the booking, with its tickets.</summary>
    public Task<BookingResponse> BookAsync(Guid concertId, params (string Tier, int Quantity)[] items) => BookWithAsync(ApprovedCard, concertId, items);

    public async Task<BookingResponse> BookWithAsync(string card, Guid concertId, params (string Tier, int Quantity)[] items)
    {
        (await HoldAsync(concertId, items)).EnsureSuccessStatusCode();
        return await (await ConfirmAsync(concertId, Guid.NewGuid().ToString(), card)).ShouldBeAsync<BookingResponse>(HttpStatusCode.Created);
    }

    public async Task<HttpResponseMessage> JoinWaitlistAsync(Guid concertId, string tier, int quantity, string email = "fan@example.com")
    {
        await StartSessionAsync();
        return await Client.PostAsJsonAsync("/api/waitlist", new { concertId, tier, quantity, email });
    }

    public async Task<List<WaitlistEntryResponse>> WaitlistAsync() =>
        (await Client.GetFromJsonAsync<List<WaitlistEntryResponse>>("/api/waitlist", Json))!;

    public async Task<HttpResponseMessage> LeaveWaitlistAsync(Guid entryId)
    {
        await StartSessionAsync();
        return await Client.DeleteAsync(new Uri($"/api/waitlist/{entryId}", UriKind.Relative));
    }

    public Task<HttpResponseMessage> CancelAsync(Guid bookingId, params Guid[] ticketIds) =>
        Client.PostAsJsonAsync($"/api/bookings/{bookingId}/cancel", new { ticketIds });

    public Task<HttpResponseMessage> CheckInAsync(string code, string? door = null) =>
        Client.PostAsJsonAsync("/api/checkin", new { code, door });

    public Task<HttpResponseMessage> SignInAsOrganizerAsync(string password = TicketBookingApp.OrganizerPassword) =>
        Client.PostAsJsonAsync("/api/admin/session", new { password });

    public void Dispose() => Client.Dispose();
}

public static class HttpAssertions
{
    public static async Task<T> ShouldBeAsync<T>(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        return JsonSerializer.Deserialize<T>(body, ApiBuyer.Json)!;
    }

    /// <summary>Asserts an RFC 9457 problem response with this status and returns its JSON.</summary>
    public static async Task<JsonObject> ShouldBeProblemAsync(this HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(status, body);
        response.Content.Headers.ContentType?.MediaType.Should().Be("application/problem+json", body);
        var problem = JsonNode.Parse(body)!.AsObject();
        problem["status"]!.GetValue<int>().Should().Be((int)status);
        problem["title"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        body.Should().NotContainAny("   at ", "Exception", "Microsoft.", "System.");
        return problem;
    }
}
