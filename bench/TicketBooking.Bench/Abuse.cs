using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace TicketBooking.Bench;

/// <summary>
/// The attacks of issues 10 and 34 (<see cref="LineAbuse"/>), run against the app with its default settings (limits on),
/// each on a freshly started app and database, and reported as figures. Client addresses are real: each simulated client connects from its own loopback
/// address (127.0.0.0/8), so nothing depends on trusting X-Forwarded-For. Bounded in count and time.
/// <c>dotnet run -c Release --project bench/TicketBooking.Bench -- abuse [--app PUBLISHED_DIR] [--label NAME] [--streams 15000] [--only slow,card]</c>
/// </summary>
internal static class Abuse
{
    private const string Declined = "4000 0000 0000 0002";
    private const string InsufficientFunds = "4000 0000 0000 9995";

    public static async Task<string> RunAsync(string configuration, string? appDirectory, string label, int streams, string? only = null)
    {
        var rows = new List<(string Attack, string Figure)>();
        async Task Run(string name, Func<Task<IEnumerable<(string, string)>>> attack)
        {
            if (only is not null && !only.Split(',').Any(o => name.StartsWith(o, StringComparison.OrdinalIgnoreCase)))
            {
                return;
            }

            Console.Error.WriteLine($"abuse: {name}…");
            var clock = Stopwatch.StartNew();
            try
            {
                rows.AddRange(await attack());
            }
#pragma warning disable CA1031 // One attack's failure is a figure of its own; the others still run.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                rows.Add((name, $"harness error: {exception.GetType().Name}: {exception.Message}"));
            }

            Console.Error.WriteLine($"abuse: {name} done in {clock.Elapsed.TotalSeconds:0} s");
        }

        Task<AppUnderTest> Start(params (string Key, string Value)[] extra) =>
            AppUnderTest.StartAsync(configuration, settings: Defaults(extra), appDirectory: appDirectory);

        await Run("streams", async () => await StreamsAsync(await Start(), streams));
        await Run("circuits", async () => await CircuitsAsync(await Start()));
        await Run("hoarding", async () => await HoardingAsync(await Start()));
        await Run("card testing", async () => await CardTestingAsync(await Start()));
        await Run("slow bodies", async () => await SlowBodiesAsync(await Start()));
        await Run("organizer", async () => await OrganizerAsync(await Start()));
        await Run("redeploy", () => RedeployAsync(configuration, appDirectory));
        await Run("paying near expiry", async () => await PayingNearExpiryAsync(await Start(
            ("Holds:Duration", "00:00:04"), ("Holds:HiddenGrace", "00:00:02"), ("Payments:Delay", "00:00:02"))));
        await Run("what a booking pays for", async () => await StatedCheckoutAsync(await Start()));
        await Run("waitlist five e-mails", async () => await LineAbuse.FiveEmailsAsync(await Start()));
        await Run("waitlist skipping the room", async () => await LineAbuse.SkipTheRoomAsync(await Start()));
        await Run("room identities", async () => await LineAbuse.StallTheRoomAsync(await Start()));
        await Run("seat map", async () => await LineAbuse.SeatMapAsync(await Start()));

        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"### {label}").AppendLine();
        text.AppendLine("| attack | measured |").AppendLine("|---|---|");
        foreach (var (attack, figure) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {attack} | {figure} |");
        }

        return text.ToString();
    }

    /// <summary>The app's own defaults: limits on (AppUnderTest turns them off for the load scenarios).</summary>
    private static Dictionary<string, string> Defaults((string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string> { ["RateLimits:Enabled"] = "true" };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static IPAddress Address(int a, int b, int c) => new([127, (byte)a, (byte)b, (byte)c]);

    /// <summary>One client opens as many event streams as it can; meanwhile another visitor asks for pages, the API and /health.</summary>
    private static async Task<IEnumerable<(string, string)>> StreamsAsync(AppUnderTest app, int count)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 8);
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 1_000));
        using var flooder = new TicketApi(app.BaseAddress, count + 16, Address(0, 0, 2), TimeSpan.FromSeconds(20));
        var flooderCookie = await flooder.NewBuyerAsync(); // one visitor, many tabs
        var rssBefore = app.ResidentMegabytes();
        var open = new System.Collections.Concurrent.ConcurrentBag<HttpResponseMessage>();
        var refused = 0;
        var failed = 0;
        var opening = await Load.RunAsync(256, count, TimeSpan.FromMinutes(2), async (_, _) =>
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/concerts/{concertId}/availability/stream");
                request.Headers.TryAddWithoutValidation("Cookie", flooderCookie);
                var response = await flooder.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    open.Add(response);
                    return;
                }

                Interlocked.Increment(ref refused);
                response.Dispose();
            }
#pragma warning disable CA1031 // A refused or reset connection is what is counted.
            catch (Exception)
#pragma warning restore CA1031
            {
                Interlocked.Increment(ref failed);
            }
        });
        var rssOpen = app.ResidentMegabytes();
        using var visitor = new TicketApi(app.BaseAddress, 8, Address(0, 0, 3), TimeSpan.FromSeconds(5));
        var answered = 0;
        var probes = 0;
        var holdLatencies = new Latencies();
        var cookie = await TryAsync(() => visitor.NewBuyerAsync());
        for (var round = 0; round < 20; round++)
        {
            foreach (var path in new[] { "/", "/api/concerts", "/health" })
            {
                probes++;
                answered += await TryAsync(async () => (await visitor.SendAsync(HttpMethod.Get, path, cookie: cookie)).Status == HttpStatusCode.OK) ? 1 : 0;
            }

            var start = Stopwatch.GetTimestamp();
            var held = cookie is not null && await TryAsync(async () => (await visitor.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 1), cookie)).Status == HttpStatusCode.Created);
            if (held)
            {
                holdLatencies.Add(start);
                await TryAsync(async () => (await visitor.SendAsync(HttpMethod.Delete, $"/api/holds/{concertId}", cookie: cookie)).Status == HttpStatusCode.NoContent);
            }
        }

        foreach (var response in open)
        {
            response.Dispose();
        }

        var rssAfter = await SettledRssAsync(app);
        return
        [
            ("streams: opened by one client", $"{open.Count:N0} of {count:N0} in {opening.TotalSeconds:0.0} s; {refused:N0} refused with a status, {failed:N0} connections failed"),
            ("streams: another visitor meanwhile", $"{answered} of {probes} requests to /, /api/concerts, /health answered; holds {holdLatencies.Count} of 20, p50 {Ms(holdLatencies, 0.5)}, max {Ms(holdLatencies, 1)}"),
            ("streams: server RSS", $"{rssBefore:0} MB before, {rssOpen:0} MB with them open, {rssAfter:0} MB 10 s after they closed"),
        ];
    }

    /// <summary>One address opens 100 circuits (pages with a live connection).</summary>
    private static async Task<IEnumerable<(string, string)>> CircuitsAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var visitor = new TicketApi(app.BaseAddress, 128, Address(0, 0, 11));
        var circuits = new List<BlazorCircuit>();
        var refused = 0;
        for (var i = 0; i < 100; i++)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
                // A page with a circuit (the concert list has none, docs/scaling.md §5).
                circuits.Add(await BlazorCircuit.OpenAsync(visitor, "/bookings", timeout.Token));
            }
#pragma warning disable CA1031 // A refused circuit is what is counted.
            catch (Exception)
#pragma warning restore CA1031
            {
                refused++;
            }
        }

        foreach (var circuit in circuits)
        {
            await circuit.DisposeAsync();
        }

        return [("circuits: 100 from one address", $"{circuits.Count} opened, {refused} refused")];
    }

    /// <summary>Cookie-less holds; holds through fresh identities from one address; the release-and-re-hold loop against real buyers.</summary>
    private static async Task<IEnumerable<(string, string)>> HoardingAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 8);
        var first = await organizer.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, 100), ("FRONT_ROW", 5_000, 200), ("GA", 1_000, 1_000));
        using var script = new TicketApi(app.BaseAddress, 64, Address(0, 0, 9));

        var cookieless = new Statuses();
        for (var i = 0; i < 30; i++)
        {
            // No cookie: before issue 10 each of these was a new buyer with its own per-buyer limits.
            cookieless.Add((await script.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(first, i < 10 ? "VIP" : "FRONT_ROW", 10))).Status);
        }

        var heldAfterCookieless = Held(await script.AvailabilityAsync(first));
        var identities = 0;
        var gaHeld = 0;
        var refusedInARow = 0;
        for (var i = 0; i < 300 && refusedInARow < 10; i++)
        {
            var mint = await script.SendAsync(HttpMethod.Get, "/api/concerts");
            if (mint.Cookie is null || mint.Status != HttpStatusCode.OK)
            {
                refusedInARow++;
                continue;
            }

            identities++;
            var hold = await script.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(first, "GA", 10), mint.Cookie);
            (gaHeld, refusedInARow) = hold.Status == HttpStatusCode.Created ? (gaHeld + 10, 0) : (gaHeld, refusedInARow + 1);
        }

        // The churn: keep VIP held with fresh identities, releasing the oldest and holding again, for 20 s.
        var second = await organizer.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, 100));
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var churned = 0;
        var attacker = Task.Run(async () =>
        {
            var holders = new Queue<string>();
            while (!stop.IsCancellationRequested)
            {
                if (holders.Count >= 10)
                {
                    await TryAsync(async () => (await script.SendAsync(HttpMethod.Delete, $"/api/holds/{second}", cookie: holders.Dequeue())).Status == HttpStatusCode.NoContent);
                }

                var cookie = await TryAsync(() => script.NewBuyerAsync());
                if (cookie is not null && await TryAsync(async () => (await script.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(second, "VIP", 10), cookie)).Status == HttpStatusCode.Created))
                {
                    holders.Enqueue(cookie);
                    churned++;
                }
            }
        });
        var attempts = 0;
        var bought = 0;
        var realBuyers = Enumerable.Range(1, 20).Select(i => Task.Run(async () =>
        {
            using var buyer = new TicketApi(app.BaseAddress, 4, Address(0, 1, i));
            var cookie = await TryAsync(() => buyer.NewBuyerAsync());
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Increment(ref attempts);
                if (cookie is not null && await TryAsync(async () => (await buyer.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(second, "VIP", 1), cookie)).Status == HttpStatusCode.Created))
                {
                    Interlocked.Increment(ref bought);
                    await TryAsync(async () => (await buyer.SendAsync(HttpMethod.Delete, $"/api/holds/{second}", cookie: cookie)).Status == HttpStatusCode.NoContent);
                }

                await TryAsync(async () =>
                {
                    await Task.Delay(2_000, stop.Token);
                    return true;
                });
            }
        })).ToList();
        await Task.WhenAll([attacker, .. realBuyers]);
        return
        [
            ("hoarding: 30 holds of 10 without a cookie (VIP 100, Front Row 200)", $"{cookieless}; VIP + Front Row held after: {heldAfterCookieless} of 300"),
            ("hoarding: fresh identities from one address", $"{identities} identities minted, {gaHeld:N0} of 1,000 GA held"),
            ("hoarding: release and re-hold loop, 20 s", $"{churned} attacker holds of 10 VIP; real buyers (20 other addresses, every 2 s) held {bought} of {attempts} times"),
        ];
    }

    /// <summary>3,000 payment attempts from one address, declined and insufficient-funds cards in turn.</summary>
    private static async Task<IEnumerable<(string, string)>> CardTestingAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 8);
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 100_000));
        using var tester = new TicketApi(app.BaseAddress, 64, Address(0, 0, 4));
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int>();
        var details = new System.Collections.Concurrent.ConcurrentDictionary<string, byte>();
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Task.Run(async () =>
        {
            string? cookie = null;
            while (Interlocked.Increment(ref next) < 3_000)
            {
                cookie ??= (await tester.SendAsync(HttpMethod.Get, "/api/concerts")).Cookie;
                if (cookie is null)
                {
                    statuses.AddOrUpdate(HttpStatusCode.TooManyRequests, 1, (_, n) => n + 1);
                    continue;
                }

                await tester.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 1), cookie);
                var card = next % 2 == 0 ? Declined : InsufficientFunds;
                var reply = await tester.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId, card), cookie, $"card-{next}");
                statuses.AddOrUpdate(reply.Status, 1, (_, n) => n + 1);
                if (reply.Status == HttpStatusCode.PaymentRequired)
                {
                    var problem = JsonNode.Parse(reply.Body)!;
                    details.TryAdd($"{problem["detail"]} {problem["reason"]}", 0);
                }
            }
        })));
        var elapsed = clock.Elapsed;
        var reached = statuses.GetValueOrDefault(HttpStatusCode.PaymentRequired);
        return
        [
            ("card testing: 3,000 attempts from one address", $"{reached:N0} reached the card processor ({reached / elapsed.TotalMinutes:N0} a minute) in {elapsed.TotalSeconds:0.0} s; " +
                string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{(int)s.Key}: {s.Value:N0}"))),
            ("card testing: answers to declined vs insufficient funds", details.Count <= 1 ? "indistinguishable (one message)" : $"{details.Count} different answers: {string.Join(" / ", details.Keys)}"),
        ];
    }

    /// <summary>300 connections trickle a 32 KB hold body at 300 B/s; a normal buyer uses the API meanwhile.</summary>
    private static async Task<IEnumerable<(string, string)>> SlowBodiesAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 8);
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 100_000));
        // 300 clients, each from its own address with its own buyer cookie, so no per-buyer or per-address limit is in the way.
        var clients = new List<(IPAddress Address, string Cookie)>();
        for (var i = 0; i < 300; i++)
        {
            var address = Address(3, i / 250, (i % 250) + 1);
            using var minter = new TicketApi(app.BaseAddress, 1, address);
            clients.Add((address, await minter.NewBuyerAsync()));
        }

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(25));
        var cutAfter = new System.Collections.Concurrent.ConcurrentBag<double>();
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var slow = clients.Select(client => Task.Run(async () =>
        {
            var (address, cookie) = client;
            var clock = Stopwatch.StartNew();
            try
            {
                await using var stream = await TicketApi.ConnectFromAsync(address, new IPEndPoint(IPAddress.Loopback, app.BaseAddress.Port), stop.Token);
                var head = $"POST /api/holds HTTP/1.1\r\nHost: {app.BaseAddress.Authority}\r\nCookie: {cookie}\r\nContent-Type: application/json\r\nContent-Length: 32768\r\n\r\n";
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head), stop.Token);
                var response = new byte[256];
                var reading = stream.ReadAsync(response, stop.Token).AsTask();
                var chunk = Encoding.ASCII.GetBytes(new string(' ', 30)); // JSON whitespace: a parser keeps waiting for more
                while (!reading.IsCompleted && !stop.IsCancellationRequested)
                {
                    await stream.WriteAsync(chunk, stop.Token);
                    await Task.WhenAny(reading, Task.Delay(100, stop.Token));
                }

                var read = await reading;
                answers.AddOrUpdate(read == 0 ? "closed" : Encoding.ASCII.GetString(response, 0, read).Split("\r\n")[0], 1, (_, n) => n + 1);
                cutAfter.Add(clock.Elapsed.TotalSeconds);
            }
#pragma warning disable CA1031 // Cut by the server (reset) counts as cut; the harness stopping does not.
            catch (Exception) when (!stop.IsCancellationRequested)
#pragma warning restore CA1031
            {
                cutAfter.Add(clock.Elapsed.TotalSeconds);
            }
            catch (OperationCanceledException)
            {
            }
        })).ToList();

        using var buyer = new TicketApi(app.BaseAddress, 4, Address(0, 0, 6), TimeSpan.FromSeconds(10));
        var buyerCookie = await buyer.NewBuyerAsync();
        var latencies = new Latencies();
        var answered = 0;
        for (var i = 0; i < 20; i++)
        {
            var start = Stopwatch.GetTimestamp();
            if (await TryAsync(async () => (await buyer.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 1 + (i % 4)), buyerCookie)).Status == HttpStatusCode.Created))
            {
                answered++;
                latencies.Add(start);
            }

            await Task.Delay(500);
        }

        await Task.WhenAll(slow);
        var cut = cutAfter.Order().ToList();
        return
        [
            ("slow bodies: a normal buyer's holds meanwhile", $"{answered} of 20 answered within 10 s; p50 {Ms(latencies, 0.5)}, max {Ms(latencies, 1)}"),
            ("slow bodies: the slow connections", cut.Count == 0 ? "none cut within 25 s" : $"{cut.Count} of 300 cut, after {cut[0]:0.0}–{cut[^1]:0.0} s ({string.Join(", ", answers.Select(a => $"{a.Key}: {a.Value}"))})"),
        ];
    }

    /// <summary>An old organizer cookie after sign-out; password guesses from one address and from 200.</summary>
    private static async Task<IEnumerable<(string, string)>> OrganizerAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 8, Address(0, 0, 7));
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, 100));
        var signIn = await organizer.SendAsync(HttpMethod.Post, "/api/admin/session", $$"""{"password":"{{app.OrganizerPassword}}"}""", await organizer.NewBuyerAsync());
        var signedIn = signIn.Cookie!;
        await organizer.SendAsync(HttpMethod.Delete, "/api/admin/session", cookie: signedIn);
        var replay = await organizer.SendAsync(HttpMethod.Put, $"/api/admin/concerts/{concertId}/tiers/VIP/capacity", """{"capacity":150}""", signedIn);

        using var guesser = new TicketApi(app.BaseAddress, 8, Address(0, 0, 8));
        var oneAddress = new Statuses();
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < 200; i++)
        {
            oneAddress.Add((await guesser.SendAsync(HttpMethod.Post, "/api/admin/session", $$"""{"password":"guess-{{i:000000}}"}""")).Status);
        }

        var oneAddressTime = clock.Elapsed;
        var checkedFromMany = 0;
        var refusedFromMany = 0;
        clock.Restart();
        await Task.WhenAll(Enumerable.Range(1, 200).Select(i => Task.Run(async () =>
        {
            using var client = new TicketApi(app.BaseAddress, 2, Address(0, 2, i));
            for (var round = 0; round < 5; round++)
            {
                var status = (await client.SendAsync(HttpMethod.Post, "/api/admin/session", $$"""{"password":"guess-{{i}}-{{round}}"}""")).Status;
                if (status == HttpStatusCode.Unauthorized)
                {
                    Interlocked.Increment(ref checkedFromMany);
                }
                else
                {
                    Interlocked.Increment(ref refusedFromMany);
                }
            }
        })));
        var manyTime = clock.Elapsed;
        return
        [
            ("organizer: old cookie after sign-out changes capacity", $"{(int)replay.Status} {replay.Status}"),
            ("organizer: 200 guesses from one address", $"{oneAddress} in {oneAddressTime.TotalSeconds:0.0} s (401 = a guess checked)"),
            ("organizer: 1,000 guesses from 200 addresses", $"{checkedFromMany:N0} checked, {refusedFromMany:N0} refused, in {manyTime.TotalSeconds:0.0} s"),
        ];
    }

    /// <summary>Book, then restart on the same database with a home folder the app has never seen (a new container).</summary>
    private static async Task<IEnumerable<(string, string)>> RedeployAsync(string configuration, string? appDirectory)
    {
        var database = Directory.CreateTempSubdirectory("ticketbooking-abuse-").FullName;
        var homes = new[] { Directory.CreateTempSubdirectory("ticketbooking-home-").FullName, Directory.CreateTempSubdirectory("ticketbooking-home-").FullName };
        try
        {
            string cookie;
            await using (var first = await AppUnderTest.StartAsync(configuration, database, Defaults([]), new Dictionary<string, string> { ["HOME"] = homes[0] }, appDirectory))
            {
                using var api = new TicketApi(first.BaseAddress, 4);
                var concertId = await api.CreateConcertAsync(first.OrganizerPassword, ("VIP", 10_000, 10));
                cookie = await api.NewBuyerAsync();
                await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 1), cookie);
                await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), cookie, "redeploy");
            }

            await using var second = await AppUnderTest.StartAsync(configuration, database, Defaults([]), new Dictionary<string, string> { ["HOME"] = homes[1] }, appDirectory);
            using var again = new TicketApi(second.BaseAddress, 4);
            var listed = await again.SendAsync(HttpMethod.Get, "/api/bookings", cookie: cookie);
            return [("redeploy: the buyer's bookings after a restart with a new home folder", $"{JsonNode.Parse(listed.Body)!.AsArray().Count} of 1 listed")];
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            foreach (var directory in homes.Append(database))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>A 2 s charge started 1 s before the hold expires, while another buyer waits for the tickets.</summary>
    private static async Task<IEnumerable<(string, string)>> PayingNearExpiryAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var api = new TicketApi(app.BaseAddress, 16);
        var booked = 0;
        for (var round = 0; round < 5; round++)
        {
            var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, 2));
            var payer = await api.NewBuyerAsync();
            var other = await api.NewBuyerAsync();
            var hold = await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 2), payer);
            var expiresAt = JsonNode.Parse(hold.Body)!["expiresAt"]!.GetValue<DateTimeOffset>();
            await Task.Delay(expiresAt - TimeSpan.FromSeconds(1) - DateTimeOffset.UtcNow);
            var paying = api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), payer, $"near-{round}");
            await Task.Delay(expiresAt + TimeSpan.FromMilliseconds(300) - DateTimeOffset.UtcNow);
            await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 2), other);
            booked += (await paying).Status == HttpStatusCode.Created ? 1 : 0;
        }

        return [("paying 1 s before expiry with a 2 s gateway", $"{booked} of 5 booked")];
    }

    /// <summary>The hold changes in another tab before paying; a retry with the same key and another card with the same last four.</summary>
    private static async Task<IEnumerable<(string, string)>> StatedCheckoutAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var api = new TicketApi(app.BaseAddress, 8);
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, 10));
        var buyer = await api.NewBuyerAsync();
        var seen = JsonNode.Parse((await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 1), buyer)).Body)!;
        await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 2), buyer); // another tab
        var booking = TicketApi.BookingJson(concertId);
        var stated = booking[..^1] + $$""","holdId":"{{seen["holdId"]}}","expectedTotalCents":10000}""";
        var paid = await api.SendAsync(HttpMethod.Post, "/api/bookings", stated, buyer, "stated");
        var unstated = await api.SendAsync(HttpMethod.Post, "/api/bookings", booking, buyer, "unstated");
        var charged = unstated.Status == HttpStatusCode.Created ? JsonNode.Parse(unstated.Body)!["totalCents"]!.GetValue<long>() / 100 : 0;

        var retrier = await api.NewBuyerAsync();
        await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 1), retrier);
        await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId, Declined), retrier, "same-key");
        var retry = await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId, "5555 5555 5508 0002"), retrier, "same-key");
        return
        [
            ("pays for a hold changed since it was seen ($100 seen, $200 held)", $"stating holdId and total: {(int)paid.Status} {paid.Status}; not stating them: {(int)unstated.Status}, charged ${charged}"),
            ("same key, another card with the same last four", $"{(int)retry.Status} {retry.Status}"),
        ];
    }

    private static int Held(JsonNode availability) =>
        availability["tiers"]!.AsArray().Where(t => t!["code"]!.GetValue<string>() is "VIP" or "FRONT_ROW").Sum(t => t!["held"]!.GetValue<int>());

    internal static string Ms(Latencies latencies, double quantile) =>
        latencies.Count == 0 ? "–" : $"{latencies.Percentile(quantile * 100):0} ms";

    /// <summary>How many answers had each status: "201: 10, 401: 20".</summary>
    internal sealed class Statuses
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<HttpStatusCode, int> _counts = new();

        public void Add(HttpStatusCode status) => _counts.AddOrUpdate(status, 1, (_, n) => n + 1);

        public override string ToString() => string.Join(", ", _counts.OrderBy(c => c.Key).Select(c => $"{(int)c.Key}: {c.Value:N0}"));
    }

    private static async Task<double?> SettledRssAsync(AppUnderTest app)
    {
        await Task.Delay(TimeSpan.FromSeconds(10));
        return app.ResidentMegabytes();
    }

    internal static async Task<T?> TryAsync<T>(Func<Task<T>> action)
    {
        try
        {
            return await action();
        }
#pragma warning disable CA1031 // A failed request is a figure here, not an error of the harness.
        catch (Exception)
#pragma warning restore CA1031
        {
            return default;
        }
    }
}
