using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace TicketBooking.Bench;

internal sealed record BenchOptions(
    int Clients, int Subscribers, TimeSpan Duration, TimeSpan MixedDuration, int HoldAttempts, int Changes, int Circuits = 2_000,
    int RoomBuyers = 20_000, int RoomAdmitPerMinute = 6_000, int RoomStreams = 500, string? GcDumps = null);

/// <summary>One run of one scenario: named figures (medianed over runs) and pass/fail checks.</summary>
internal sealed class RunResult
{
    public List<(string Name, double Value, string Unit)> Figures { get; } = [];

    public List<(string Check, bool Passed, string Detail)> Checks { get; } = [];

    public RunResult Figure(string name, double value, string unit)
    {
        Figures.Add((name, value, unit));
        return this;
    }

    public RunResult Check(string check, bool passed, string detail)
    {
        Checks.Add((check, passed, detail));
        return this;
    }

    public RunResult Percentiles(string prefix, Latencies latencies) => this
        .Figure($"{prefix} p50", latencies.Percentile(50), "ms")
        .Figure($"{prefix} p95", latencies.Percentile(95), "ms")
        .Figure($"{prefix} p99", latencies.Percentile(99), "ms");
}

internal static class Scenarios
{
    public static readonly string[] All = ["baseline", "onsale", "holds", "confirm", "fanout", "mixed"];

    /// <summary>A scenario named with this suffix (<c>holds-limited</c>) runs with every per-client limit on (<see cref="LimitedSettings"/>).</summary>
    public const string LimitedSuffix = "-limited";

    public static Task<RunResult> RunAsync(string name, AppUnderTest app, TicketApi api, BenchOptions options, int? clientCore = null) => BaseName(name) switch
    {
        "baseline" => BaselineAsync(api, options),
        "onsale" => OnSaleAsync(app, api, options),
        "holds" => HoldsAsync(app, api, options, ownAddresses: IsLimited(name)),
        "confirm" => ConfirmAsync(app, api, options),
        "fanout" => FanoutAsync(app, api, options),
        "mixed" => MixedAsync(app, api, options),
        "circuits" => CircuitsScenario.RunAsync(app, options.Circuits, options.GcDumps),
        "checkin" => CheckInAsync(app, api),
        "seats" => SeatsScenario.RunAsync(app, api, options),
        WrkScenario.Name => WrkScenario.RunAsync(app, api, options, clientCore),
        OnSaleRoomScenario.Name => OnSaleRoomScenario.RunAsync(app, options),
        _ => throw new ArgumentException($"Unknown scenario '{name}'. Scenarios: {string.Join(", ", All)}, circuits, checkin, seats, {WrkScenario.Name}, {OnSaleRoomScenario.Name}; any of them{LimitedSuffix} with the per-client limits on."),
    };

    /// <summary>The heading of a scenario's results: its name, marked when the app and the client were pinned to their cores.</summary>
    public static string Label(string name, bool pinned) => pinned ? $"{name} (pinned)" : name;

    private static bool IsLimited(string name) => name.EndsWith(LimitedSuffix, StringComparison.Ordinal);

    private static string BaseName(string name) => IsLimited(name) ? name[..^LimitedSuffix.Length] : name;

    /// <summary>Scenarios with the same key run on one app; a different key gets an app of its own.</summary>
    public static string SettingsKey(string name, BenchOptions options) =>
        string.Join(";", SettingsFor(name, options).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => $"{s.Key}={s.Value}"));

    /// <summary>Extra app configuration a scenario needs; none for most (the app starts with the per-client limits off).</summary>
    public static Dictionary<string, string> SettingsFor(string name, BenchOptions options)
    {
        var settings = BaseName(name) switch
        {
            OnSaleRoomScenario.Name => OnSaleRoomScenario.Settings(options),
            "circuits" => CircuitsScenario.Settings(options.Circuits),
            _ => [],
        };
        return IsLimited(name) ? new(settings.Concat(LimitedSettings)) : settings;
    }

    /// <summary>
    /// Every per-buyer and per-address limit on, with allowances no scenario reaches (holds-limited puts 25 buyers behind
    /// each address, the other scenarios all theirs behind one): what the limits cost is measured, nothing is refused.
    /// </summary>
    private static readonly Dictionary<string, string> LimitedSettings = new()
    {
        ["RateLimits:Enabled"] = "true",
        ["RateLimits:HoldsPerMinute"] = "100000",
        ["RateLimits:BookingsPerMinute"] = "100000",
        ["Limits:NewBuyersPerMinute"] = "1000000",
        ["Limits:HoldsPerMinutePerAddress"] = "1000000",
        ["Limits:HeartbeatsPerMinute"] = "1000000",
        ["Limits:PaymentFailuresPerHour"] = "1000000",
        ["Limits:PaymentFailuresPerHourPerBuyer"] = "1000000",
        ["Limits:EventStreamsPerAddress"] = "1000000",
        ["Limits:MaxHeldTicketsPerAddress"] = "1000000",
    };

    /// <summary>
    /// Exercises every endpoint the scenarios use for a few seconds on a concert of its own, so the figures describe
    /// a running server rather than the JIT compiling it. Not reported.
    /// </summary>
    public static async Task WarmUpAsync(AppUnderTest app, TicketApi api, BenchOptions options)
    {
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 1_000_000));
        var json = TicketApi.HoldJson(concertId, "GA", 1);
        var ignored = new Latencies();
        await Load.RunAsync(options.Clients, long.MaxValue, TimeSpan.FromSeconds(3), async (_, i) =>
        {
            await api.TimedAsync(ignored, HttpMethod.Get, i % 2 == 0 ? "/health/live" : $"/api/concerts/{concertId}/availability", success: HttpStatusCode.OK);
            var (outcome, reply) = await api.TimedAsync(ignored, HttpMethod.Post, "/api/holds", json, await api.NewBuyerAsync());
            if (outcome == Outcome.Success && i % 4 == 0)
            {
                await api.TimedAsync(ignored, HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), reply!.Cookie, $"warm-{i}");
            }
        });
    }

    /// <summary>The same client against endpoints that do (almost) nothing: the ceiling every figure is compared to.</summary>
    private static async Task<RunResult> BaselineAsync(TicketApi api, BenchOptions options)
    {
        var result = new RunResult();
        foreach (var (path, label) in new[] { ("/health/live", "live"), ("/health", "db") })
        {
            var latencies = new Latencies();
            var tally = new Tally();
            var elapsed = await Load.RunAsync(options.Clients, long.MaxValue, options.Duration, async (_, _) =>
                tally.Add((await api.TimedAsync(latencies, HttpMethod.Get, path, success: HttpStatusCode.OK, refused: null)).Outcome));
            result.Figure($"{label} req/s", tally.Total / elapsed.TotalSeconds, "req/s").Percentiles(label, latencies);
            result.Check($"{path} without errors", tally.Errors == 0, $"{tally.Errors} errors");
        }

        return result;
    }

    /// <summary>1,000 distinct buyers want one ticket each of 100; each successful hold is paid for.</summary>
    private static async Task<RunResult> OnSaleAsync(AppUnderTest app, TicketApi api, BenchOptions options)
    {
        const int Buyers = 1_000;
        const int Tickets = 100;
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, Tickets));
        var holds = new Latencies();
        var payments = new Latencies();
        var holdTally = new Tally();
        var paid = new Tally();
        var json = TicketApi.HoldJson(concertId, "GA", 1);
        // Every buyer has opened the concert page (a GET that sets the session cookie) before the sale opens.
        var cookies = await Task.WhenAll(Enumerable.Range(0, Buyers).Select(_ => api.NewBuyerAsync()));
        var elapsed = await Load.RunAsync(Math.Min(options.Clients, Buyers), Buyers, TimeSpan.FromMinutes(5), async (_, buyer) =>
        {
            var (outcome, reply) = await api.TimedAsync(holds, HttpMethod.Post, "/api/holds", json, cookies[buyer]);
            holdTally.Add(outcome);
            if (outcome == Outcome.Success)
            {
                paid.Add((await api.TimedAsync(payments, HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), reply!.Cookie, $"onsale-{buyer}", refused: null)).Outcome);
            }
        });
        var tier = (await api.AvailabilityAsync(concertId))["tiers"]![0]!;
        var sold = tier["sold"]!.GetValue<int>();
        return new RunResult()
            .Figure("held", holdTally.Success, "")
            .Figure("true sell-outs", holdTally.Refused, "")
            .Figure("errors", holdTally.Errors + paid.Errors, "")
            .Percentiles("hold", holds)
            .Percentiles("pay", payments)
            .Figure("wall time", elapsed.TotalSeconds, "s")
            .Check("exactly 100 sold", sold == Tickets && paid.Success == Tickets, $"{sold} sold, {paid.Success} paid")
            .Check("900 true sell-outs, 0 errors", holdTally.Refused == Buyers - Tickets && holdTally.Errors + paid.Errors == 0,
                $"{holdTally.Refused} sell-outs, {holdTally.Errors + paid.Errors} errors");
    }

    /// <summary>
    /// Hold attempts of 1–4 tickets on a 10,000-seat tier from keep-alive clients, each cycling through its own buyers. With
    /// <paramref name="ownAddresses"/> (holds-limited) each client connects from a loopback address of its own, as 200 people
    /// on 200 networks would: the per-address limits then see 25 buyers an address, not 5,000 behind one.
    /// </summary>
    private static async Task<RunResult> HoldsAsync(AppUnderTest app, TicketApi api, BenchOptions options, bool ownAddresses = false)
    {
        const int BuyersPerClient = 25;
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 10_000));
        var clients = Enumerable.Range(0, options.Clients)
            .Select(c => ownAddresses ? new TicketApi(app.BaseAddress, 1, IPAddress.Parse($"127.0.{1 + (c / 250)}.{1 + (c % 250)}")) : api)
            .ToArray();
        try
        {
            var buyers = await Task.WhenAll(Enumerable.Range(0, options.Clients * BuyersPerClient).Select(b => clients[b / BuyersPerClient].NewBuyerAsync()));
            var bodies = Enumerable.Range(1, 4).Select(q => TicketApi.HoldJson(concertId, "GA", q)).ToArray();
            var latencies = new Latencies();
            var tally = new Tally();
            var elapsed = await Load.RunAsync(options.Clients, options.HoldAttempts, options.Duration, async (client, i) =>
            {
                var cookie = buyers[(client * BuyersPerClient) + (int)(i / options.Clients % BuyersPerClient)];
                tally.Add((await clients[client].TimedAsync(latencies, HttpMethod.Post, "/api/holds", bodies[i % 4], cookie)).Outcome);
            });
            return Holds(app, concertId, tally, latencies, elapsed);
        }
        finally
        {
            foreach (var own in clients.Where(c => !ReferenceEquals(c, api)))
            {
                own.Dispose();
            }
        }
    }

    private static RunResult Holds(AppUnderTest app, Guid concertId, Tally tally, Latencies latencies, TimeSpan elapsed)
    {
        var invariant = InvariantHolds(app, concertId);
        return new RunResult()
            .Figure("decisions/s", (tally.Success + tally.Refused) / elapsed.TotalSeconds, "/s")
            .Figure("attempts", tally.Total, "")
            .Figure("held (201)", tally.Success, "")
            .Figure("not enough (409)", tally.Refused, "")
            .Figure("errors", tally.Errors, "")
            .Percentiles("hold", latencies)
            .Check("0 errors", tally.Errors == 0, $"{tally.Errors} errors")
            .Check("invariant exact", invariant.Passed, invariant.Detail);
    }

    /// <summary>
    /// The door: 1,000 tickets (250 bookings of 4) scanned once each by 8 doors at once, then all of them again. Every first
    /// scan must admit (200) and every second one be refused as already admitted (409).
    /// </summary>
    private static async Task<RunResult> CheckInAsync(AppUnderTest app, TicketApi api)
    {
        const int Bookings = 250, PerBooking = 4, Doors = 8;
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, Bookings * PerBooking));
        var codes = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Load.RunAsync(16, Bookings, TimeSpan.FromMinutes(5), async (_, i) =>
        {
            var hold = await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "GA", PerBooking), await api.NewBuyerAsync());
            var booked = await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), hold.Cookie, $"door-{i}");
            foreach (var ticket in System.Text.Json.Nodes.JsonNode.Parse(booked.Body)!["tickets"]!.AsArray())
            {
                codes.Add(ticket!["code"]!.GetValue<string>());
            }
        });
        var signIn = await api.SendAsync(HttpMethod.Post, "/api/admin/session", System.Text.Json.JsonSerializer.Serialize(new { password = app.OrganizerPassword }));
        var all = codes.ToArray();
        var first = new Latencies();
        var again = new Latencies();
        var admitted = new Tally();
        var refused = new Tally();
        var elapsed = await Load.RunAsync(Doors, all.Length, TimeSpan.FromMinutes(5), async (door, i) =>
            admitted.Add((await api.TimedAsync(first, HttpMethod.Post, "/api/checkin", CheckInJson(all[i], door), signIn.Cookie, success: HttpStatusCode.OK, refused: null)).Outcome));
        await Load.RunAsync(Doors, all.Length, TimeSpan.FromMinutes(5), async (door, i) =>
            refused.Add((await api.TimedAsync(again, HttpMethod.Post, "/api/checkin", CheckInJson(all[i], door), signIn.Cookie, success: HttpStatusCode.Conflict, refused: null)).Outcome));
        return new RunResult()
            .Figure("tickets", all.Length, "")
            .Figure("admissions/s", admitted.Success / elapsed.TotalSeconds, "/s")
            .Percentiles("check-in", first)
            .Percentiles("second scan", again)
            .Check("every ticket admitted once", admitted.Success == Bookings * PerBooking && admitted.Errors == 0, $"{admitted.Success} of {Bookings * PerBooking} admitted, {admitted.Errors} errors")
            .Check("every second scan refused", refused.Success == Bookings * PerBooking, $"{refused.Success} of {Bookings * PerBooking} refused as already admitted");
    }

    private static string CheckInJson(string code, int door) => System.Text.Json.JsonSerializer.Serialize(new { code, door = $"Door {door + 1}" });

    /// <summary>Hold then pay, each iteration a new buyer, on a tier that does not run out.</summary>
    private static async Task<RunResult> ConfirmAsync(AppUnderTest app, TicketApi api, BenchOptions options)
    {
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 1_000_000));
        var json = TicketApi.HoldJson(concertId, "GA", 1);
        var booking = TicketApi.BookingJson(concertId);
        var holds = new Latencies();
        var payments = new Latencies();
        var booked = new Tally();
        var elapsed = await Load.RunAsync(options.Clients, long.MaxValue, options.Duration, async (_, i) =>
        {
            var (outcome, reply) = await api.TimedAsync(holds, HttpMethod.Post, "/api/holds", json, await api.NewBuyerAsync());
            booked.Add(outcome == Outcome.Success
                ? (await api.TimedAsync(payments, HttpMethod.Post, "/api/bookings", booking, reply!.Cookie, $"confirm-{i}", refused: null)).Outcome
                : Outcome.Error);
        });
        var sold = (await api.AvailabilityAsync(concertId))["tiers"]![0]!["sold"]!.GetValue<int>();
        return new RunResult()
            .Figure("bookings/s", booked.Success / elapsed.TotalSeconds, "/s")
            .Figure("bookings", booked.Success, "")
            .Figure("errors", booked.Errors, "")
            .Percentiles("hold", holds)
            .Percentiles("pay", payments)
            .Check("every 201 is a sold ticket", sold == booked.Success, $"{sold} sold, {booked.Success} booked")
            .Check("0 errors", booked.Errors == 0, $"{booked.Errors} errors");
    }

    /// <summary>N SSE subscribers on one concert; one change at a time; how long until every subscriber has it.</summary>
    private static async Task<RunResult> FanoutAsync(AppUnderTest app, TicketApi api, BenchOptions options)
    {
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("GA", 1_000, 100_000));
        var rssBefore = app.ResidentMegabytes();
        var fanout = new Fanout(options.Subscribers);
        using var stop = new CancellationTokenSource();
        var connectClock = Stopwatch.StartNew();
        var readers = await fanout.ConnectAsync(api, concertId, stop.Token);
        var connected = connectClock.Elapsed;
        var rssConnected = app.ResidentMegabytes();
        await LoadStart.FireAsync();

        var latencies = new Latencies();
        var missed = 0;
        var json = TicketApi.HoldJson(concertId, "GA", 1);
        for (var change = 0; change < options.Changes; change++)
        {
            fanout.Expect();
            var start = Stopwatch.GetTimestamp();
            var reply = await api.SendAsync(HttpMethod.Post, "/api/holds", json, await api.NewBuyerAsync());
            if (reply.Status != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"The change failed: {reply.Status}");
            }

            if (!await fanout.AllSeenAsync(TimeSpan.FromSeconds(30)))
            {
                missed++;
            }

            foreach (var arrival in fanout.Arrivals())
            {
                latencies.AddMilliseconds(Stopwatch.GetElapsedTime(start, arrival).TotalMilliseconds);
            }
        }

        var rssAfter = app.ResidentMegabytes();
        await stop.CancelAsync();
        await Task.WhenAll(readers);
        return new RunResult()
            .Figure("subscribers", options.Subscribers, "")
            .Figure("connect all", connected.TotalSeconds, "s")
            .Figure("delivery p50", latencies.Percentile(50), "ms")
            .Figure("delivery p95", latencies.Percentile(95), "ms")
            .Figure("delivery max", latencies.Max, "ms")
            .Figure("server RSS before", rssBefore ?? double.NaN, "MB")
            .Figure("server RSS connected", rssConnected ?? double.NaN, "MB")
            .Figure("server RSS after", rssAfter ?? double.NaN, "MB")
            .Check("every subscriber got every change", missed == 0 && latencies.Count == options.Subscribers * options.Changes,
                $"{latencies.Count} of {options.Subscribers * options.Changes} deliveries");
    }

    /// <summary>90 % browse, 8 % hold, 2 % hold-and-pay, for a fixed time.</summary>
    private static async Task<RunResult> MixedAsync(AppUnderTest app, TicketApi api, BenchOptions options)
    {
        var concertId = await api.CreateConcertAsync(app.OrganizerPassword, ("VIP", 10_000, 100_000), ("GA", 1_000, 1_000_000));
        var browse = new Latencies();
        var hold = new Latencies();
        var pay = new Latencies();
        var tally = new Tally();
        var paths = new[] { "/api/concerts", $"/api/concerts/{concertId}", $"/api/concerts/{concertId}/availability" };
        var elapsed = await Load.RunAsync(options.Clients, long.MaxValue, options.MixedDuration, async (_, i) =>
        {
            var dice = (int)(i * 7919 % 100);
            if (dice < 90)
            {
                tally.Add((await api.TimedAsync(browse, HttpMethod.Get, paths[i % 3], success: HttpStatusCode.OK, refused: null)).Outcome);
                return;
            }

            var (outcome, reply) = await api.TimedAsync(hold, HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, i % 2 == 0 ? "VIP" : "GA", 1 + (int)(i % 3)), await api.NewBuyerAsync());
            tally.Add(outcome);
            if (dice >= 98 && outcome == Outcome.Success)
            {
                tally.Add((await api.TimedAsync(pay, HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), reply!.Cookie, $"mixed-{i}", refused: null)).Outcome);
            }
        });
        var invariant = InvariantHolds(app, concertId);
        return new RunResult()
            .Figure("req/s", tally.Total / elapsed.TotalSeconds, "req/s")
            .Percentiles("browse", browse)
            .Percentiles("hold", hold)
            .Percentiles("pay", pay)
            .Figure("errors", tally.Errors, "")
            .Check("0 errors", tally.Errors == 0, $"{tally.Errors} errors")
            .Check("invariant exact", invariant.Passed, invariant.Detail);
    }

    /// <summary>
    /// Reads the database directly: per tier, sold + active holds ≤ capacity, and the held counter equals the holds
    /// rows it summarizes (expired-unswept rows still count in the counter until swept).
    /// </summary>
    public const string NotChecked = "not checked (app not started by the benchmark)";

    /// <summary>
    /// The app's database when the benchmark started the app itself (its SQLite file read-only, or its cluster's
    /// PostgreSQL database); otherwise <c>null</c>. Statements name parameters <c>@name</c>, which both providers take.
    /// </summary>
    public static DbConnection? ReadOnlyDatabase(AppUnderTest app)
    {
        DbConnection? connection = app.PostgresConnectionString is { } postgres ? new Npgsql.NpgsqlConnection(postgres)
            : app.DatabasePath is { } path ? new SqliteConnection($"Data Source={path};Mode=ReadOnly;Pooling=False")
            : null;
        connection?.Open();
        return connection;
    }

    /// <summary>
    /// The name of the tiers' counter of tickets in hold rows: <c>in_holds</c> since migration 0014, <c>held</c> before
    /// (a comparison runs an older build too).
    /// </summary>
    public static string InHoldsColumn(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = connection is SqliteConnection
            ? "SELECT COUNT(*) FROM pragma_table_info('tiers') WHERE name = 'in_holds'"
            : "SELECT COUNT(*) FROM information_schema.columns WHERE table_name = 'tiers' AND column_name = 'in_holds'";
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture) > 0 ? "in_holds" : "held";
    }

    /// <summary>Adds a parameter named <paramref name="name"/> (with its @) to the command.</summary>
    public static DbCommand With(this DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
        return command;
    }

    internal static (bool Passed, string Detail) InvariantHolds(AppUnderTest app, Guid concertId)
    {
        using var connection = ReadOnlyDatabase(app);
        if (connection is null)
        {
            return (true, NotChecked);
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT t.code, t.capacity, t.sold, t.{InHoldsColumn(connection)},
                   (SELECT CAST(COALESCE(SUM(h.quantity), 0) AS BIGINT) FROM holds h WHERE h.tier_id = t.id),
                   (SELECT CAST(COALESCE(SUM(h.quantity), 0) AS BIGINT) FROM holds h WHERE h.tier_id = t.id AND h.expires_at > @now)
            FROM tiers t WHERE t.concert_id = @concert
            """;
        command.With("@concert", concertId.ToString()).With("@now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        using var reader = command.ExecuteReader();
        var details = new List<string>();
        var passed = true;
        while (reader.Read())
        {
            var (code, capacity, sold, counter, rows, active) = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetInt64(5));
            var ok = sold + active <= capacity && counter == rows;
            passed &= ok;
            details.Add(string.Create(CultureInfo.InvariantCulture, $"{code}: sold {sold} + held {active} ≤ {capacity}, counter {counter} = rows {rows}"));
        }

        return (passed && details.Count > 0, string.Join("; ", details));
    }
}
