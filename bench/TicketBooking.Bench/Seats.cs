using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace TicketBooking.Bench;

/// <summary>
/// Reserved seating under contention: 1,000 buyers on a 500-seat tier, half naming 1–4 seats side by side drawn from the
/// same front block (overlapping on purpose), half asking for the best 2–4. Then one seat change delivered to the map's
/// SSE viewers (on a second hall like it), and the size of the delta they receive.
/// </summary>
internal static class SeatsScenario
{
    private const int Buyers = 1_000;
    private const int Changes = 10;
    private static readonly (string Name, int Rows, int SeatsPerRow)[] Hall = [("A", 10, 25), ("B", 10, 25)];

    public static async Task<RunResult> RunAsync(AppUnderTest app, TicketApi api, BenchOptions options)
    {
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("SEATS", 5_000, 1));
        await api.LayOutSeatsAsync(app.OrganizerPassword, concertId, "SEATS", Hall);
        var cookies = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(_ => api.NewBuyerAsync()));
        var random = new Random(17);
        var bodies = Enumerable.Range(0, Buyers).Select(buyer => buyer % 2 == 0
            ? TicketApi.SeatHoldJson(concertId, "SEATS", Pick(random))
            : TicketApi.HoldJson(concertId, "SEATS", 2 + random.Next(3))).ToArray();

        var all = new Latencies();
        var pickedTally = new Tally();
        var bestTally = new Tally();
        var elapsed = await Load.RunAsync(Math.Min(options.Clients, Buyers), Buyers, TimeSpan.FromMinutes(5), async (_, buyer) =>
        {
            var named = buyer % 2 == 0;
            var (outcome, _) = await api.TimedAsync(all, HttpMethod.Post, "/api/holds", bodies[buyer], cookies[buyer]);
            (named ? pickedTally : bestTally).Add(outcome);
        });

        var map = JsonNode.Parse((await api.SendAsync(HttpMethod.Get, $"/api/concerts/{concertId}/seats")).Body)!["seats"]!.AsArray();
        var available = map.Count(s => s!["status"]!.GetValue<string>() == "available");
        var lone = LoneSeats(map);
        var invariant = SeatInvariant(app, concertId);

        // The delivery is measured on a second hall of the same layout: the first one is sold out by now.
        var watched = await api.CreateConcertAsync(app.OrganizerPassword, ("SEATS", 5_000, 1));
        await api.LayOutSeatsAsync(app.OrganizerPassword, watched, "SEATS", Hall);
        var watchedMap = JsonNode.Parse((await api.SendAsync(HttpMethod.Get, $"/api/concerts/{watched}/seats")).Body)!["seats"]!.AsArray();
        var (delivery, bytes, missed) = await DeliverAsync(api, watched, watchedMap, options.Subscribers);
        var decisions = pickedTally.Success + pickedTally.Refused + bestTally.Success + bestTally.Refused;
        return new RunResult()
            .Figure("decisions/s", decisions / elapsed.TotalSeconds, "/s")
            .Percentiles("hold", all)
            .Figure("named held (201)", pickedTally.Success, "")
            .Figure("named taken (409)", pickedTally.Refused, "")
            .Figure("best held (201)", bestTally.Success, "")
            .Figure("best sold out (409)", bestTally.Refused, "")
            .Figure("seats left", available, "")
            .Figure("orphans left", lone, "")
            .Figure("viewers", options.Subscribers, "")
            .Figure("delta delivery p50", delivery.Percentile(50), "ms")
            .Figure("delta delivery p95", delivery.Percentile(95), "ms")
            .Figure("delta event bytes", bytes, "B")
            .Check("0 errors", pickedTally.Errors + bestTally.Errors == 0, $"{pickedTally.Errors + bestTally.Errors} errors")
            .Check("seats exact", invariant.Passed, invariant.Detail)
            .Check("every change reached every viewer", missed == 0 && !double.IsNaN(bytes), $"{missed} of {Changes} changes missed a viewer");
    }

    /// <summary>1–4 seats side by side in the front four rows' middle of either section: buyers fight over the same 120 seats.</summary>
    private static string[] Pick(Random random)
    {
        var count = 1 + random.Next(4);
        var section = random.Next(2) == 0 ? "A" : "B";
        var row = "ABCD"[random.Next(4)];
        var first = 8 + random.Next(15 - count);
        return [.. Enumerable.Range(first, count).Select(n => string.Create(CultureInfo.InvariantCulture, $"{section}-{row}-{n}"))];
    }

    /// <summary>Available seats whose neighbours on both sides (or a row's end) are taken: seats nobody can buy with a friend.</summary>
    private static int LoneSeats(JsonArray seats)
    {
        var lone = 0;
        foreach (var row in seats.GroupBy(s => (s!["section"]!.GetValue<string>(), s["row"]!.GetValue<string>())))
        {
            var free = row.ToDictionary(s => s!["number"]!.GetValue<int>(), s => s!["status"]!.GetValue<string>() == "available");
            lone += free.Count(seat => seat.Value && !free.GetValueOrDefault(seat.Key - 1) && !free.GetValueOrDefault(seat.Key + 1));
        }

        return lone;
    }

    /// <summary>
    /// <see cref="Changes"/> single-seat holds by new buyers, each on a free seat, while <paramref name="viewers"/> SSE clients
    /// watch; the time until each viewer sees the change's version, and the size of the <c>seats</c> event one of them got.
    /// </summary>
    private static async Task<(Latencies Delivery, double Bytes, int Missed)> DeliverAsync(TicketApi api, Guid concertId, JsonArray map, int viewers)
    {
        var free = map.Where(s => s!["status"]!.GetValue<string>() == "available").Select(s => s!["label"]!.GetValue<string>()).Take(Changes).ToList();
        var fanout = new Fanout(viewers);
        using var stop = new CancellationTokenSource();
        var readers = await fanout.ConnectAsync(api, concertId, stop.Token);
        var deltas = new List<int>();
        var watcher = WatchSeatEventsAsync(api, concertId, deltas, stop.Token);
        var delivery = new Latencies();
        var missed = 0;
        foreach (var label in free)
        {
            fanout.Expect();
            var start = Stopwatch.GetTimestamp();
            var reply = await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.SeatHoldJson(concertId, "SEATS", [label]), await api.NewBuyerAsync());
            if (reply.Status != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"The change failed: {reply.Status} {reply.Body}");
            }

            missed += await fanout.AllSeenAsync(TimeSpan.FromSeconds(30)) ? 0 : 1;
            foreach (var arrival in fanout.Arrivals())
            {
                delivery.AddMilliseconds(Stopwatch.GetElapsedTime(start, arrival).TotalMilliseconds);
            }
        }

        await stop.CancelAsync();
        await Task.WhenAll([.. readers, watcher]);
        lock (deltas)
        {
            return (delivery, deltas.Count == 0 ? double.NaN : deltas.Order().ElementAt(deltas.Count / 2), missed);
        }
    }

    /// <summary>The bytes of each <c>seats</c> event's data line, as a viewer's stream carries it.</summary>
    private static async Task WatchSeatEventsAsync(TicketApi api, Guid concertId, List<int> sizes, CancellationToken stop)
    {
        try
        {
            using var response = await api.Http.GetAsync(new Uri($"/api/concerts/{concertId}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
            var inSeats = false;
            while (await reader.ReadLineAsync(stop) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    inSeats = line == "event: seats";
                }
                else if (inSeats && line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    lock (sizes)
                    {
                        sizes.Add(System.Text.Encoding.UTF8.GetByteCount(line) + 1);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Every held or sold seat once; the tier's counters equal its seat rows; no seat both held and sold.</summary>
    private static (bool Passed, string Detail) SeatInvariant(AppUnderTest app, Guid concertId)
    {
        using var connection = Scenarios.ReadOnlyDatabase(app);
        if (connection is null)
        {
            return (true, Scenarios.NotChecked);
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT t.capacity, t.sold, t.{Scenarios.InHoldsColumn(connection)},
                   (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.held_by IS NOT NULL),
                   (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.ticket_id IS NOT NULL),
                   (SELECT COUNT(*) FROM seats s WHERE s.tier_id = t.id AND s.ticket_id IS NOT NULL AND s.held_by IS NOT NULL),
                   (SELECT CAST(COALESCE(SUM(h.quantity), 0) AS BIGINT) FROM holds h WHERE h.tier_id = t.id)
            FROM tiers t WHERE t.concert_id = @concert AND t.code = 'SEATS'
            """;
        command.With("@concert", concertId.ToString());
        using var reader = command.ExecuteReader();
        reader.Read();
        var (capacity, sold, held, heldSeats, soldSeats, both, holdRows) =
            (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6));
        var passed = held == heldSeats && sold == soldSeats && both == 0 && holdRows == heldSeats && sold + held <= capacity;
        return (passed, string.Create(CultureInfo.InvariantCulture,
            $"held {held} = seats held {heldSeats} = hold rows {holdRows}; sold {sold} = seats sold {soldSeats}; both {both}; {sold + held} ≤ {capacity}"));
    }
}
