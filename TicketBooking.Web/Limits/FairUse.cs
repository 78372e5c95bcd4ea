using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Diagnostics;

namespace TicketBooking.Web.Limits;

/// <summary>
/// Every per-client limit in one place (docs/architecture.md, "Fair use"), asked by the API and the pages alike. Each check returns null
/// when the action may go ahead, or the <see cref="Refusal"/> to show (429 with Retry-After in the API). Budgets that
/// count failures (payments, sign-ins, booking searches) set one failure aside when an attempt starts and give it back
/// when the attempt did not fail, so attempts running at once cannot overrun them.
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
    private readonly Budget _waitlistJoinsPerAddress;
    private readonly Budget _waitlistJoinsPerEmail;
    private readonly Budget _seatMaps;
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
    private readonly ConcurrentDictionary<(string Limit, string Client), long> _loggedMinute = new();

    /// <param name="budgets">Where the budgets are kept: this process's memory unless instances share a database.</param>
    public FairUse(IOptions<RateLimitOptions> rates, IOptions<LimitOptions> limits, TicketBookingMetrics metrics, TimeProvider time, ILogger<FairUse> logger, BudgetStore? budgets = null)
    {
        ArgumentNullException.ThrowIfNull(rates);
        ArgumentNullException.ThrowIfNull(limits);
        var l = limits.Value;
        _enabled = rates.Value.Enabled;
        var store = budgets ?? new LocalBudgetStore();
        _newBuyers = new Budget("new-buyers", l.NewBuyersPerMinute, Minute, time, store);
        _holdsPerBuyer = new Budget("holds", rates.Value.HoldsPerMinute, Minute, time, store);
        _holdsPerAddress = new Budget("holds-per-address", l.HoldsPerMinutePerAddress, Minute, time, store);
        _heartbeats = new Budget("heartbeats", l.HeartbeatsPerMinute, Minute, time, store);
        _waitlistJoinsPerAddress = new Budget("waitlist-joins-per-address", l.WaitlistJoinsPerHourPerAddress, Hour, time, store);
        _waitlistJoinsPerEmail = new Budget("waitlist-joins-per-email", l.WaitlistJoinsPerHourPerEmail, Hour, time, store);
        _seatMaps = new Budget("seat-maps", l.SeatMapsPerMinutePerAddress, Minute, time, store);
        _paymentsPerBuyer = new Budget("payments", rates.Value.BookingsPerMinute, Minute, time, store);
        _paymentFailuresPerBuyer = new Budget("payment-failures", l.PaymentFailuresPerHourPerBuyer, Hour, time, store);
        _paymentFailuresPerAddress = new Budget("payment-failures-per-address", l.PaymentFailuresPerHour, Hour, time, store);
        _claimFailures = new Budget("booking-searches", l.ClaimFailuresPerHour, Hour, time, store);
        _signInFailures = new Budget("sign-in-failures", l.SignInFailuresPerMinute, Minute, time, store);
        _signInFailuresServerWide = new Budget("sign-in-failures-server-wide", l.SignInFailuresPerMinuteServerWide, Minute, time, store);
        _streams = new ConnectionBudget("event-streams", l.EventStreamsPerAddress, l.MaxEventStreams);
        // The server-wide cap on circuits is CircuitSlots, with its line: here only the per-address limit.
        _circuits = new ConnectionBudget("circuits", l.CircuitsPerAddress, int.MaxValue);
        _metrics = metrics;
        _time = time;
        _logger = logger;
    }

    /// <summary>Event streams open now.</summary>
    public int OpenEventStreams => _streams.Open;

    /// <summary>A visitor without a cookie is about to get a new buyer identity.</summary>
    public ValueTask<Refusal?> NewBuyerAsync(string address) =>
        TakeAsync(_newBuyers, address, address, wait => $"Too many new visitors from your network just now. Please try again in {Words(wait)}.");

    /// <summary>The buyer's own rate first: a buyer over it does not use up what the others behind the same address may do.</summary>
    public async ValueTask<Refusal?> HoldAsync(Requester who)
    {
        ArgumentNullException.ThrowIfNull(who);
        return await TakeAsync(_holdsPerBuyer, who.Buyer.ToString(), who.Address, wait => $"You changed your tickets very often. Please wait {Words(wait)} and try again.").ConfigureAwait(false)
            ?? await TakeAsync(_holdsPerAddress, who.Address, who.Address, wait => $"Too many checkouts from your network just now. Please try again in {Words(wait)}.",
                (_holdsPerBuyer, who.Buyer.ToString())).ConfigureAwait(false);
    }

    /// <summary>
    /// Joining a waiting line: a request for tickets like a hold (the hold budgets), and a sign-up that sends e-mail,
    /// limited per address and then per e-mail address named (kept as a hash, never as the address itself). The address
    /// is charged first and a refusal by the e-mail's budget gives its token back, so one network's script cannot spend
    /// more of someone's e-mail budget than its own sign-ups allow.
    /// </summary>
    public async ValueTask<Refusal?> JoinWaitlistAsync(Requester who, string email)
    {
        ArgumentNullException.ThrowIfNull(who);
        return await HoldAsync(who).ConfigureAwait(false)
            ?? await TakeAsync(_waitlistJoinsPerAddress, who.Address, who.Address, wait => $"Too many waiting-list sign-ups from your network. Please try again in {Words(wait)}.").ConfigureAwait(false)
            ?? await TakeAsync(_waitlistJoinsPerEmail, EmailKey(email), who.Address, wait => $"Too many waiting-list sign-ups for this e-mail address. Please try again in {Words(wait)}.",
                (_waitlistJoinsPerAddress, who.Address)).ConfigureAwait(false);
    }

    private static string EmailKey(string email) =>
        "email:" + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())).AsSpan(0, 16));

    /// <summary>A whole seat map is about to be sent: megabytes for a big hall, so an address gets a budget of them.</summary>
    public ValueTask<Refusal?> SeatMapAsync(string address) =>
        TakeAsync(_seatMaps, address, address, wait => $"Too many seat maps from your network just now. Please try again in {Words(wait)}.");

    public ValueTask<Refusal?> HeartbeatAsync(Requester who)
    {
        ArgumentNullException.ThrowIfNull(who);
        return TakeAsync(_heartbeats, who.Buyer.ToString(), who.Address, wait => $"Too many checkout updates. Please wait {Words(wait)}.");
    }

    /// <summary>
    /// A payment attempt is starting: within the buyer's rate, and while neither the buyer nor the address has used up its
    /// failures. One failure of each is set aside for the attempt, so attempts running at once cannot overrun the budget;
    /// <see cref="EndPaymentAsync"/> gives it back unless the card failed.
    /// </summary>
    public async ValueTask<Refusal?> StartPaymentAsync(Requester who)
    {
        ArgumentNullException.ThrowIfNull(who);
        (Budget, string)[] failures = [(_paymentFailuresPerAddress, who.Address), (_paymentFailuresPerBuyer, who.Buyer.ToString())];
        return await ReserveAsync(who.Address, TooManyDeclines, always: false, failures).ConfigureAwait(false)
            ?? await TakeAsync(_paymentsPerBuyer, who.Buyer.ToString(), who.Address, wait => $"Too many payment attempts. Please wait {Words(wait)} and try again.", failures).ConfigureAwait(false);
    }

    /// <summary>The attempt is over; unless the card was declined or invalid, its failure goes back to the budgets.</summary>
    public ValueTask EndPaymentAsync(Requester who, bool cardFailed)
    {
        ArgumentNullException.ThrowIfNull(who);
        return cardFailed ? ValueTask.CompletedTask : GiveBackAsync(always: false, [(_paymentFailuresPerAddress, who.Address), (_paymentFailuresPerBuyer, who.Buyer.ToString())]);
    }

    /// <summary>A "Find my booking" search is starting; one failure is set aside for it (see <see cref="StartPaymentAsync"/>).</summary>
    public ValueTask<Refusal?> StartBookingSearchAsync(string address) =>
        ReserveAsync(address, wait => $"Too many searches that found nothing. Please wait {Words(wait)} and try again.", always: false, [(_claimFailures, address)]);

    public ValueTask EndBookingSearchAsync(string address, bool found) =>
        found ? GiveBackAsync(always: false, [(_claimFailures, address)]) : ValueTask.CompletedTask;

    /// <summary>
    /// Organizer sign-in is starting. A device that signed in before is limited only on its own failures, so a guesser on
    /// the organizer's network cannot lock the organizer out; anyone else is limited per address and, together, server-wide.
    /// Always on, whatever <see cref="RateLimitOptions.Enabled"/> says.
    /// </summary>
    public ValueTask<Refusal?> StartSignInAsync(string? knownDevice, string address) =>
        ReserveAsync(address, TooManyPasswords, always: true, SignInBudgets(knownDevice, address));

    /// <summary>The password was checked; a right one gives the set-aside failure back.</summary>
    public ValueTask EndSignInAsync(string? knownDevice, string address, bool failed) =>
        failed ? ValueTask.CompletedTask : GiveBackAsync(always: true, SignInBudgets(knownDevice, address));

    private (Budget, string)[] SignInBudgets(string? knownDevice, string address) =>
        knownDevice is not null ? [(_signInFailures, $"device:{knownDevice}")] : [(_signInFailures, address), (_signInFailuresServerWide, "all")];

    /// <summary>
    /// An event stream may open: a lease to dispose when it ends, or why not (<paramref name="serverFull"/>: the server-wide
    /// cap). Open connections are counted per instance: each instance's cap protects its own memory.
    /// </summary>
    public IDisposable? OpenEventStream(string address, out Refusal? refusal, out bool serverFull) =>
        Open(_streams, address, out refusal, out serverFull,
            "Too many live views from your network. Close some tabs, or reload this page later.",
            "Too many live viewers right now. The page still works; reload it to see the latest availability.");

    /// <summary>A connection for a circuit (a page's live connection) may open, within the address's limit.</summary>
    public IDisposable? OpenCircuit(string address, out Refusal? refusal) =>
        Open(_circuits, address, out refusal, out _,
            "Too many open pages from your network. Close some tabs and reload this page.",
            "Too many open pages from your network. Close some tabs and reload this page.");

    private IDisposable? Open(ConnectionBudget budget, string address, out Refusal? refusal, out bool serverFull, string addressFull, string full)
    {
        var lease = budget.TryOpen(address, limitAddress: _enabled, out serverFull);
        refusal = lease is not null ? null : Refused(new Refusal(serverFull ? $"{budget.Name}-server-wide" : budget.Name, TimeSpan.FromSeconds(5), serverFull ? full : addressFull), address);
        return lease;
    }

    /// <summary>Takes one token from <paramref name="budget"/>; when it has none, gives back <paramref name="reserved"/> and refuses.</summary>
    private async ValueTask<Refusal?> TakeAsync(Budget budget, string key, string client, Func<TimeSpan, string> message, params (Budget Budget, string Key)[] reserved)
    {
        if (!_enabled || await budget.TryTakeAsync(key).ConfigureAwait(false) is not { } wait)
        {
            return null;
        }

        await GiveBackAsync(always: false, reserved).ConfigureAwait(false);
        return Refused(new Refusal(budget.Name, wait, message(wait)), client);
    }

    /// <summary>Takes one token from each budget, or none: when one is empty, the tokens already taken go back.</summary>
    private async ValueTask<Refusal?> ReserveAsync(string client, Func<TimeSpan, string> message, bool always, (Budget Budget, string Key)[] budgets)
    {
        if (!_enabled && !always)
        {
            return null;
        }

        for (var i = 0; i < budgets.Length; i++)
        {
            var (budget, key) = budgets[i];
            if (await budget.TryTakeAsync(key).ConfigureAwait(false) is { } wait)
            {
                await GiveBackAsync(always, budgets[..i]).ConfigureAwait(false);
                return Refused(new Refusal(budget.Name, wait, message(wait)), client);
            }
        }

        return null;
    }

    private async ValueTask GiveBackAsync(bool always, (Budget Budget, string Key)[] budgets)
    {
        if (_enabled || always)
        {
            foreach (var (budget, key) in budgets)
            {
                await budget.GiveBackAsync(key).ConfigureAwait(false);
            }
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
