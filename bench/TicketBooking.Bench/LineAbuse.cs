using System.Diagnostics;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using static TicketBooking.Bench.Abuse;

namespace TicketBooking.Bench;

/// <summary>
/// The attacks of issue 34 on the waiting list, the waiting room and the seat map, against the app with its default
/// settings, each client from its own loopback address. Bounded in count and time; each returns its figures.
/// </summary>
internal static class LineAbuse
{
    private static IPAddress Address(int b, int c) => new([127, 0, (byte)b, (byte)c]);

    /// <summary>Finding 1: one cookie signs up five times with five e-mails; three holders of 10 release; an honest buyer waits behind.</summary>
    public static async Task<IEnumerable<(string, string)>> FiveEmailsAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 4);
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 30));
        var holders = new List<(TicketApi Api, string Cookie)>();
        for (var i = 1; i <= 3; i++)
        {
            var api = new TicketApi(app.BaseAddress, 2, Address(60, i));
            var cookie = await api.NewBuyerAsync();
            Ensure(await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 10), cookie), HttpStatusCode.Created);
            holders.Add((api, cookie));
        }

        using var attacker = new TicketApi(app.BaseAddress, 2, Address(60, 10));
        using var honest = new TicketApi(app.BaseAddress, 2, Address(60, 20));
        var attackerCookie = await attacker.NewBuyerAsync();
        var honestCookie = await honest.NewBuyerAsync();
        var signUps = new Statuses();
        for (var i = 1; i <= 5; i++)
        {
            signUps.Add((await attacker.SendAsync(HttpMethod.Post, "/api/waitlist", WaitlistJson(concertId, "GA", 10, $"me{i}@example.com"), attackerCookie)).Status);
        }

        Ensure(await honest.SendAsync(HttpMethod.Post, "/api/waitlist", WaitlistJson(concertId, "GA", 10, "honest@example.com"), honestCookie), HttpStatusCode.Created);
        foreach (var (api, cookie) in holders)
        {
            await api.SendAsync(HttpMethod.Delete, $"/api/holds/{concertId}", cookie: cookie);
            api.Dispose();
        }

        var held = await HeldAsync(attacker, concertId, attackerCookie);
        var booking = await attacker.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), attackerCookie, "five-emails");
        var booked = booking.Status == HttpStatusCode.Created ? JsonNode.Parse(booking.Body)!["items"]!.AsArray().Sum(i => i!["quantity"]!.GetValue<int>()) : 0;
        var honestHeld = await HeldAsync(honest, concertId, honestCookie);
        return
        [
            ("waiting list: 5 sign-ups of 10 GA, 5 e-mails, one cookie and address", $"{signUps}"),
            ("waiting list: then 3 holders of 10 released", $"the one buyer held {held} and booked {booked} (at most 10 per buyer); the honest buyer behind was offered {honestHeld}"),
        ];
    }

    /// <summary>Finding 2: during an open room, a buyer who never queued asks for a hold and for the waiting list; an admitted buyer releases.</summary>
    public static async Task<IEnumerable<(string, string)>> SkipTheRoomAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 4);
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, DateTimeOffset.UtcNow.AddMinutes(-1), ("GA", 1_000, 10));
        using var admitted = new TicketApi(app.BaseAddress, 2, Address(61, 1));
        using var skipper = new TicketApi(app.BaseAddress, 2, Address(61, 2));
        var admittedCookie = await admitted.NewBuyerAsync();
        var skipperCookie = await skipper.NewBuyerAsync();
        var turn = JsonNode.Parse((await admitted.SendAsync(HttpMethod.Post, $"/api/concerts/{concertId}/queue", cookie: admittedCookie)).Body)!;
        var hold = TicketApi.HoldJson(concertId, "GA", 10, turn["admission"]!.GetValue<string>());
        Ensure(await admitted.SendAsync(HttpMethod.Post, "/api/holds", hold, admittedCookie), HttpStatusCode.Created);

        var skippedHold = await skipper.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", 10), skipperCookie);
        var skippedLine = await skipper.SendAsync(HttpMethod.Post, "/api/waitlist", WaitlistJson(concertId, "GA", 10, "skip@example.com"), skipperCookie);
        await admitted.SendAsync(HttpMethod.Delete, $"/api/holds/{concertId}", cookie: admittedCookie);
        var offered = await HeldAsync(skipper, concertId, skipperCookie);
        var paid = offered > 0 && (await skipper.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), skipperCookie, "skip")).Status == HttpStatusCode.Created;
        return
        [
            ("waiting room: a buyer who never queued, during an open room", $"hold: {(int)skippedHold.Status}; waiting list: {(int)skippedLine.Status}"),
            ("waiting room: the admitted buyer then released 10", $"the one who skipped the line was offered {offered} and {(paid ? "paid for them" : "paid for none")}"),
        ];
    }

    /// <summary>
    /// Finding 3: 200 script identities from 8 addresses join before the sale beside 10 real buyers; the identities never
    /// hold. Real buyers poll their place every second and hold one ticket when admitted; watched for 150 s.
    /// </summary>
    public static async Task<IEnumerable<(string, string)>> StallTheRoomAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 4);
        var onSaleAt = DateTimeOffset.UtcNow.AddSeconds(25);
        var concertId = await organizer.CreateConcertAsync(app.OrganizerPassword, onSaleAt, ("GA", 1_000, 50));
        var scripts = Enumerable.Range(1, 8).Select(i => new TicketApi(app.BaseAddress, 8, Address(62, i))).ToList();
        var reals = Enumerable.Range(1, 10).Select(i => new TicketApi(app.BaseAddress, 2, Address(63, i))).ToList();
        try
        {
            var places = new Statuses();
            var identities = new List<(TicketApi Api, string Cookie)>();
            for (var i = 0; i < 200; i++)
            {
                var api = scripts[i % 8];
                var cookie = await TryAsync(() => api.NewBuyerAsync());
                var joined = cookie is null ? null : await TryAsync(() => api.SendAsync(HttpMethod.Post, $"/api/concerts/{concertId}/queue", cookie: cookie));
                places.Add(joined?.Status ?? HttpStatusCode.ServiceUnavailable);
                if (joined?.Status == HttpStatusCode.OK)
                {
                    identities.Add((api, cookie!));
                }
            }

            var realCookies = new List<string>();
            foreach (var api in reals)
            {
                var cookie = await api.NewBuyerAsync();
                Ensure(await api.SendAsync(HttpMethod.Post, $"/api/concerts/{concertId}/queue", cookie: cookie), HttpStatusCode.OK);
                realCookies.Add(cookie);
            }

            await Task.Delay(onSaleAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(1));
            var heldAt = new double?[reals.Count];
            var estimates = new List<int>();
            int? scriptsAdmitted = null;
            var realsAdmitted = 0;
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(150) && (heldAt.Any(h => h is null) || scriptsAdmitted is null))
            {
                for (var i = 0; i < reals.Count; i++)
                {
                    if (heldAt[i] is not null)
                    {
                        continue;
                    }

                    var place = JsonNode.Parse((await reals[i].SendAsync(HttpMethod.Get, $"/api/concerts/{concertId}/queue", cookie: realCookies[i])).Body)!;
                    if (place["state"]!.GetValue<string>() == "admitted")
                    {
                        var hold = TicketApi.HoldJson(concertId, "GA", 1, place["admission"]!.GetValue<string>());
                        if ((await reals[i].SendAsync(HttpMethod.Post, "/api/holds", hold, realCookies[i])).Status == HttpStatusCode.Created)
                        {
                            heldAt[i] = clock.Elapsed.TotalSeconds;
                        }
                    }
                    else if (clock.Elapsed > TimeSpan.FromSeconds(60) && place["estimatedWaitSeconds"]?.GetValue<int>() is { } estimate)
                    {
                        estimates.Add(estimate);
                    }
                }

                if (scriptsAdmitted is null && clock.Elapsed > TimeSpan.FromSeconds(15))
                {
                    // Who had a turn 15 s in: everyone admitted by then (at 300 a minute, 75 could have been), holding or not.
                    scriptsAdmitted = 0;
                    foreach (var (api, cookie) in identities)
                    {
                        var state = JsonNode.Parse((await api.SendAsync(HttpMethod.Get, $"/api/concerts/{concertId}/queue", cookie: cookie)).Body)!["state"]!.GetValue<string>();
                        scriptsAdmitted += state is "admitted" or "expired" ? 1 : 0;
                    }

                    realsAdmitted = heldAt.Count(h => h is not null);
                }

                await Task.Delay(1_000);
            }

            var times = heldAt.Where(h => h is not null).Select(h => h!.Value).Order().ToList();
            return
            [
                ("waiting room: 200 script identities from 8 addresses join before the sale", $"places: {places}"),
                ("waiting room: turns given 15 s into the sale (50 tickets)", $"{scriptsAdmitted} to identities (who hold nothing), {realsAdmitted} to the 10 real buyers (each holds)"),
                ("waiting room: real buyers holding within 150 s", $"{times.Count} of 10 (" + (times.Count == 0 ? "–" : $"median {times[times.Count / 2]:0} s, last {times[^1]:0} s") + ")"
                    + (estimates.Count > 0 ? $"; estimate shown to those still waiting after 60 s: up to {estimates.Max():N0} s" : "")),
            ];
        }
        finally
        {
            scripts.ForEach(s => s.Dispose());
            reals.ForEach(r => r.Dispose());
        }
    }

    /// <summary>Finding 5: 20 clients fetch a 20,000-seat map over and over for 10 s while a buyer holds on another concert.</summary>
    public static async Task<IEnumerable<(string, string)>> SeatMapAsync(AppUnderTest app)
    {
        await using var _ = app;
        using var organizer = new TicketApi(app.BaseAddress, 4);
        var seated = await organizer.CreateConcertAsync(app.OrganizerPassword, ("SEATS", 5_000, 1));
        await organizer.LayOutSeatsAsync(app.OrganizerPassword, seated, "SEATS", ("A", 100, 200));
        var other = await organizer.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 100_000));
        using var buyer = new TicketApi(app.BaseAddress, 2, Address(64, 200));
        var buyerCookie = await buyer.NewBuyerAsync();
        var fetchers = Enumerable.Range(1, 20).Select(i => new TicketApi(app.BaseAddress, 1, Address(64, i))).ToList();
        var cookies = new List<string>();
        foreach (var fetcher in fetchers)
        {
            cookies.Add(await fetcher.NewBuyerAsync());
        }

        var process = app.ProcessId is { } pid ? Process.GetProcessById(pid) : null;
        var cpuBefore = process?.TotalProcessorTime;
        var statuses = new Statuses();
        long bytes = 0;
        var holds = new Latencies();
        var settled = new Latencies(); // the holds that started after the first 3 s, when each address has spent its burst
        var started = Stopwatch.StartNew();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var fetching = fetchers.Select((fetcher, i) => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var reply = await TryAsync(() => fetcher.SendAsync(HttpMethod.Get, $"/api/concerts/{seated}/seats", cookie: cookies[i]));
                statuses.Add(reply?.Status ?? HttpStatusCode.ServiceUnavailable);
                Interlocked.Add(ref bytes, reply?.Body.Length ?? 0);
            }
        })).ToList();
        var holding = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var start = Stopwatch.GetTimestamp();
                var late = started.Elapsed > TimeSpan.FromSeconds(3);
                if ((await TryAsync(() => buyer.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(other, "GA", 1), buyerCookie)))?.Status == HttpStatusCode.Created)
                {
                    holds.Add(start);
                    if (late)
                    {
                        settled.Add(start);
                    }
                }

                await TryAsync(async () =>
                {
                    await Task.Delay(100, stop.Token);
                    return true;
                });
            }
        });
        await Task.WhenAll([.. fetching, holding]);
        process?.Refresh();
        var cpu = process is null ? null : (process.TotalProcessorTime - cpuBefore)?.TotalSeconds;
        fetchers.ForEach(f => f.Dispose());
        return
        [
            ("seat map: 20 clients fetch a 20,000-seat map for 10 s", $"answers {statuses}; {bytes / 1_048_576d:N0} MB of maps sent; server CPU {cpu:0.0} s"),
            ("seat map: a buyer's holds on another concert meanwhile", $"{holds.Count} held, p50 {Ms(holds, 0.5)}, p95 {Ms(holds, 0.95)}, max {Ms(holds, 1)}; after the first 3 s: p50 {Ms(settled, 0.5)}, max {Ms(settled, 1)}"),
        ];
    }

    private static string WaitlistJson(Guid concertId, string tier, int quantity, string email) =>
        JsonSerializer.Serialize(new { concertId, tier, quantity, email });

    /// <summary>How many tickets the buyer holds for the concert now (0 when nothing).</summary>
    private static async Task<int> HeldAsync(TicketApi api, Guid concertId, string cookie)
    {
        var reply = await api.SendAsync(HttpMethod.Get, $"/api/holds/{concertId}", cookie: cookie);
        return reply.Status == HttpStatusCode.OK ? JsonNode.Parse(reply.Body)!["items"]!.AsArray().Sum(i => i!["quantity"]!.GetValue<int>()) : 0;
    }

    private static void Ensure(TicketApi.Reply reply, HttpStatusCode expected)
    {
        if (reply.Status != expected)
        {
            throw new InvalidOperationException($"Expected {(int)expected}, got {(int)reply.Status}: {reply.Body}");
        }
    }
}
