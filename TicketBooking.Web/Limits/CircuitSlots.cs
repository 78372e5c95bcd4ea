using Microsoft.Extensions.Options;
using TicketBooking.Core.Diagnostics;

namespace TicketBooking.Web.Limits;

/// <summary>
/// This instance's circuits as a counted resource, and the line for them (docs/scaling.md §5; docs/architecture.md, "The crowd").
/// At most <see cref="LimitOptions.MaxCircuits"/> circuits live at once: one is taken when a circuit starts and given back
/// when it is gone (a disconnected circuit keeps its slot while it waits for its browser, so a buyer whose connection
/// drops gets back in). When none is free, a page visitor waits in the line on the static busy page; each slot that frees
/// is reserved for the first in line for <see cref="LimitOptions.CircuitSlotHold"/>, and their page takes them in. A buyer
/// holding tickets joins ahead of everyone without; organizers are never kept out (they are few, and the door must open).
/// </summary>
/// <remarks>
/// Everything is in memory, under one lock: the line is per instance (a browser stays on its instance), and every
/// operation is a few steps except the places, counted once per change (<see cref="StatusOf"/>).
/// Only a visitor whose busy page is open (a stream watching the entry) is given a slot: a slot reserved for someone who
/// left would stand idle for the whole hold.
/// </remarks>
internal sealed class CircuitSlots
{
    /// <summary>An entry nobody has watched for this long has left the line (a reload or a dropped stream comes back sooner).</summary>
    public static readonly TimeSpan LineGrace = TimeSpan.FromSeconds(20);

    private readonly Lock _gate = new();
    private readonly int _capacity;
    private readonly TimeSpan _hold;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _priority = new();
    private readonly LinkedList<Entry> _ordinary = new();
    private int _taken;
    private int _reserved;
    private long _version;
    private long _placesVersion = -1;
    private TaskCompletionSource _changed = NewSignal();

    public CircuitSlots(IOptions<LimitOptions> limits, TimeProvider time, TicketBookingMetrics? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        _capacity = limits.Value.MaxCircuits;
        _hold = limits.Value.CircuitSlotHold;
        _time = time;
        if (metrics is not null)
        {
            metrics.Meter.CreateObservableUpDownCounter("ticketbooking.circuits", () => Taken, "{circuit}", "Circuits alive or starting on this instance");
            metrics.Meter.CreateObservableUpDownCounter("ticketbooking.circuits.line", () => Waiting, "{visitor}", "Visitors waiting on the busy page for a circuit");
        }
    }

    public int Capacity => _capacity;

    /// <summary>Circuits alive or starting.</summary>
    public int Taken
    {
        get
        {
            lock (_gate)
            {
                return _taken;
            }
        }
    }

    /// <summary>Slots set aside for visitors on their way in from the line.</summary>
    public int Reserved
    {
        get
        {
            lock (_gate)
            {
                return _reserved;
            }
        }
    }

    /// <summary>Visitors in line, not yet given a slot.</summary>
    public int Waiting
    {
        get
        {
            lock (_gate)
            {
                return _priority.Count + _ordinary.Count;
            }
        }
    }

    /// <summary>
    /// A request for an interactive page: true when its circuit will find a slot (the visitor's reservation, or one free
    /// with nobody waiting for it). Takes nothing: the slot is taken as the circuit starts (<see cref="TryTake"/>).
    /// </summary>
    public bool Admits(string? token)
    {
        lock (_gate)
        {
            Expire(_time.GetUtcNow());
            Pump();
            return IsReserved(token) || Free > 0;
        }
    }

    /// <summary>
    /// A circuit is starting: takes the visitor's reserved slot, or a free one nobody in line is waiting for. Staff always
    /// get one. False: no slot, the visitor belongs on the busy page.
    /// </summary>
    public bool TryTake(string? token, bool staff = false)
    {
        lock (_gate)
        {
            Expire(_time.GetUtcNow());
            Pump();
            if (IsReserved(token))
            {
                _entries.Remove(token!);
                _reserved--;
                _taken++;
                Changed();
                return true;
            }

            if (staff || Free > 0)
            {
                _taken++;
                return true;
            }

            return false;
        }
    }

    /// <summary>A circuit is gone (or did not start after all): its slot goes to the first in line.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_taken == 0)
            {
                throw new InvalidOperationException("A circuit slot was given back that was never taken.");
            }

            _taken--;
            Pump();
        }
    }

    /// <summary>
    /// The busy page: the visitor's place in line, joined now when they have none (<paramref name="token"/> unknown or null:
    /// a new token). Joining again keeps the place; a buyer holding tickets (<paramref name="priority"/>) goes ahead of
    /// everyone without.
    /// </summary>
    public string Join(string? token, bool priority)
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Expire(now);
            if (token is not null && _entries.TryGetValue(token, out var known))
            {
                known.LastSeen = now;
                if (priority && known.Node?.List == _ordinary)
                {
                    _ordinary.Remove(known.Node);
                    known.Node = _priority.AddLast(known);
                    Changed();
                }

                return token;
            }

            var entry = new Entry(NewToken(), now);
            entry.Node = (priority ? _priority : _ordinary).AddLast(entry);
            _entries.Add(entry.Token, entry);
            Changed();
            Pump();
            return entry.Token;
        }
    }

    /// <summary>Where the visitor stands: waiting (with their place), admitted (a slot is theirs until a time), or not in line.</summary>
    public LineStatus StatusOf(string? token)
    {
        lock (_gate)
        {
            if (token is null || !_entries.TryGetValue(token, out var entry))
            {
                return LineStatus.NotInLine;
            }

            if (entry.ReservedUntil is { } until)
            {
                return new LineStatus(LineState.Admitted, null, _priority.Count + _ordinary.Count, until);
            }

            CountPlaces();
            return new LineStatus(LineState.Waiting, entry.Place, _priority.Count + _ordinary.Count, null);
        }
    }

    /// <summary>
    /// A busy page is watching the entry (its stream is open): it is kept in line and may be given a slot. Disposing ends
    /// the watch. Null when the token is not in line. <see cref="LineWatch.LetIn"/> completes when a slot is reserved for it.
    /// </summary>
    public LineWatch? Watch(string? token)
    {
        lock (_gate)
        {
            if (token is null || !_entries.TryGetValue(token, out var entry))
            {
                return null;
            }

            entry.Watchers++;
            entry.LastSeen = _time.GetUtcNow();
            Pump();
            return new LineWatch(this, entry);
        }
    }

    /// <summary>The version of the line now; <see cref="ChangedAfter"/> completes when it moves past it.</summary>
    public long Version
    {
        get
        {
            lock (_gate)
            {
                return _version;
            }
        }
    }

    /// <summary>Completes when the line has changed since <paramref name="version"/> (at once if it already has).</summary>
    public Task ChangedAfter(long version)
    {
        lock (_gate)
        {
            return _version != version ? Task.CompletedTask : _changed.Task;
        }
    }

    /// <summary>Every second (<see cref="CircuitSlotSweeper"/>): reservations past their hold go to the next in line; those who left are dropped.</summary>
    public void Sweep()
    {
        lock (_gate)
        {
            var now = _time.GetUtcNow();
            Expire(now);
            foreach (var line in (LinkedList<Entry>[])[_priority, _ordinary])
            {
                for (var node = line.First; node is not null;)
                {
                    var next = node.Next;
                    if (node.Value.Watchers == 0 && now - node.Value.LastSeen > LineGrace)
                    {
                        line.Remove(node);
                        _entries.Remove(node.Value.Token);
                        Changed();
                    }

                    node = next;
                }
            }

            Pump();
        }
    }

    private int Free => _capacity - _taken - _reserved;

    private bool IsReserved(string? token) =>
        token is not null && _entries.TryGetValue(token, out var entry) && entry.ReservedUntil is not null;

    /// <summary>Gives free slots to the first watched entries in line.</summary>
    private void Pump()
    {
        var gave = false;
        var until = _time.GetUtcNow() + _hold;
        foreach (var line in (LinkedList<Entry>[])[_priority, _ordinary])
        {
            for (var node = line.First; node is not null && Free > 0;)
            {
                var next = node.Next;
                if (node.Value.Watchers > 0)
                {
                    line.Remove(node);
                    node.Value.Node = null;
                    node.Value.ReservedUntil = until;
                    node.Value.LetIn.TrySetResult();
                    _reserved++;
                    gave = true;
                }

                node = next;
            }
        }

        if (gave)
        {
            Changed();
        }
    }

    /// <summary>Reservations whose hold is over: the visitor did not come, and the slot is free again.</summary>
    private void Expire(DateTimeOffset now)
    {
        if (_reserved == 0)
        {
            return;
        }

        List<string>? expired = null;
        foreach (var entry in _entries.Values)
        {
            if (entry.ReservedUntil <= now)
            {
                (expired ??= []).Add(entry.Token);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var token in expired)
        {
            _entries.Remove(token);
            _reserved--;
        }

        Changed();
        Pump();
    }

    private void CountPlaces()
    {
        if (_placesVersion == _version)
        {
            return;
        }

        var place = 0;
        foreach (var entry in _priority)
        {
            entry.Place = ++place;
        }

        foreach (var entry in _ordinary)
        {
            entry.Place = ++place;
        }

        _placesVersion = _version;
    }

    private void Changed()
    {
        _version++;
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private void EndWatch(Entry entry)
    {
        lock (_gate)
        {
            entry.Watchers--;
            entry.LastSeen = _time.GetUtcNow();
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static string NewToken() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16))
        .TrimEnd('=').Replace('+', '-').Replace('/', '_');

    internal sealed class Entry(string token, DateTimeOffset joined)
    {
        public string Token { get; } = token;

        public DateTimeOffset LastSeen { get; set; } = joined;

        public LinkedListNode<Entry>? Node { get; set; }

        public int Watchers { get; set; }

        public int Place { get; set; }

        public DateTimeOffset? ReservedUntil { get; set; }

        public TaskCompletionSource LetIn { get; } = NewSignal();
    }

    /// <summary>An open busy page's hold on its entry.</summary>
    public sealed class LineWatch : IDisposable
    {
        private readonly CircuitSlots _slots;
        private readonly Entry _entry;
        private int _ended;

        internal LineWatch(CircuitSlots slots, Entry entry)
        {
            _slots = slots;
            _entry = entry;
        }

        /// <summary>Completes when a slot is reserved for the visitor.</summary>
        public Task LetIn => _entry.LetIn.Task;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                _slots.EndWatch(_entry);
            }
        }
    }
}

internal enum LineState
{
    NotInLine,
    Waiting,
    Admitted,
}

/// <summary>A visitor's place in the line for circuits: <see cref="Place"/> (1 is next) while waiting, <see cref="ReservedUntil"/> once let in.</summary>
internal sealed record LineStatus(LineState State, int? Place, int InLine, DateTimeOffset? ReservedUntil)
{
    public static readonly LineStatus NotInLine = new(LineState.NotInLine, null, 0, null);
}
