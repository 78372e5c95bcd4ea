using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace TicketBooking.Bench;

/// <summary>
/// A scheduled on-sale through its waiting room (docs/architecture.md, "The on-sale and its waiting room"): <c>--room-buyers</c> buyers (20,000) get in line before
/// <c>onSaleAt</c> for a general-admission tier of three quarters of them, so the last quarter meets a true sell-out. At the
/// sale the room shuffles them and admits them at the configured pace (<c>--admit-per-minute</c>, 500 shopping at once,
/// two-minute admissions); nobody is admitted while every ticket is sold or held. <c>--room-streams</c> of them (500) wait
/// on the room's event stream, opened before the sale; the rest poll, every max(1 s, estimated wait / 2) up to 10 s.
/// Admitted, a buyer holds one ticket with its admission and pays; a buyer admitted when fewer tickets were left than the
/// room let in (it admits at most one buyer per ticket left, but a buyer who holds first may take several) finds it sold out (409) and gives up. The sale ends when the tier is sold out for good (sold = capacity, nothing
/// held, from <c>/availability</c> every second): two beats later the buyers still waiting read their place one last time
/// and are counted "told sold out in line" (each must have been told <c>ticketsLeft</c> 0 by then). Afterwards the database's <c>queue_entries</c> show whether the room kept its promises:
/// one place per buyer, 1..n, every admitted buyer admitted once in place order, admitted + still waiting = buyers, each
/// admission within the pace (a second's worth at the sale, then the minute's rate), never more than configured in a minute,
/// never more than 500 shopping, nobody admitted after the sell-out. Timings from <c>admitted_at</c> match a buyer's
/// admission to its row by the entry id the admission starts with; the position-update latency is a stream event's arrival
/// less its <c>asOf</c> (same clock), for every event after the stream's first.
/// </summary>
internal sealed class OnSaleRoomScenario
{
    public const string Name = "onsale-room";
    private const int MaxActiveBuyers = 500;
    private const int JoinConcurrency = 200;
    private const int Connections = 256;
    private const int StreamConnectsAtOnce = 100;
    private static readonly TimeSpan s_admissionWindow = TimeSpan.FromMinutes(2);
    private static readonly TimeSpan s_soldOutPoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_lastLookAfter = TimeSpan.FromSeconds(2); // two of the room's beats (WaitingRoom:PumpInterval, 1 s)
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly TicketApi _api;
    private readonly TicketApi _streams;
    private readonly BenchOptions _options;
    private readonly Guid _concertId;
    private readonly int _capacity;
    private readonly string[] _cookies;
    private readonly DateTimeOffset _onSaleAt;
    private readonly string _queuePath;
    private readonly Latencies _positionUpdates = new();
    private readonly Latencies _seenToHold = new();
    private readonly ConcurrentBag<(Guid Entry, double SeenAtMs, SeenBy By)> _seen = [];
    private readonly ConcurrentBag<(Guid Entry, double HeldAtMs)> _held = [];
    private readonly ConcurrentBag<double> _placelessAsOfMs = [];
    private readonly int[] _toldNoTicketsLeft;
    private readonly ErrorLog _errors = new();
    private long _polls;
    private long _paid;
    private long _soldOut;
    private long _stillWaiting;
    private long _stillWaitingToldNone;
    private long _streamDrops;
    private long _lastDoneTimestamp;
    private long _soldOutForGoodMs;

    private OnSaleRoomScenario(TicketApi api, TicketApi streams, BenchOptions options, Guid concertId, int capacity, string[] cookies, DateTimeOffset onSaleAt)
    {
        _api = api;
        _streams = streams;
        _options = options;
        _concertId = concertId;
        _capacity = capacity;
        _cookies = cookies;
        _onSaleAt = onSaleAt;
        _queuePath = $"/api/concerts/{concertId}/queue";
        _toldNoTicketsLeft = new int[cookies.Length];
    }

    /// <summary>How a buyer learnt of its admission.</summary>
    private enum SeenBy
    {
        Stream,
        Poll,

        /// <summary>The last look at the place after the sell-out: admitted before it, but the poller had not looked since.</summary>
        FinalRead,
    }

    /// <summary>The room's configuration for this scenario; <see cref="AppUnderTest.StartAsync"/> passes it to the app.</summary>
    public static Dictionary<string, string> Settings(BenchOptions options) => new()
    {
        ["WaitingRoom:AdmitPerMinute"] = options.RoomAdmitPerMinute.ToString(CultureInfo.InvariantCulture),
        ["WaitingRoom:MaxActiveBuyers"] = MaxActiveBuyers.ToString(CultureInfo.InvariantCulture),
        ["WaitingRoom:AdmissionWindow"] = s_admissionWindow.ToString("c", CultureInfo.InvariantCulture),
    };

    public static async Task<RunResult> RunAsync(AppUnderTest app, BenchOptions options)
    {
        var total = Stopwatch.StartNew();
        using var sampler = new RssSampler(app);
        var buyers = options.RoomBuyers;
        var capacity = buyers * 3 / 4;
        using var api = new TicketApi(app.BaseAddress, Connections);
        using var streams = new TicketApi(app.BaseAddress, options.RoomStreams + 16);
        var cookies = new string[buyers];
        await Load.RunAsync(JoinConcurrency, buyers, TimeSpan.FromMinutes(10), async (_, i) => cookies[i] = await api.NewBuyerAsync());

        var onSaleAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30 + (buyers / 1_000.0));
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, onSaleAt, ("GA", 5_000, capacity));
        var room = new OnSaleRoomScenario(api, streams, options, concertId, capacity, cookies, onSaleAt);
        var (joinElapsed, joinedUnplaced) = await room.JoinAsync();
        Console.Error.WriteLine($"  {buyers:N0} buyers in line in {joinElapsed.TotalSeconds:0.0} s; the sale opens in {(onSaleAt - DateTimeOffset.UtcNow).TotalSeconds:0} s");

        var saleClock = await room.SellAsync();
        var rssEnd = app.ResidentMegabytes();
        var ledger = RoomLedger.Read(app, concertId, MaxActiveBuyers, options.RoomAdmitPerMinute, onSaleAt.ToUnixTimeMilliseconds());
        var invariant = Scenarios.InvariantHolds(app, concertId);
        foreach (var error in room._errors.First.Take(5))
        {
            Console.Error.WriteLine($"  error: {error}");
        }

        return room.Report(ledger, invariant, joinElapsed, joinedUnplaced, saleClock, total.Elapsed, sampler.Peak, rssEnd);
    }

    /// <summary>Every buyer gets in line before the sale; each must be told "waiting", with no place yet.</summary>
    private async Task<(TimeSpan Elapsed, long Unplaced)> JoinAsync()
    {
        long unplaced = 0;
        var elapsed = await Load.RunAsync(JoinConcurrency, _cookies.Length, TimeSpan.FromMinutes(10), async (_, i) =>
        {
            var reply = await _api.SendAsync(HttpMethod.Post, _queuePath, "{}", _cookies[i]);
            if (reply.Status != HttpStatusCode.OK)
            {
                Error($"join {i}: {(int)reply.Status} {TicketApi.Shorten(reply.Body)}");
                return;
            }

            var place = Parse(reply.Body);
            if (place.State == "waiting" && place.Position is null)
            {
                Interlocked.Increment(ref unplaced);
            }
            else
            {
                Error($"join {i}: {place.State}, position {place.Position} before the sale");
            }
        });
        return (elapsed, unplaced);
    }

    /// <summary>
    /// The sale: streams open before it, pollers start at it; ends once the tier is sold out for good and every buyer has
    /// paid, found it sold out, been counted still in line, or failed. Returns onSaleAt → the last buyer done.
    /// </summary>
    private async Task<TimeSpan> SellAsync()
    {
        // Long enough for the whole line at a third of the configured pace, and a lapsed admission or two.
        var expected = TimeSpan.FromSeconds(_cookies.Length / Math.Ceiling(_options.RoomAdmitPerMinute / 60d));
        using var deadline = new CancellationTokenSource((_onSaleAt - DateTimeOffset.UtcNow) + (3 * expected) + TimeSpan.FromMinutes(3));
        using var soldOut = new CancellationTokenSource();
        var streams = Math.Min(_options.RoomStreams, _cookies.Length);
        using var connecting = new SemaphoreSlim(StreamConnectsAtOnce);
        var connected = Enumerable.Range(0, streams).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        var buyers = Enumerable.Range(0, _cookies.Length)
            .Select(i => Task.Run(() => BuyerAsync(i, i < streams ? connected[i] : null, connecting, deadline.Token, soldOut.Token)))
            .ToArray();
        var everyone = Task.WhenAll(buyers);
        var watcher = WatchForSellOutAsync(soldOut, everyone, deadline.Token);
        var untilSale = _onSaleAt - DateTimeOffset.UtcNow;
        if (untilSale > TimeSpan.Zero)
        {
            await Task.WhenAny(Task.WhenAll(connected.Select(c => c.Task)), Task.Delay(untilSale));
        }

        Console.Error.WriteLine($"  {connected.Count(c => c.Task.IsCompleted):N0} of {streams:N0} streams connected; {(_onSaleAt - DateTimeOffset.UtcNow).TotalSeconds:0.0} s to the sale");
        await everyone;
        await watcher;
        if (Interlocked.Read(ref _soldOutForGoodMs) is > 0 and var at)
        {
            Console.Error.WriteLine($"  sold out for good {(DateTimeOffset.FromUnixTimeMilliseconds(at) - _onSaleAt).TotalSeconds:0.0} s into the sale; {Interlocked.Read(ref _stillWaiting):N0} buyers still in line");
        }

        var last = Interlocked.Read(ref _lastDoneTimestamp);
        return last == 0 ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max(0, (DateTimeOffset.FromUnixTimeMilliseconds(last) - _onSaleAt).Ticks));
    }

    /// <summary>
    /// From the sale on, reads the tier's availability every second until it is sold out for good (every ticket sold,
    /// none held: in this scenario nothing comes back), then tells the buyers still waiting; stops early if they are all done.
    /// </summary>
    private async Task WatchForSellOutAsync(CancellationTokenSource soldOut, Task everyone, CancellationToken deadline)
    {
        var untilSale = _onSaleAt - DateTimeOffset.UtcNow;
        if (untilSale > TimeSpan.Zero)
        {
            await Task.WhenAny(everyone, Task.Delay(untilSale, CancellationToken.None));
        }

        while (!everyone.IsCompleted && !deadline.IsCancellationRequested)
        {
            try
            {
                var tier = (await _api.AvailabilityAsync(_concertId))["tiers"]![0]!;
                if (tier["sold"]!.GetValue<int>() >= tier["capacity"]!.GetValue<int>() && tier["held"]!.GetValue<int>() == 0)
                {
                    Interlocked.Exchange(ref _soldOutForGoodMs, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
                    // The line's last look comes two beats later: a waiting reply's ticketsLeft is the room's counts as
                    // of its last beat, so only then must every buyer still in line be told there are none.
                    await Task.WhenAny(everyone, Task.Delay(s_lastLookAfter, CancellationToken.None));
                    await soldOut.CancelAsync();
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or JsonException or TaskCanceledException or NullReferenceException or InvalidOperationException)
            {
                Error($"availability: {exception.GetType().Name}: {exception.Message}");
            }

            await Task.WhenAny(everyone, Task.Delay(s_soldOutPoll, CancellationToken.None));
        }
    }

    /// <summary>
    /// One buyer: waits for its turn (on the stream or polling), then holds one ticket and pays, or gives up when sold out.
    /// Still waiting when the tier sold out for good, it reads its place once more and leaves the line (or shops, if it
    /// had been admitted meanwhile).
    /// </summary>
    private async Task BuyerAsync(int buyer, TaskCompletionSource? connected, SemaphoreSlim connecting, CancellationToken deadline, CancellationToken soldOut)
    {
        try
        {
            using var waiting = CancellationTokenSource.CreateLinkedTokenSource(deadline, soldOut);
            var by = connected is not null ? SeenBy.Stream : SeenBy.Poll;
            QueueReply? turn;
            try
            {
                turn = by == SeenBy.Stream ? await WaitOnStreamAsync(buyer, connected!, connecting, waiting.Token) : null;
                if (turn is null)
                {
                    by = SeenBy.Poll;
                    turn = await WaitPollingAsync(buyer, waiting.Token);
                }
            }
            catch (Exception exception) when (soldOut.IsCancellationRequested && !deadline.IsCancellationRequested
                && exception is OperationCanceledException or IOException or HttpRequestException)
            {
                by = SeenBy.FinalRead;
                turn = await ReadPlaceAsync(buyer);
                if (turn.State == "waiting")
                {
                    // Never admitted: the sale is over for them (told ticketsLeft 0, or simply never let in).
                    Interlocked.Increment(ref _stillWaiting);
                    if (Volatile.Read(ref _toldNoTicketsLeft[buyer]) == 1)
                    {
                        Interlocked.Increment(ref _stillWaitingToldNone);
                    }

                    return;
                }
            }

            var seen = Stopwatch.GetTimestamp();
            if (turn.State != "admitted" || turn.Admission is not { } admission)
            {
                Error($"buyer {buyer}: {turn.State} instead of admitted");
                return;
            }

            var entry = Guid.ParseExact(admission.Split('.')[0], "N");
            _seen.Add((entry, NowMs(), by));
            await ShopAsync(buyer, entry, admission, seen);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Error($"buyer {buyer}: not admitted by the deadline");
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or JsonException or TaskCanceledException or FormatException)
        {
            Error($"buyer {buyer}: {exception.GetType().Name}: {exception.Message}");
        }
        finally
        {
            Atomic.Max(ref _lastDoneTimestamp, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        }
    }

    /// <summary>
    /// Waits on the room's event stream, noting for every change after the first event how long after the room's state
    /// (<c>asOf</c>) it arrived. The admitting event, or the first that is neither waiting nor admitted; null if the stream ended.
    /// </summary>
    private async Task<QueueReply?> WaitOnStreamAsync(int buyer, TaskCompletionSource connected, SemaphoreSlim connecting, CancellationToken cancellation)
    {
        await connecting.WaitAsync(cancellation);
        var released = false;
        void Connected()
        {
            if (!released)
            {
                released = true;
                connecting.Release();
                connected.TrySetResult();
            }
        }

        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, $"{_queuePath}/stream");
            request.Headers.TryAddWithoutValidation("Cookie", _cookies[buyer]);
            using var response = await _streams.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellation);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                Error($"stream {buyer}: {(int)response.StatusCode}");
                Interlocked.Increment(ref _streamDrops);
                return null;
            }

            await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(cancellation)).EnumerateAsync(cancellation))
            {
                if (item.EventType != "queue")
                {
                    continue;
                }

                var received = DateTimeOffset.UtcNow;
                var reply = Observe(buyer, Parse(item.Data));
                if (released)
                {
                    _positionUpdates.AddMilliseconds((received - reply.AsOf).TotalMilliseconds);
                }

                Connected();
                if (reply.State != "waiting")
                {
                    return reply;
                }
            }

            Interlocked.Increment(ref _streamDrops);
            return null;
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException && !cancellation.IsCancellationRequested)
        {
            Interlocked.Increment(ref _streamDrops);
            return null;
        }
        finally
        {
            Connected();
        }
    }

    /// <summary>Polls the buyer's place from the sale on, every max(1 s, estimated wait / 2), at most 10 s apart.</summary>
    private async Task<QueueReply> WaitPollingAsync(int buyer, CancellationToken cancellation)
    {
        // The first poll of each buyer somewhere in the sale's first second, as browsers' clocks and reloads would spread them.
        var untilSale = _onSaleAt - DateTimeOffset.UtcNow + TimeSpan.FromMilliseconds(Random.Shared.Next(1_000));
        if (untilSale > TimeSpan.Zero)
        {
            await Task.Delay(untilSale, cancellation);
        }

        while (true)
        {
            cancellation.ThrowIfCancellationRequested();
            var place = await ReadPlaceAsync(buyer);
            if (place.State != "waiting")
            {
                return place;
            }

            var wait = Math.Clamp((place.EstimatedWaitSeconds ?? 0) / 2.0, 1, 10);
            await Task.Delay(TimeSpan.FromSeconds(wait), cancellation);
        }
    }

    /// <summary>One <c>GET …/queue</c>: the buyer's place now.</summary>
    private async Task<QueueReply> ReadPlaceAsync(int buyer)
    {
        var reply = await _api.SendAsync(HttpMethod.Get, _queuePath, cookie: _cookies[buyer]);
        Interlocked.Increment(ref _polls);
        return reply.Status == HttpStatusCode.OK
            ? Observe(buyer, Parse(reply.Body))
            : new QueueReply($"HTTP {(int)reply.Status} {TicketApi.Shorten(reply.Body)}", null, null, null, default, null);
    }

    /// <summary>Notes what a waiting reply told the buyer: no tickets left, or no place (checked against the shuffle afterwards).</summary>
    private QueueReply Observe(int buyer, QueueReply reply)
    {
        if (reply.State == "waiting")
        {
            if (reply.TicketsLeft == 0)
            {
                Volatile.Write(ref _toldNoTicketsLeft[buyer], 1);
            }

            if (reply.Position is null)
            {
                _placelessAsOfMs.Add(reply.AsOf.ToUnixTimeMilliseconds());
            }
        }

        return reply;
    }

    /// <summary>
    /// Holds one GA ticket with the admission and pays. On a sell-out (409: the last tickets went to, or are held by,
    /// buyers admitted before) the buyer gives up as a real client's "leave" button would: <c>DELETE /api/holds/{concert}</c>. There is no
    /// hold to release (404), but the call still ends the buyer's turn, so their place in the active set goes to the next
    /// in line at once instead of when the admission runs out.
    /// </summary>
    private async Task ShopAsync(int buyer, Guid entry, string admission, long seen)
    {
        var hold = await _api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(_concertId, "GA", 1, admission), _cookies[buyer]);
        if (hold.Status == HttpStatusCode.Created)
        {
            _seenToHold.Add(seen);
            _held.Add((entry, NowMs()));
            var booked = await _api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(_concertId), hold.Cookie, $"room-{buyer}");
            if (booked.Status == HttpStatusCode.Created)
            {
                Interlocked.Increment(ref _paid);
            }
            else
            {
                Error($"booking {buyer}: {(int)booked.Status} {TicketApi.Shorten(booked.Body)}");
            }

            return;
        }

        if (hold.Status == HttpStatusCode.Conflict && hold.Body.Contains("Not enough tickets", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _soldOut);
            var left = await _api.SendAsync(HttpMethod.Delete, $"/api/holds/{_concertId}", cookie: hold.Cookie);
            if (left.Status is not (HttpStatusCode.NoContent or HttpStatusCode.NotFound))
            {
                Error($"leaving {buyer}: {(int)left.Status} {TicketApi.Shorten(left.Body)}");
            }

            return;
        }

        Error($"hold {buyer}: {(int)hold.Status} {TicketApi.Shorten(hold.Body)}");
    }

    private RunResult Report(
        RoomLedger? ledger, (bool Passed, string Detail) invariant, TimeSpan joinElapsed, long joinedUnplaced,
        TimeSpan sale, TimeSpan total, double? rssPeak, double? rssEnd)
    {
        var buyers = _cookies.Length;
        var perMinute = _options.RoomAdmitPerMinute;
        var errors = _errors.Count;
        var soldOutAtMs = Interlocked.Read(ref _soldOutForGoodMs);
        var stillWaiting = Interlocked.Read(ref _stillWaiting);
        var paid = Interlocked.Read(ref _paid);
        var soldOut = Interlocked.Read(ref _soldOut);
        var seen = _seen.ToArray();
        var result = new RunResult()
            .Figure("buyers", buyers, "")
            .Figure("tickets (GA capacity)", _capacity, "")
            .Figure("on the stream", Math.Min(_options.RoomStreams, buyers), "")
            .Figure("joins/s", buyers / joinElapsed.TotalSeconds, "/s")
            .Figure("configured admissions/min", perMinute, "/min")
            .Figure("admissions/min first → last", ledger?.OverallPerMinute ?? double.NaN, "/min")
            .Figure("achieved / configured pace", (ledger?.OverallPerMinute ?? double.NaN) / perMinute * 100, "%")
            .Figure("admissions max in 60 s", ledger?.MaxPerMinute ?? double.NaN, "/min")
            .Figure("admissions max in 1 s", ledger?.MaxPerSecond ?? double.NaN, "")
            .Figure("admitting beats", ledger?.AdmittingBeats ?? double.NaN, "")
            .Figure("beats that admitted their whole share", ledger?.FullShareBeats ?? double.NaN, "")
            .Figure("longest pause between admissions", ledger?.LongestPauseMs ?? double.NaN, "ms")
            .Figure("pauses > 1.5 s", ledger?.Pauses ?? double.NaN, "")
            .Figure($"pauses > 1.5 s with {MaxActiveBuyers} shopping", ledger?.PausesWhileFull ?? double.NaN, "")
            .Figure("max shopping at once", ledger?.MaxActive ?? double.NaN, "")
            .Figure("admitted", ledger?.Admitted ?? seen.Length, "")
            .Figure("told sold out in line (still waiting at the sell-out)", stillWaiting, "")
            .Figure("… of whom told ticketsLeft = 0 while waiting", Interlocked.Read(ref _stillWaitingToldNone), "")
            .Figure("sold out on hold (409: admitted beyond the tickets left)", soldOut, "");
        var admittedToHold = ledger?.Since(_held.Select(h => (h.Entry, h.HeldAtMs))) ?? new Latencies();
        var admittedToSeenStream = ledger?.Since(seen.Where(s => s.By == SeenBy.Stream).Select(s => (s.Entry, s.SeenAtMs))) ?? new Latencies();
        var admittedToSeenPoll = ledger?.Since(seen.Where(s => s.By == SeenBy.Poll).Select(s => (s.Entry, s.SeenAtMs))) ?? new Latencies();
        result
            .Figure("admitted_at → hold 201 p50", admittedToHold.Percentile(50), "ms")
            .Figure("admitted_at → hold 201 p95", admittedToHold.Percentile(95), "ms")
            .Figure("admission seen → hold 201 p50", _seenToHold.Percentile(50), "ms")
            .Figure("admission seen → hold 201 p95", _seenToHold.Percentile(95), "ms")
            .Figure("admitted_at → seen p50 (stream)", admittedToSeenStream.Percentile(50), "ms")
            .Figure("admitted_at → seen p95 (stream)", admittedToSeenStream.Percentile(95), "ms")
            .Figure("admitted_at → seen p50 (poll)", admittedToSeenPoll.Percentile(50), "ms")
            .Figure("admitted_at → seen p95 (poll)", admittedToSeenPoll.Percentile(95), "ms")
            .Figure("admissions first seen at the last look after the sell-out", seen.Count(s => s.By == SeenBy.FinalRead), "")
            .Figure("position updates (stream)", _positionUpdates.Count, "")
            .Figure("position-update latency p50", _positionUpdates.Percentile(50), "ms")
            .Figure("position-update latency p95", _positionUpdates.Percentile(95), "ms")
            .Figure("stream drops", Interlocked.Read(ref _streamDrops), "")
            .Figure("polls sent", Interlocked.Read(ref _polls), "")
            .Figure("server RSS peak", rssPeak ?? double.NaN, "MB")
            .Figure("server RSS at the end", rssEnd ?? double.NaN, "MB")
            .Figure("sold", ledger?.Sold ?? paid, "")
            .Figure("errors", errors, "")
            .Figure("sale: onSaleAt → sold out for good", soldOutAtMs == 0 ? double.NaN : (DateTimeOffset.FromUnixTimeMilliseconds(soldOutAtMs) - _onSaleAt).TotalSeconds, "s")
            .Figure("sale: onSaleAt → last buyer done", sale.TotalSeconds, "s")
            .Figure("total duration", total.TotalSeconds, "s");

        result.Check("every join waiting, no place yet", joinedUnplaced == buyers, $"{joinedUnplaced:N0} of {buyers:N0}");
        if (ledger is null)
        {
            result.Check("the room's ledger", true, Scenarios.NotChecked);
        }
        else
        {
            var seenEntries = seen.Select(s => s.Entry).ToHashSet();
            var unseen = ledger.AdmittedEntries.Count(e => !seenEntries.Contains(e));
            var unknown = seenEntries.Count(e => !ledger.AdmittedEntries.Contains(e));
            var placeless = ledger.FirstAdmittedAt is { } shuffledAt ? _placelessAsOfMs.Count(asOf => asOf >= shuffledAt + 1_000) : 0;
            var fullest = ledger.FullestBeat;
            result
                .Check("one queue entry per buyer", ledger.Entries == buyers && ledger.DistinctBuyers == buyers, $"{ledger.Entries:N0} entries, {ledger.DistinctBuyers:N0} buyers of {buyers:N0}")
                .Check("places exactly 1..n", ledger.PlacesExact, $"{ledger.Places}")
                .Check("every admitted buyer admitted exactly once", seen.Length == seenEntries.Count && unseen == 0 && unknown == 0,
                    $"{ledger.Admitted:N0} rows admitted, {seen.Length:N0} admissions seen ({seenEntries.Count:N0} distinct, {unseen:N0} rows never seen, {unknown:N0} not in the rows)")
                .Check("admitted + still waiting at sell-out = buyers", ledger.Admitted + ledger.Waiting == buyers && ledger.Waiting == stillWaiting && seen.Length + stillWaiting == buyers,
                    $"{ledger.Admitted:N0} admitted + {ledger.Waiting:N0} waiting = {ledger.Admitted + ledger.Waiting:N0} of {buyers:N0}; {stillWaiting:N0} buyers still in line; {ledger.States}")
                .Check("admitted in place order", ledger.InPlaceOrder, ledger.InPlaceOrder ? "admitted_at never decreases along seq" : "admitted_at decreases along seq")
                .Check($"≤ {perMinute:N0} admissions in any 60 s", ledger.MaxPerMinute <= perMinute, $"max {ledger.MaxPerMinute:N0}")
                .Check($"by every beat ≤ ⌈{perMinute:N0} × (t − onSaleAt + 1 s) / 60 s⌉ admitted", ledger.BeatsOverShare == 0,
                    $"{ledger.BeatsOverShare:N0} of {ledger.AdmittingBeats:N0} beats over; fullest {fullest.Count:N0} of {fullest.Allowed:N0} after {(fullest.GapMs is { } gap ? $"{gap:N0} ms" : "none in a minute")}"
                    + (ledger.ShortestGapBeat.GapMs is { } shortest ? $"; shortest gap {shortest:N0} ms: {ledger.ShortestGapBeat.Count:N0} of {ledger.ShortestGapBeat.Allowed:N0}" : ""))
                .Check($"never over {MaxActiveBuyers} shopping", ledger.MaxActive <= MaxActiveBuyers, $"max {ledger.MaxActive:N0} (admitted_at..ended_at)")
                .Check("nobody admitted after the sell-out", soldOutAtMs > 0 && (ledger.LastAdmittedAt ?? 0) <= soldOutAtMs,
                    soldOutAtMs == 0 ? "never sold out for good" : $"last admission {(soldOutAtMs - (ledger.LastAdmittedAt ?? soldOutAtMs)) / 1000.0:0.0} s before the sell-out was seen")
                .Check("everyone still in line told ticketsLeft = 0", stillWaiting == Interlocked.Read(ref _stillWaitingToldNone),
                    $"{Interlocked.Read(ref _stillWaitingToldNone):N0} of {stillWaiting:N0}, by their last look {s_lastLookAfter.TotalSeconds:0} s after the sell-out")
                .Check("waiting replies have a place after the shuffle", placeless == 0,
                    $"{placeless:N0} waiting replies without a position from 1 s after the first admission ({_placelessAsOfMs.Count:N0} in all, before the shuffle included)");
        }

        return result
            .Check("sold = capacity exactly", (ledger?.Sold ?? paid) == _capacity && paid == _capacity,
                $"{ledger?.Sold ?? paid:N0} sold, {paid:N0} paid of {_capacity:N0}")
            .Check("every admitted buyer paid or found it sold out", paid + soldOut == seen.Length && (ledger is null || ledger.Admitted == seen.Length),
                $"{paid:N0} paid + {soldOut:N0} sold out (409) = {paid + soldOut:N0} of {seen.Length:N0} seen admitted")
            .Check("invariant exact", invariant.Passed, invariant.Detail)
            .Check("0 errors", errors == 0, $"{errors:N0} errors");
    }


    private void Error(string message) => _errors.Add(message);

    private static QueueReply Parse(string json) => JsonSerializer.Deserialize<QueueReply>(json, s_json) ?? throw new JsonException("An empty queue reply.");


    private static double NowMs() => (DateTimeOffset.UtcNow - DateTimeOffset.UnixEpoch).TotalMilliseconds;

    /// <summary>The part of <c>GET /api/concerts/{id}/queue</c> (and of each <c>queue</c> event) the buyers act on.</summary>
    private sealed record QueueReply(string State, int? Position, int? EstimatedWaitSeconds, string? Admission, DateTimeOffset AsOf, int? TicketsLeft);
}
