using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;

namespace TicketBooking.Bench;

/// <summary>
/// The crowd at one on-sale (docs/scaling.md §5): <c>--watchers</c> people (15,000) wait in the room, each on the room page's
/// own event stream and from its own loopback address, while the room admits them at <c>--admit-per-minute</c> (3,000).
/// The load is split over child processes of this benchmark (<see cref="WatchersPerProcess"/> each), so no process
/// comes near the machine's 20,000 open files. An admitted person does what the page's script would: opens the concert
/// page (a circuit; at <c>Limits:MaxCircuits</c>, set to <c>--circuits</c>, the busy page and its line first), holds one
/// ticket with the admission, follows the link to checkout on the same circuit, fills in the form for <c>--dwell</c>
/// seconds (40) and pays, then closes the tab. The sale ends when every ticket (<c>--tickets</c>, 4,000) is sold.
/// Reported: the app's RSS with everyone connected, how long each change of the room takes to reach every watcher
/// (its <c>asOf</c> against the arrival, same clock), admission → hold answered, the busy page's visitors and their wait;
/// 0 errors and the invariant.
/// </summary>
internal sealed class CrowdScenario
{
    public const string Name = "crowd";

    /// <summary>The child process's command: one share of the watchers.</summary>
    public const string WatchersCommand = "crowd-watchers";

    private const int WatchersPerProcess = 5_000;
    private static readonly TimeSpan s_admissionWindow = TimeSpan.FromMinutes(3);
    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly AppUnderTest _app;
    private readonly CrowdOptions _options;
    private readonly Guid _concertId;
    private readonly ErrorLog _errors = new();
    private readonly Latencies _seenToHold = new();
    private readonly Latencies _seenToHoldStraightIn = new();
    private readonly Latencies _busyWaits = new();
    private readonly Latencies _toCheckout = new();
    private readonly Latencies _holdRequests = new();
    private readonly List<Task> _shoppers = [];
    private readonly Lock _shoppersGate = new();
    private long _paid;
    private long _soldOutOnHold;
    private long _busyVisitors;
    private long _circuitsOpen;
    private long _circuitsMax;
    private long _circuitsOpened;
    private long _refusedAtStart;

    private CrowdScenario(AppUnderTest app, CrowdOptions options, Guid concertId)
    {
        _app = app;
        _options = options;
        _concertId = concertId;
    }

    /// <summary>The app's configuration for the crowd: circuits capped at <c>--circuits</c>, the room's pace.</summary>
    public static Dictionary<string, string> Settings(CrowdOptions options) => new()
    {
        ["Limits:MaxCircuits"] = options.Circuits.ToString(CultureInfo.InvariantCulture),
        // The room's watchers and the busy page's line (12,000 by default: the crowd is this instance's whole load).
        ["Limits:MaxEventStreams"] = (options.Watchers + options.Circuits).ToString(CultureInfo.InvariantCulture),
        // Each watcher's stream, each shopper's WebSocket and HTTP connection: up to 19,500 of the 20,000 files a process
        // may open here (Kestrel's 19,000 by default).
        ["Kestrel:Limits:MaxConcurrentConnections"] = "19500",
        ["Kestrel:Limits:MaxConcurrentUpgradedConnections"] = "19500",
        ["WaitingRoom:AdmitPerMinute"] = options.AdmitPerMinute.ToString(CultureInfo.InvariantCulture),
        // No more shopping at once than there are circuits: a room that lets in more than the pages can take fills the busy
        // page's line faster than circuits free up, and admissions lapse there.
        ["WaitingRoom:MaxActiveBuyers"] = options.Circuits.ToString(CultureInfo.InvariantCulture),
        ["WaitingRoom:AdmissionWindow"] = s_admissionWindow.ToString("c", CultureInfo.InvariantCulture),
    };

    /// <summary>Watcher <paramref name="index"/>'s loopback address, 127.20.0.1 onwards (the other scenarios use 127.0–3.x.x).</summary>
    public static IPAddress Address(int index) =>
        new([127, (byte)(20 + (index / 62_500)), (byte)((index / 250 % 250) + 1), (byte)((index % 250) + 1)]);

    public static async Task<RunResult> RunAsync(AppUnderTest app, CrowdOptions options)
    {
        using var api = new TicketApi(app.BaseAddress, 64);
        // Time for everyone to get in line and connect before the sale (about 200–250 a second on this machine).
        var onSaleAt = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(20 + (options.Watchers / 180.0));
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, onSaleAt, ("GA", 5_000, options.Tickets));
        var crowd = new CrowdScenario(app, options, concertId);
        using var sampler = new RssSampler(app, () => Interlocked.Read(ref crowd._circuitsOpen));
        var rssBefore = app.ResidentMegabytes();
        var children = Enumerable.Range(0, (options.Watchers + WatchersPerProcess - 1) / WatchersPerProcess)
            .Select(i => WatcherProcess.Start(app.BaseAddress, concertId, i * WatchersPerProcess, Math.Min(WatchersPerProcess, options.Watchers - (i * WatchersPerProcess)), crowd.OnAdmitted, crowd.Error))
            .ToList();
        var joined = Stopwatch.StartNew();
        await Task.WhenAny(Task.WhenAll(children.Select(c => c.Ready)), Task.Delay(onSaleAt - DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30)));
        var connected = children.Sum(c => c.Ready.IsCompletedSuccessfully ? c.Ready.Result : 0);
        var connectTime = joined.Elapsed;
        var rssWatching = app.ResidentMegabytes();
        Console.Error.WriteLine($"  {connected:N0} of {options.Watchers:N0} watching in {connectTime.TotalSeconds:0.0} s, RSS {rssWatching:N0} MB; the sale opens in {(onSaleAt - DateTimeOffset.UtcNow).TotalSeconds:0} s");

        var soldOutAt = await crowd.WaitForSellOutAsync(api, onSaleAt);
        Task[] shoppers;
        lock (crowd._shoppersGate)
        {
            shoppers = [.. crowd._shoppers];
        }

        await Task.WhenAll(shoppers).WaitAsync(TimeSpan.FromMinutes(3));
        var summaries = await Task.WhenAll(children.Select(c => c.StopAsync()));
        var invariant = Scenarios.InvariantHolds(app, concertId);
        foreach (var error in crowd._errors.First.Take(10))
        {
            Console.Error.WriteLine($"  error: {error}");
        }

        return crowd.Report(summaries, connected, connectTime, rssBefore, rssWatching, sampler, onSaleAt, soldOutAt, invariant);
    }

    /// <summary>Reads the tier every second from the sale on until every ticket is sold and none held; when that was.</summary>
    private async Task<DateTimeOffset?> WaitForSellOutAsync(TicketApi api, DateTimeOffset onSaleAt)
    {
        var deadline = onSaleAt + TimeSpan.FromSeconds(_options.Tickets * 60.0 / _options.AdmitPerMinute * 3) + TimeSpan.FromMinutes(3);
        while (DateTimeOffset.UtcNow < deadline)
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            if (DateTimeOffset.UtcNow < onSaleAt)
            {
                continue;
            }

            try
            {
                var tier = (await api.AvailabilityAsync(_concertId))["tiers"]![0]!;
                if (tier["sold"]!.GetValue<int>() >= tier["capacity"]!.GetValue<int>() && tier["held"]!.GetValue<int>() == 0)
                {
                    return DateTimeOffset.UtcNow;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException or JsonException)
            {
                Error($"availability: {exception.GetType().Name}: {exception.Message}");
            }
        }

        Error("not sold out by the deadline");
        return null;
    }

    private void OnAdmitted(int index, string cookie, string admission, long seenTimestamp)
    {
        var shopper = Task.Run(() => ShopAsync(index, cookie, admission, seenTimestamp));
        lock (_shoppersGate)
        {
            _shoppers.Add(shopper);
        }
    }

    /// <summary>
    /// One admitted person, as the room page's script and the browser would: the concert page (through the busy page when
    /// no circuit is free), a hold with the admission, checkout on the same circuit, the form, paying, closing the tab.
    /// </summary>
    private async Task ShopAsync(int index, string cookie, string admission, long seenTimestamp)
    {
        var address = Address(index);
        using var buyer = new TicketApi(_app.BaseAddress, 4, address, TimeSpan.FromMinutes(5), followRedirects: false);
        var concertPath = $"/concerts/{_concertId}";
        try
        {
            // The concert page and its circuit; sent to the busy page on the way (by the page's 302, or by the circuit's
            // refusal when the slot went to someone else in between), the visitor waits there and comes back.
            string? busyPath = null;
            TimeSpan? waited = null;
            BlazorCircuit? started = null;
            var visitor = new Visitor(cookie);
            while (started is null)
            {
                var (page, wait) = await OpenPageAsync(buyer, concertPath, visitor, busyPath);
                if (page is null)
                {
                    return;
                }

                waited = wait is null ? waited : (waited ?? TimeSpan.Zero) + wait.Value;
                try
                {
                    started = await BlazorCircuit.StartAsync(_app.BaseAddress, concertPath, page, visitor.Cookies, address, CancellationToken.None);
                }
                catch (CircuitBusyException busy)
                {
                    Interlocked.Increment(ref _refusedAtStart);
                    busyPath = busy.BusyPath;
                }
            }

            if (waited is { } total)
            {
                _busyWaits.AddMilliseconds(total.TotalMilliseconds);
            }

            await using var circuit = started;
            Interlocked.Increment(ref _circuitsOpened);
            Atomic.Max(ref _circuitsMax, Interlocked.Increment(ref _circuitsOpen));
            try
            {
                var holding = Stopwatch.GetTimestamp();
                var hold = await buyer.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(_concertId, "GA", 1, admission), cookie);
                _holdRequests.Add(holding);
                if (hold.Status == HttpStatusCode.Conflict && hold.Body.Contains("Not enough tickets", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref _soldOutOnHold);
                    await buyer.SendAsync(HttpMethod.Delete, $"/api/holds/{_concertId}", cookie: cookie);
                    return;
                }

                if (hold.Status != HttpStatusCode.Created)
                {
                    Error($"hold {index}: {(int)hold.Status} {TicketApi.Shorten(hold.Body)}");
                    return;
                }

                _seenToHold.Add(seenTimestamp);
                if (waited is null)
                {
                    _seenToHoldStraightIn.Add(seenTimestamp);
                }

                var atCheckout = Stopwatch.GetTimestamp();
                var shown = circuit.RendersAsync("Tickets held for you");
                await circuit.NavigateAsync($"/checkout/{_concertId}", CancellationToken.None);
                await shown.WaitAsync(TimeSpan.FromSeconds(30));
                _toCheckout.Add(atCheckout);
                await Task.Delay(_options.Dwell);
                var booked = await buyer.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(_concertId), cookie, $"crowd-{index}");
                if (booked.Status == HttpStatusCode.Created)
                {
                    Interlocked.Increment(ref _paid);
                }
                else
                {
                    Error($"booking {index}: {(int)booked.Status} {TicketApi.Shorten(booked.Body)}");
                }
            }
            finally
            {
                await circuit.CloseAsync(buyer);
                Interlocked.Decrement(ref _circuitsOpen);
            }
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or TimeoutException or InvalidOperationException
            or TaskCanceledException or JsonException or AggregateException or System.Net.WebSockets.WebSocketException)
        {
            Error($"shopper {index}: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>
    /// The concert page as a browser gets it: straight away, or (302 to the busy page) after waiting in the line for
    /// circuits on the busy page's stream until admitted. The page, the cookies to start its circuit with, and the wait.
    /// </summary>
    private async Task<(string? Body, TimeSpan? Waited)> OpenPageAsync(TicketApi buyer, string path, Visitor visitor, string? sentToBusyPage)
    {
        var busy = sentToBusyPage;
        if (busy is null)
        {
            using var first = await GetAsync(buyer, path, visitor.Cookies);
            if (first.StatusCode == HttpStatusCode.OK)
            {
                return (await first.Content.ReadAsStringAsync(), null);
            }

            if (first.StatusCode != HttpStatusCode.Found || first.Headers.Location?.OriginalString is not { } location || !location.StartsWith("/busy", StringComparison.Ordinal))
            {
                Error($"concert page: {(int)first.StatusCode} {first.Headers.Location}");
                return (null, null);
            }

            busy = location;
        }

        Interlocked.Increment(ref _busyVisitors);
        var waiting = Stopwatch.GetTimestamp();
        using var busyPage = await GetAsync(buyer, busy, visitor.Cookies);
        var body = await busyPage.Content.ReadAsStringAsync();
        visitor.Line = busyPage.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.Select(v => v.Split(';')[0]).FirstOrDefault(v => v.StartsWith("tb_line=", StringComparison.Ordinal)) ?? visitor.Line
            : visitor.Line;
        if (busyPage.StatusCode != HttpStatusCode.OK || visitor.Line is null || !body.Contains("data-busy", StringComparison.Ordinal))
        {
            Error($"busy page: {(int)busyPage.StatusCode}, line cookie {(visitor.Line is null ? "missing" : "set")}");
            return (null, null);
        }

        var cookies = visitor.Cookies;
        using (var stream = await GetAsync(buyer, "/api/circuits/line/stream", cookies, HttpCompletionOption.ResponseHeadersRead))
        {
            var admitted = false;
            await foreach (var item in SseParser.Create(await stream.Content.ReadAsStreamAsync()).EnumerateAsync())
            {
                if (item.EventType == "line" && item.Data.Contains("\"admitted\"", StringComparison.Ordinal))
                {
                    admitted = true;
                    break;
                }
            }

            if (!admitted)
            {
                Error($"busy line: the stream ended ({(int)stream.StatusCode}) without a turn");
                return (null, null);
            }
        }

        using var again = await GetAsync(buyer, path, cookies);
        var waited = Stopwatch.GetElapsedTime(waiting);
        if (again.StatusCode != HttpStatusCode.OK)
        {
            Error($"concert page after the busy page: {(int)again.StatusCode} {again.Headers.Location}");
            return (null, waited);
        }

        return (await again.Content.ReadAsStringAsync(), waited);
    }

    private static async Task<HttpResponseMessage> GetAsync(TicketApi api, string path, string cookies, HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Cookie", cookies);
        return await api.Http.SendAsync(request, completion);
    }

    private RunResult Report(
        WatcherSummary.Totals[] summaries, int connected, TimeSpan connectTime, double? rssBefore, double? rssWatching, RssSampler sampler,
        DateTimeOffset onSaleAt, DateTimeOffset? soldOutAt, (bool Passed, string Detail) invariant)
    {
        var perEvent = new long[WatcherSummary.Buckets + 1];
        var changes = new Dictionary<long, (int Count, double MaxMs)>();
        foreach (var summary in summaries)
        {
            for (var i = 0; i < perEvent.Length; i++)
            {
                perEvent[i] += summary.Histogram[i];
            }

            foreach (var change in summary.Changes)
            {
                var asOf = (long)change[0];
                var known = changes.GetValueOrDefault(asOf);
                changes[asOf] = (known.Count + (int)change[1], Math.Max(known.MaxMs, change[2]));
            }
        }

        // A change of the room reaches every watcher when the last of the watchers whose place it changed has it.
        var toAll = new Latencies();
        foreach (var change in changes.Values)
        {
            toAll.AddMilliseconds(change.MaxMs);
        }

        var childErrors = summaries.Sum(s => s.Errors);
        var errors = _errors.Count + childErrors;
        var (rssAtMostCircuits, circuitsAtThatTime) = sampler.AtGaugeHigh;
        var paid = Interlocked.Read(ref _paid);
        return new RunResult()
            .Figure("watchers", _options.Watchers, "")
            .Figure("watcher processes", summaries.Length, "")
            .Figure("watching before the sale (first event on the stream)", connected, "")
            .Figure("everyone in line and watching", connectTime.TotalSeconds, "s")
            .Figure("circuit cap (Limits:MaxCircuits)", _options.Circuits, "")
            .Figure("RSS before", rssBefore ?? double.NaN, "MB")
            .Figure("RSS with everyone watching", rssWatching ?? double.NaN, "MB")
            .Figure("RSS per watcher", ((rssWatching ?? 0) - (rssBefore ?? 0)) * 1024 / Math.Max(1, connected), "KB")
            .Figure("circuits open at most", Interlocked.Read(ref _circuitsMax), "")
            .Figure("RSS with the most circuits open", rssAtMostCircuits, "MB")
            .Figure("… circuits open then", circuitsAtThatTime, "")
            .Figure("RSS peak", sampler.Peak ?? double.NaN, "MB")
            .Figure("open files peak (the process may have 20,000 here)", sampler.OpenFilesPeak ?? double.NaN, "")
            .Figure("room changes seen", changes.Count, "")
            .Figure("room change → all watchers p50", toAll.Percentile(50), "ms")
            .Figure("room change → all watchers p95", toAll.Percentile(95), "ms")
            .Figure("room change → all watchers max", toAll.Max, "ms")
            .Figure("room change → one watcher p50", WatcherSummary.Percentile(perEvent, 50), "ms")
            .Figure("room change → one watcher p95", WatcherSummary.Percentile(perEvent, 95), "ms")
            .Figure("events delivered", perEvent.Sum(), "")
            .Figure("admitted", summaries.Sum(s => s.Admitted), "")
            .Figure("admission seen → hold answered p50 (all)", _seenToHold.Percentile(50), "ms")
            .Figure("admission seen → hold answered p95 (all)", _seenToHold.Percentile(95), "ms")
            .Figure("admission seen → hold answered p50 (circuit at once)", _seenToHoldStraightIn.Percentile(50), "ms")
            .Figure("admission seen → hold answered p95 (circuit at once)", _seenToHoldStraightIn.Percentile(95), "ms")
            .Figure("hold request → answered p50", _holdRequests.Percentile(50), "ms")
            .Figure("hold request → answered p95", _holdRequests.Percentile(95), "ms")
            .Figure("checkout link → checkout drawn p95", _toCheckout.Percentile(95), "ms")
            .Figure("busy-page visits", Interlocked.Read(ref _busyVisitors), "")
            .Figure("… of them sent by a circuit refused as it started", Interlocked.Read(ref _refusedAtStart), "")
            .Figure("busy-page wait for a circuit p50", _busyWaits.Percentile(50), "ms")
            .Figure("busy-page wait for a circuit p95", _busyWaits.Percentile(95), "ms")
            .Figure("busy-page wait for a circuit max", _busyWaits.Max, "ms")
            .Figure("circuits opened", Interlocked.Read(ref _circuitsOpened), "")
            .Figure("paid", paid, "")
            .Figure("sold out on hold (409)", Interlocked.Read(ref _soldOutOnHold), "")
            .Figure("told sold out while in line", summaries.Sum(s => s.ToldSoldOut), "")
            .Figure("stream drops", summaries.Sum(s => s.Drops), "")
            .Figure("sale: onSaleAt → sold out", soldOutAt is { } at ? (at - onSaleAt).TotalSeconds : double.NaN, "s")
            .Figure("errors", errors, "")
            .Check("everyone watching before the sale", connected == _options.Watchers, $"{connected:N0} of {_options.Watchers:N0}")
            .Check("every ticket sold and paid", soldOutAt is not null && paid == _options.Tickets, $"{paid:N0} paid of {_options.Tickets:N0}")
            .Check("invariant exact", invariant.Passed, invariant.Detail)
            .Check("0 errors (no error page, no refused circuit, no dropped stream)", errors == 0 && summaries.Sum(s => s.Drops) == 0,
                $"{errors:N0} errors, {summaries.Sum(s => s.Drops):N0} drops");
    }


    private void Error(string message) => _errors.Add(message);


    /// <summary>
    /// The child process's work (<c>crowd-watchers --url U --concert ID --from K --count N</c>): N people from their own
    /// addresses get a buyer cookie, get in line and watch the room's stream. On stdout, one line each: <c>ready</c> when
    /// all watch, <c>admitted</c> with what the parent needs to shop, <c>error</c>; on <c>stop</c> (stdin) the summary.
    /// </summary>
    public static async Task<int> WatchAsync(Uri baseAddress, Guid concertId, int from, int count)
    {
        var output = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
        var writing = new Lock();
        void Say(string line)
        {
            lock (writing)
            {
                output.WriteLine(line);
            }
        }

        var summary = new WatcherSummary();
        using var stop = new CancellationTokenSource();
        using var connecting = new SemaphoreSlim(100);
        var connected = 0;
        var settled = 0;
        var everyoneIn = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void Settled(bool watching)
        {
            if (watching)
            {
                Interlocked.Increment(ref connected);
            }

            if (Interlocked.Increment(ref settled) == count)
            {
                everyoneIn.TrySetResult();
            }
        }

        var watchers = Enumerable.Range(from, count).Select(index => Task.Run(async () =>
        {
            var settledHere = false;
            try
            {
                await connecting.WaitAsync(stop.Token);
                var released = false;
                using var api = new TicketApi(baseAddress, 2, Address(index), Timeout.InfiniteTimeSpan);
                try
                {
                    var cookie = await api.NewBuyerAsync();
                    var joined = await api.SendAsync(HttpMethod.Post, $"/api/concerts/{concertId}/queue", "{}", cookie);
                    if (joined.Status != HttpStatusCode.OK)
                    {
                        summary.Error(Say, $"join {index}: {(int)joined.Status} {TicketApi.Shorten(joined.Body)}");
                        return;
                    }

                    using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/concerts/{concertId}/queue/stream");
                    request.Headers.TryAddWithoutValidation("Cookie", cookie);
                    using var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        summary.Error(Say, $"stream {index}: {(int)response.StatusCode}");
                        return;
                    }

                    var first = true;
                    await foreach (var item in SseParser.Create(await response.Content.ReadAsStreamAsync(stop.Token)).EnumerateAsync(stop.Token))
                    {
                        if (item.EventType != "queue")
                        {
                            continue;
                        }

                        var arrived = DateTimeOffset.UtcNow;
                        var place = JsonSerializer.Deserialize<Place>(item.Data, s_json)!;
                        if (first)
                        {
                            first = false;
                            released = true;
                            connecting.Release();
                            settledHere = true;
                            Settled(watching: true);
                        }
                        else
                        {
                            summary.Arrived(place.AsOf, (arrived - place.AsOf).TotalMilliseconds);
                        }

                        if (place.State == "admitted" && place.Admission is { } admission)
                        {
                            summary.Admit();
                            Say($"admitted\t{index}\t{cookie}\t{admission}\t{Stopwatch.GetTimestamp()}");
                            return;
                        }

                        if (place.State != "waiting")
                        {
                            summary.Error(Say, $"watcher {index}: {place.State}");
                            return;
                        }

                        if (place.TicketsLeft == 0)
                        {
                            summary.SoldOut(index);
                        }
                    }

                    if (!stop.IsCancellationRequested)
                    {
                        summary.Drop(Say, $"watcher {index}: the stream ended");
                    }
                }
                finally
                {
                    if (!released)
                    {
                        connecting.Release();
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception exception) when (exception is HttpRequestException or IOException or JsonException or InvalidOperationException or TaskCanceledException)
            {
                summary.Drop(Say, $"watcher {index}: {exception.GetType().Name}: {exception.Message}");
            }
            finally
            {
                if (!settledHere)
                {
                    Settled(watching: false);
                }
            }
        })).ToArray();

        _ = everyoneIn.Task.ContinueWith(_ => Say($"ready\t{Volatile.Read(ref connected)}"), TaskScheduler.Default);
        while (await Console.In.ReadLineAsync() is { } command && command != "stop")
        {
        }

        await stop.CancelAsync();
        await Task.WhenAll(watchers);
        Say("summary\t" + JsonSerializer.Serialize(summary.Snapshot(), s_json));
        return 0;
    }

    /// <summary>A browser's cookies: the buyer's, and its place in the line for circuits once the busy page gave one.</summary>
    private sealed class Visitor(string buyer)
    {
        public string? Line { get; set; }

        public string Cookies => Line is null ? buyer : $"{buyer}; {Line}";
    }

    /// <summary>One event of the room's stream, the part a watcher looks at.</summary>
    private sealed record Place(string State, string? Admission, DateTimeOffset AsOf, int? TicketsLeft);

    /// <summary>A child process of watchers, seen from the parent: its lines routed, its readiness and its summary.</summary>
    private sealed class WatcherProcess
    {
        private readonly Process _process;
        private readonly TaskCompletionSource<int> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource<WatcherSummary.Totals> _summary = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private WatcherProcess(Process process) => _process = process;

        public Task<int> Ready => _ready.Task;

        public static WatcherProcess Start(Uri baseAddress, Guid concertId, int from, int count, Action<int, string, string, long> admitted, Action<string> error)
        {
            var self = Environment.ProcessPath ?? "dotnet";
            var start = new ProcessStartInfo(self)
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            {
                start.ArgumentList.Add(typeof(CrowdScenario).Assembly.Location);
            }

            foreach (var argument in new[]
            {
                WatchersCommand, "--url", baseAddress.ToString(), "--concert", concertId.ToString(),
                "--from", from.ToString(CultureInfo.InvariantCulture), "--count", count.ToString(CultureInfo.InvariantCulture),
            })
            {
                start.ArgumentList.Add(argument);
            }

            var process = Process.Start(start) ?? throw new InvalidOperationException("A watcher process did not start.");
            var child = new WatcherProcess(process);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { Length: > 0 } line)
                {
                    Console.Error.WriteLine($"  watchers {from}: {line}");
                }
            };
            process.BeginErrorReadLine();
            _ = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line)
                {
                    var parts = line.Split('\t');
                    switch (parts[0])
                    {
                        case "ready":
                            child._ready.TrySetResult(int.Parse(parts[1], CultureInfo.InvariantCulture));
                            break;
                        case "admitted":
                            admitted(int.Parse(parts[1], CultureInfo.InvariantCulture), parts[2], parts[3], long.Parse(parts[4], CultureInfo.InvariantCulture));
                            break;
                        case "error":
                            error($"watchers: {parts[1]}");
                            break;
                        case "summary":
                            child._summary.TrySetResult(JsonSerializer.Deserialize<WatcherSummary.Totals>(parts[1], s_json)!);
                            break;
                    }
                }

                child._ready.TrySetResult(0);
                child._summary.TrySetException(new InvalidOperationException($"The watchers from {from} ended without a summary (exit {process.ExitCode})."));
            });
            return child;
        }

        public async Task<WatcherSummary.Totals> StopAsync()
        {
            await _process.StandardInput.WriteLineAsync("stop");
            await _process.StandardInput.FlushAsync();
            var summary = await _summary.Task.WaitAsync(TimeSpan.FromMinutes(2));
            await _process.WaitForExitAsync();
            _process.Dispose();
            return summary;
        }
    }
}

/// <summary>The crowd's size and pace (<c>bench -- crowd</c>'s options).</summary>
internal sealed record CrowdOptions(int Watchers, int Circuits, int Tickets, int AdmitPerMinute, TimeSpan Dwell);

/// <summary>What one watcher process saw: each event's delay after its <c>asOf</c> in 1-ms buckets, each room change's slowest.</summary>
internal sealed class WatcherSummary
{
    /// <summary>Delays up to 30 s in 1-ms buckets, the last bucket is everything later.</summary>
    public const int Buckets = 30_000;

    private readonly long[] _histogram = new long[Buckets + 1];
    private readonly ConcurrentDictionary<long, (int Count, double MaxMs)> _changes = new();
    private readonly ConcurrentDictionary<int, bool> _toldSoldOut = new();
    private long _admitted;
    private long _errors;
    private long _drops;

    public void Arrived(DateTimeOffset asOf, double delayMs)
    {
        Interlocked.Increment(ref _histogram[Math.Clamp((int)delayMs, 0, Buckets)]);
        _changes.AddOrUpdate(asOf.ToUnixTimeMilliseconds(), (1, delayMs), (_, known) => (known.Count + 1, Math.Max(known.MaxMs, delayMs)));
    }

    public void Admit() => Interlocked.Increment(ref _admitted);

    public void SoldOut(int watcher) => _toldSoldOut.TryAdd(watcher, true);

    public void Error(Action<string> say, string message)
    {
        if (Interlocked.Increment(ref _errors) <= 10)
        {
            say($"error\t{message}");
        }
    }

    public void Drop(Action<string> say, string message)
    {
        if (Interlocked.Increment(ref _drops) <= 10)
        {
            say($"error\t{message}");
        }
    }

    public Totals Snapshot() => new(
        [.. _histogram], [.. _changes.Select(c => new[] { c.Key, c.Value.Count, c.Value.MaxMs })],
        Interlocked.Read(ref _admitted), Interlocked.Read(ref _errors), Interlocked.Read(ref _drops), _toldSoldOut.Count);

    public static double Percentile(long[] histogram, double p)
    {
        var total = histogram.Sum();
        if (total == 0)
        {
            return double.NaN;
        }

        var rank = (long)Math.Ceiling(p / 100 * total);
        long seen = 0;
        for (var i = 0; i < histogram.Length; i++)
        {
            seen += histogram[i];
            if (seen >= rank)
            {
                return i;
            }
        }

        return histogram.Length - 1;
    }

    /// <summary>The summary as it crosses from the child to the parent.</summary>
    internal sealed record Totals(long[] Histogram, double[][] Changes, long Admitted, long Errors, long Drops, int ToldSoldOut);
}
