using Microsoft.Extensions.Options;
using TicketBooking.Core.Diagnostics;

namespace TicketBooking.Web.Limits;

/// <summary>
/// Every per-client limit in one place (DESIGN §15), asked by the API and the pages alike. Each check returns null
/// when the action may go ahead, or the <see cref="Refusal"/> to show (429 with Retry-After in the API). Budgets that
/// count failures (payments, sign-ins, booking searches) are asked first and charged only when the attempt failed.
/// A refusal is logged once per client and limit per minute.
/// </summary>
public sealed partial class FairUse
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);

    private readonly bool _enabled;
    private readonly Budget _newBuyers;
    private readonly Budget _holdsPerBuyer;
    private readonly Budget _holdsPerAddress;
    private readonly Budget _heartbeats;
    private readonly Budget _paymentsPerBuyer;
    private readonly Budget _paymentFailuresPerBuyer;
    private readonly Budget _paymentFailuresPerAddress;
    private readonly Budget _claimFailures;
    private readonly Budget _signInFailures;
    private readonly Budget _signInFailuresServerWide;
    private readonly ConnectionBudget _streams;
    private readonly ConnectionBudget _circuits;
    private readonly TicketBookingMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger<FairUse> _logger;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string Limit, string Client), long> _loggedMinute = new();

    public FairUse(IOptions<RateLimitOptions> rates, IOptions<LimitOptions> limits, TicketBookingMetrics metrics, TimeProvider time, ILogger<FairUse> logger)
    {
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(limits);
        var l = limits.Value;
        _enabled = rates.Value.Enabled;
        _newBuyers = new Budget("new-buyers", l.NewBuyersPerMinute, Minute, time);
        _holdsPerBuyer = new Budget("holds", rates.Value.HoldsPerMinute, Minute, time);
        _holdsPerAddress = new Budget("holds-per-address", l.HoldsPerMinutePerAddress, Minute, time);
        _heartbeats = new Budget("heartbeats", l.HeartbeatsPerMinute, Minute, time);
        _paymentsPerBuyer = new Budget("payments", rates.Value.BookingsPerMinute, Minute, time);
        _paymentFailuresPerBuyer = new Budget("payment-failures", l.PaymentFailuresPerHourPerBuyer, Hour, time);
        _paymentFailuresPerAddress = new Budget("payment-failures-per-address", l.PaymentFailuresPerHour, Hour, time);
        _claimFailures = new Budget("booking-searches", l.ClaimFailuresPerHour, Hour, time);
        _signInFailures = new Budget("sign-in-failures", l.SignInFailuresPerMinute, Minute, time);
        _signInFailuresServerWide = new Budget("sign-in-failures-server-wide", l.SignInFailuresPerMinuteServerWide, Minute, time);
        _streams = new ConnectionBudget("event-streams", l.EventStreamsPerAddress, l.MaxEventStreams);
        _circuits = new ConnectionBudget("circuits", l.CircuitsPerAddress, l.MaxCircuits);
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Event streams open now.</summary>
    public int OpenEventStreams => _streams.Open;

    /// <summary>Circuits connected now.</summary>
    public int OpenCircuits => _circuits.Open;

    /// <summary>A visitor without a cookie is about to get a new buyer identity.</summary>
    public Refusal? NewBuyer(string address) =>
        Take(_newBuyers, address, address, wait => $"Too many new visitors from your network just now. Please try again in {Words(wait)}.");

    public Refusal? Hold(Requester who) =>
        Take(_holdsPerAddress, who.Address, who.Address, wait => $"Too many checkouts from your network just now. Please try again in {Words(wait)}.")
        ?? Take(_holdsPerBuyer, who.Buyer.ToString(), who.Address, wait => $"You changed your tickets very often. Please wait {Words(wait)} and try again.");

    public Refusal? Heartbeat(Requester who) =>
        Take(_heartbeats, who.Buyer.ToString(), who.Address, wait => $"Too many checkout updates. Please wait {Words(wait)}.");

    /// <summary>A payment attempt: within the buyer's rate and while neither the buyer nor the address has used up its failures.</summary>
    public Refusal? Payment(Requester who) =>
        Check(_paymentFailuresPerAddress, who.Address, who.Address, TooManyDeclines)
        ?? Check(_paymentFailuresPerBuyer, who.Buyer.ToString(), who.Address, TooManyDeclines)
        ?? Take(_paymentsPerBuyer, who.Buyer.ToString(), who.Address, wait => $"Too many payment attempts. Please wait {Words(wait)} and try again.");

    /// <summary>The card was declined or invalid: it counts against the buyer's and the address's failures.</summary>
    public void PaymentFailed(Requester who)
    {
        ArgumentNullException.ThrowIfNull(who);
        Charge(_paymentFailuresPerAddress, who.Address);
        Charge(_paymentFailuresPerBuyer, who.Buyer.ToString());
    }

    public Refusal? BookingSearch(string address) =>
        Check(_claimFailures, address, address, wait => $"Too many searches that found nothing. Please wait {Words(wait)} and try again.");

    public void BookingSearchFailed(string address) => Charge(_claimFailures, address);

    /// <summary>
    /// Organizer sign-in. A device that signed in before is limited only on its own failures, so a guesser on the
    /// organizer's network cannot lock the organizer out; anyone else is limited per address and, together, server-wide.
    /// Always on, whatever <see cref="RateLimitOptions.Enabled"/> says.
    /// </summary>
    public Refusal? SignIn(string? knownDevice, string address)
    {
        if (knownDevice is not null)
        {
            return Check(_signInFailures, $"device:{knownDevice}", address, TooManyPasswords, always: true);
        }

        return Check(_signInFailures, address, address, TooManyPasswords, always: true)
            ?? Check(_signInFailuresServerWide, "all", address, TooManyPasswords, always: true);
    }

    public void SignInFailed(string? knownDevice, string address)
    {
        if (knownDevice is not null)
        {
            _signInFailures.TryTake($"device:{knownDevice}", out _);
            return;
        }

        _signInFailures.TryTake(address, out _);
        _signInFailuresServerWide.TryTake("all", out _);
    }

    /// <summary>An event stream may open: a lease to dispose when it ends, or why not (<paramref name="serverFull"/>: the server-wide cap).</summary>
    public IDisposable? OpenEventStream(string address, out Refusal? refusal, out bool serverFull) =>
        Open(_streams, address, out refusal, out serverFull,
            "Too many live views from your network. Close some tabs, or reload this page later.",
            "Too many live viewers right now. The page still works; reload it to see the latest availability.");

    /// <summary>A circuit (a page's live connection) may open.</summary>
    public IDisposable? OpenCircuit(string address, out Refusal? refusal) =>
        Open(_circuits, address, out refusal, out _,
            "Too many open pages from your network. Close some tabs and reload.",
            "The site is very busy. Please reload in a moment.");

    private IDisposable? Open(ConnectionBudget budget, string address, out Refusal? refusal, out bool serverFull, string addressFull, string full)
    {
        var lease = budget.TryOpen(address, limitAddress: _enabled, out serverFull);
        refusal = lease is not null ? null : Refused(new Refusal(serverFull ? $"{budget.Name}-server-wide" : budget.Name, TimeSpan.FromSeconds(5), serverFull ? full : addressFull), address);
        return lease;
    }

    private Refusal? Take(Budget budget, string key, string client, Func<TimeSpan, string> message) =>
        !_enabled || budget.TryTake(key, out var wait) ? null : Refused(new Refusal(budget.Name, wait, message(wait)), client);

    private Refusal? Check(Budget budget, string key, string client, Func<TimeSpan, string> message, bool always = false) =>
        (!_enabled && !always) || budget.HasRoom(key, out var wait) ? null : Refused(new Refusal(budget.Name, wait, message(wait)), client);

    private void Charge(Budget budget, string key)
    {
        if (_enabled)
        {
            budget.TryTake(key, out _);
        }
    }

    private Refusal Refused(Refusal refusal, string client)
    {
        _metrics.LimitRefused(refusal.Limit);
        var minute = _time.GetUtcNow().ToUnixTimeSeconds() / 60;
        var key = (refusal.Limit, client);
        while (true)
        {
            if (!_loggedMinute.TryGetValue(key, out var logged))
            {
                if (_loggedMinute.TryAdd(key, minute))
                {
                    break;
                }

                continue;
            }

            if (logged >= minute)
            {
                return refusal;
            }

            if (_loggedMinute.TryUpdate(key, minute, logged))
            {
                break;
            }
        }

        if (_loggedMinute.Count > 10_000)
        {
            foreach (var old in _loggedMinute.Where(e => e.Value < minute))
            {
                _loggedMinute.TryRemove(old);
            }
        }

        LogRefused(refusal.Limit, client, refusal.RetryAfterSeconds);
        return refusal;
    }

    private static string TooManyDeclines(TimeSpan wait) => $"Too many declined payments. Please wait {Words(wait)} before trying again.";

    private static string TooManyPasswords(TimeSpan wait) => $"Too many wrong passwords. Please wait {Words(wait)} and try again.";

    /// <summary>"1 second", "40 seconds", "3 minutes".</summary>
    internal static string Words(TimeSpan wait)
    {
        var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
        if (seconds < 120)
        {
            return seconds == 1 ? "1 second" : $"{seconds} seconds";
        }

        return $"{(int)Math.Ceiling(seconds / 60.0)} minutes";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Limit {Limit} refused client {Client} (retry after {RetryAfterSeconds} s); further refusals of this client are not logged this minute")]
    private partial void LogRefused(string limit, string client, int retryAfterSeconds);

}
