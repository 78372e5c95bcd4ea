using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Data.Sqlite;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Api;

/// <summary>
/// Requests a bot, a fuzzer or a curious buyer would send. Every one must get a 4xx problem response,
/// and the database must be exactly as it was.
/// </summary>
public sealed class HostileInputTests(HostileInputTests.World world) : IClassFixture<HostileInputTests.World>
{
    public enum Who
    {
        /// <summary>A second buyer with a cookie of their own.</summary>
        Buyer,

        /// <summary>No cookie at all.</summary>
        Anonymous,

        /// <summary>A signed-in organizer.</summary>
        Organizer,
    }

    public static TheoryData<string, Who, string, string, string?, string?> Cases()
    {
        var data = new TheoryData<string, Who, string, string, string?, string?>();
        void Add(string name, Who who, string method, string path, string? body, string? contentType = "application/json") =>
            data.Add(name, who, method, path, body, contentType);

        string[] malformed =
        [
            "", "{", "}", "[", "null", "[]", "\"text\"", "42", "{\"concertId\":}", "{'concertId':'x'}", "{\"items\":[{]}", "{} trailing",
            "{\"concertId\": nul}", "/* comment */ {}", "{\"concertId\":\"{concert}\",\"items\":[{\"tier\":\"VIP\",\"quantity\":1}]",
            "{\"concertId\":\"{concert}\",,}", "\u0000", "{\"a\":1,\"a\":2}",
        ];
        foreach (var (body, i) in malformed.Select((b, i) => (b, i)))
        {
            Add($"malformed hold #{i}", Who.Buyer, "POST", "/api/holds", body);
            Add($"malformed booking #{i}", Who.Buyer, "POST", "/api/bookings", body);
            Add($"malformed heartbeat #{i}", Who.Buyer, "POST", "/api/holds/heartbeat", body);
            Add($"malformed concert #{i}", Who.Organizer, "POST", "/api/admin/concerts", body);
        }

        string[] badQuantities =
        [
            "0", "-1", "-100", "11", "1000000", "2147483648", "-2147483649", "1e20", "99999999999999999999999999", "1.5", "1e3", "NaN",
            "\"1\"", "\"one\"", "\"\"", "true", "null", "[1]", "{\"n\":1}",
        ];
        foreach (var quantity in badQuantities)
        {
            Add($"quantity {quantity}", Who.Buyer, "POST", "/api/holds", $$"""{"concertId":"{concert}","items":[{"tier":"VIP","quantity":{{quantity}}}]}""");
        }

        string[] hostileText =
        [
            "VIP' OR '1'='1", "VIP'; DROP TABLE tiers;--", "<script>alert(1)</script>", "\" onmouseover=\"alert(1)", "../../etc/passwd",
            "VIP\u0000", "%00", new string('V', 10_000), "", " ",
        ];
        foreach (var (text, i) in hostileText.Select((t, i) => (t, i)))
        {
            var json = System.Text.Json.JsonSerializer.Serialize(text);
            Add($"tier text #{i}", Who.Buyer, "POST", "/api/holds", $$"""{"concertId":"{concert}","items":[{"tier":{{json}},"quantity":1}]}""");
            Add($"concert id text #{i}", Who.Buyer, "POST", "/api/holds", $$"""{"concertId":{{json}},"items":[{"tier":"VIP","quantity":1}]}""");
            Add($"organizer tier code #{i}", Who.Organizer, "POST", "/api/admin/concerts", Concert(tierCode: json));
            Add($"organizer time zone #{i}", Who.Organizer, "POST", "/api/admin/concerts", Concert(timeZone: json));
            Add($"buyer name without a hold #{i}", Who.Buyer, "POST", "/api/bookings",
                $$$"""{"concertId":"{concert}","buyer":{"name":{{{json}}},"email":"a@example.com"},"card":{"number":"4242424242424242","expiry":"12/39","cvc":"123"}}""");
        }

        Add("organizer name too long", Who.Organizer, "POST", "/api/admin/concerts", Concert(name: $"\"{new string('x', 5_000)}\""));
        Add("organizer description too long", Who.Organizer, "POST", "/api/admin/concerts", Concert(description: $"\"{new string('x', 20_000)}\""));
        Add("organizer price too big", Who.Organizer, "POST", "/api/admin/concerts", Concert(price: "100000000000000000000"));
        Add("organizer negative capacity", Who.Organizer, "POST", "/api/admin/concerts", Concert(capacity: "-5"));
        Add("organizer in the past", Who.Organizer, "POST", "/api/admin/concerts", Concert(startsAt: "\"2001-01-01T00:00:00Z\""));
        Add("organizer capacity below sold + held", Who.Organizer, "PUT", "/api/admin/concerts/{concert}/tiers/VIP/capacity", "{\"capacity\":1}");
        Add("organizer capacity as text", Who.Organizer, "PUT", "/api/admin/concerts/{concert}/tiers/VIP/capacity", "{\"capacity\":\"lots\"}");

        Add("unknown top-level property", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":1}],"price":0}""");
        Add("unknown item property", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":1,"free":true}]}""");
        Add("__proto__ property", Who.Buyer, "POST", "/api/holds", """{"__proto__":{"admin":true},"concertId":"{concert}","items":[{"tier":"VIP","quantity":1}]}""");
        Add("unknown booking property", Who.Buyer, "POST", "/api/bookings", """{"concertId":"{concert}","status":"confirmed"}""");
        Add("empty items", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[]}""");
        Add("null item", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[null]}""");
        Add("tier twice", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":1},{"tier":"VIP","quantity":1}]}""");
        Add("over the order limit", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":10},{"tier":"FRONT_ROW","quantity":10},{"tier":"GA","quantity":10}]}""");
        Add("unknown concert", Who.Buyer, "POST", "/api/holds", """{"concertId":"00000000-0000-0000-0000-000000000001","items":[{"tier":"VIP","quantity":1}]}""");
        Add("empty guid", Who.Buyer, "POST", "/api/holds", """{"concertId":"00000000-0000-0000-0000-000000000000","items":[{"tier":"VIP","quantity":1}]}""");
        Add("deeply nested", Who.Buyer, "POST", "/api/holds", $"{{\"concertId\":\"{{concert}}\",\"items\":{new string('[', 200)}{new string(']', 200)}}}");
        Add("oversized body", Who.Buyer, "POST", "/api/holds", $"{{\"concertId\":\"{{concert}}\",\"items\":[{{\"tier\":\"{new string('A', 40_000)}\",\"quantity\":1}}]}}");
        Add("text/plain", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":1}]}""", "text/plain");
        Add("xml", Who.Buyer, "POST", "/api/holds", "<hold><tier>VIP</tier></hold>", "application/xml");
        Add("form post", Who.Buyer, "POST", "/api/holds", "concertId={concert}&tier=VIP&quantity=1", "application/x-www-form-urlencoded");
        Add("no content type", Who.Buyer, "POST", "/api/holds", """{"concertId":"{concert}","items":[{"tier":"VIP","quantity":1}]}""", null);
        Add("invalid utf-8", Who.Buyer, "POST", "/api/holds", "INVALID-UTF8");
        Add("wrong method on holds", Who.Buyer, "PATCH", "/api/holds", "{}");
        Add("get on hold collection", Who.Buyer, "GET", "/api/holds", null, null);
        Add("release with a bad id", Who.Buyer, "DELETE", "/api/holds/not-a-guid", null, null);
        Add("booking with a bad id", Who.Buyer, "GET", "/api/bookings/1%20OR%201=1", null, null);

        Add("another buyer's booking", Who.Buyer, "GET", "/api/bookings/{aliceBooking}", null, null);
        Add("release another buyer's hold", Who.Buyer, "DELETE", "/api/holds/{aliceHeld}", null, null);
        Add("read another buyer's hold", Who.Buyer, "GET", "/api/holds/{aliceHeld}", null, null);
        Add("heartbeat another buyer's hold", Who.Buyer, "POST", "/api/holds/heartbeat", """{"concertId":"{aliceHeld}","active":true,"visible":true}""");
        Add("pay for another buyer's hold", Who.Buyer, "POST", "/api/bookings",
            """{"concertId":"{aliceHeld}","buyer":{"name":"Mallory","email":"m@example.com"},"card":{"number":"4242424242424242","expiry":"12/39","cvc":"123"}}""");
        Add("no cookie: booking", Who.Anonymous, "GET", "/api/bookings/{aliceBooking}", null, null);
        Add("no cookie: release", Who.Anonymous, "DELETE", "/api/holds/{aliceHeld}", null, null);
        Add("no cookie: heartbeat", Who.Anonymous, "POST", "/api/holds/heartbeat", """{"concertId":"{aliceHeld}","active":true}""");
        Add("no cookie: admin create", Who.Anonymous, "POST", "/api/admin/concerts", Concert());
        Add("no cookie: admin sales", Who.Anonymous, "GET", "/api/admin/concerts/{concert}/sales", null, null);
        Add("buyer: admin create", Who.Buyer, "POST", "/api/admin/concerts", Concert());
        Add("buyer: admin capacity", Who.Buyer, "PUT", "/api/admin/concerts/{concert}/tiers/VIP/capacity", "{\"capacity\":100000}");
        Add("buyer: wrong organizer password", Who.Buyer, "POST", "/api/admin/session", "{\"password\":\"' OR 1=1 --\"}");
        return data;
    }

    private static string Concert(
        string name = "\"Hostile\"", string tierCode = "\"VIP\"", string timeZone = "\"Europe/London\"", string description = "\"x\"",
        string price = "1000", string capacity = "10", string startsAt = "\"2099-01-01T20:00:00Z\"") =>
        $$"""{"name":{{name}},"artist":"A","venue":"V","city":"C","timeZone":{{timeZone}},"startsAt":{{startsAt}},"description":{{description}},"tiers":[{"code":{{tierCode}},"name":"T","priceCents":{{price}},"capacity":{{capacity}}}]}""";

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Hostile_requests_get_a_4xx_problem_and_change_nothing(string name, Who who, string method, string path, string? body, string? contentType)
    {
        var before = await world.FingerprintAsync();
        using var request = new HttpRequestMessage(new HttpMethod(method), world.Fill(path));
        if (body is not null)
        {
            var bytes = body == "INVALID-UTF8" ? [0x7B, 0x22, 0xC3, 0x28, 0xFF, 0xFE, 0x22, 0x7D] : Encoding.UTF8.GetBytes(world.Fill(body));
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        if (path == "/api/bookings")
        {
            request.Headers.Add("Idempotency-Key", name.Replace(' ', '-').Replace(':', '-'));
        }

        using var response = await world.Client(who).SendAsync(request);

        ((int)response.StatusCode).Should().BeInRange(400, 499, name);
        await response.ShouldBeProblemAsync(response.StatusCode);
        (await world.FingerprintAsync()).Should().Be(before, $"'{name}' must not change the database");
    }

    [Fact]
    public void There_are_at_least_a_hundred_cases() => Cases().Count.Should().BeGreaterThanOrEqualTo(100);

    [Fact]
    public async Task Idempotency_keys_that_are_too_long_or_contain_control_characters_are_rejected()
    {
        foreach (var key in new[] { new string('k', 129), "key\twith\ttabs", "ключ" })
        {
            var before = await world.FingerprintAsync();
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/bookings")
            {
                Content = new StringContent(world.Fill("""{"concertId":"{concert}","buyer":{"name":"A","email":"a@example.com"},"card":{"number":"4242424242424242","expiry":"12/39","cvc":"123"}}"""), Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);

            using var response = await world.Client(Who.Buyer).SendAsync(request);

            (await response.ShouldBeProblemAsync(HttpStatusCode.BadRequest))["errors"]!["idempotencyKey"].Should().NotBeNull();
            (await world.FingerprintAsync()).Should().Be(before);
        }
    }

    /// <summary>An app where Alice holds tickets for one concert and has booked another; the clients that attack it.</summary>
    public sealed class World : IAsyncLifetime
    {
        private readonly TicketBookingApp _app = new();
        private HttpClient _buyer = null!;
        private HttpClient _anonymous = null!;
        private HttpClient _organizer = null!;
        private Guid _concert;
        private Guid _aliceHeld;
        private Guid _aliceBooking;

        public async Task InitializeAsync()
        {
            using var alice = ApiBuyer.For(_app);
            var booked = await _app.CreateConcertAsync(("VIP", 10_000, 10), ("FRONT_ROW", 5_000, 20), ("GA", 1_000, 100));
            var held = await _app.CreateConcertAsync(("VIP", 10_000, 10));
            await alice.HoldAsync(booked.Id, ("VIP", 2));
            _aliceBooking = (await (await alice.ConfirmAsync(booked.Id, "alice")).ShouldBeAsync<BookingResponse>(HttpStatusCode.Created)).Id;
            await alice.HoldAsync(booked.Id, ("VIP", 1));
            await alice.HoldAsync(held.Id, ("VIP", 3));
            (_concert, _aliceHeld) = (booked.Id, held.Id);

            // The confirmation e-mail is sent in the background and marks its outbox row: let that happen before any case
            // compares the database before and after (it once landed inside a case, on a busy machine).
            await _app.Log.WaitForAsync(e => e.Message.StartsWith("E-mail booking-confirmed", StringComparison.Ordinal));

            _buyer = _app.CreateBuyerClient();
            await _buyer.GetAsync(new Uri("/api/bookings", UriKind.Relative));
            _anonymous = _app.CreateClient(new() { HandleCookies = false });
            var organizer = ApiBuyer.For(_app);
            (await organizer.SignInAsOrganizerAsync()).StatusCode.Should().Be(HttpStatusCode.NoContent);
            _organizer = organizer.Client;
        }

        public HttpClient Client(Who who) => who switch
        {
            Who.Anonymous => _anonymous,
            Who.Organizer => _organizer,
            _ => _buyer,
        };

        public string Fill(string text) => text
            .Replace("{concert}", _concert.ToString(), StringComparison.Ordinal)
            .Replace("{aliceHeld}", _aliceHeld.ToString(), StringComparison.Ordinal)
            .Replace("{aliceBooking}", _aliceBooking.ToString(), StringComparison.Ordinal);

        /// <summary>Every row of every table, in a stable order.</summary>
        public async Task<string> FingerprintAsync()
        {
            await using var connection = new SqliteConnection($"Data Source={_app.Database.Path};Mode=ReadOnly;Pooling=False");
            await connection.OpenAsync();
            var tables = new List<string>();
            await using (var list = connection.CreateCommand())
            {
                list.CommandText = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
                await using var reader = await list.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                {
                    tables.Add(reader.GetString(0));
                }
            }

            var text = new StringBuilder();
            foreach (var table in tables)
            {
                await using var select = connection.CreateCommand();
                select.CommandText = $"SELECT * FROM \"{table}\"";
                await using var reader = await select.ExecuteReaderAsync();
                var rows = new List<string>();
                while (await reader.ReadAsync())
                {
                    rows.Add(string.Join('|', Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), System.Globalization.CultureInfo.InvariantCulture))));
                }

                rows.Sort(StringComparer.Ordinal);
                text.Append(table).Append('\n').AppendJoin('\n', rows).Append('\n');
            }

            return text.ToString();
        }

        public async Task DisposeAsync()
        {
            _buyer.Dispose();
            _anonymous.Dispose();
            _organizer.Dispose();
            await _app.DisposeAsync();
        }
    }
}
