using Microsoft.Extensions.Time.Testing;

namespace TicketBooking.Tests.Support;

/// <summary>
/// Microsoft's <see cref="FakeTimeProvider"/> (it moves only when a test says so; timers fire during <c>Advance</c>),
/// starting at a fixed instant, plus the one signal tests need from it: how many timers are armed, so a test can wait
/// until the code under test has started waiting (<see cref="WaitForTimersAsync"/>) instead of sleeping.
/// </summary>
public sealed class TestClock : FakeTimeProvider
{
    public static readonly DateTimeOffset Start2027 = new(2027, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private readonly Lock _gate = new();
    private readonly HashSet<TrackedTimer> _armed = [];
    private TaskCompletionSource _armedChanged = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TestClock()
        : base(Start2027)
    {
    }

    /// <summary>How many timers are waiting to fire.</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _armed.Count;
            }
        }
    }

    /// <summary>Completes once at least <paramref name="count"/> timers are waiting: the signal that code under test has started waiting.</summary>
    public async Task WaitForTimersAsync(int count = 1)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_armed.Count >= count)
                {
                    return;
                }

                changed = _armedChanged.Task;
            }

            await changed.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        // Made disarmed, then armed through Change: the timer counts as armed only once the fake clock knows it, so a
        // test that waits for it and then advances the clock always fires it. (Counted first, the signal could reach the
        // test before the timer existed; a clock advanced in between left the timer due after the new time, and a
        // payment test waited for it forever.)
        var tracked = new TrackedTimer(this);
        tracked.Inner = base.CreateTimer(s =>
        {
            tracked.Fired();
            callback(s);
        }, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        tracked.Change(dueTime, period);
        return tracked;
    }

    private void Track(TrackedTimer timer, bool armed)
    {
        TaskCompletionSource? changed = null;
        lock (_gate)
        {
            if (armed ? _armed.Add(timer) : _armed.Remove(timer))
            {
                changed = _armedChanged;
                _armedChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
        }

        changed?.TrySetResult();
    }

    private sealed class TrackedTimer(TestClock clock) : ITimer
    {
        private readonly Lock _gate = new();
        private bool _periodic;
        private bool _fired;

        public ITimer Inner { get; set; } = null!;

        public void Fired()
        {
            lock (_gate)
            {
                _fired = true;
                if (!_periodic)
                {
                    clock.Track(this, armed: false);
                }
            }
        }

        /// <summary>Arms the fake timer first, then counts it: a one-shot timer that fired meanwhile (due at once) is not counted.</summary>
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (_gate)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
                _fired = false;
            }

            var changed = Inner.Change(dueTime, period);
            lock (_gate)
            {
                clock.Track(this, dueTime != Timeout.InfiniteTimeSpan && (_periodic || !_fired));
            }

            return changed;
        }

        public void Dispose()
        {
            clock.Track(this, armed: false);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            clock.Track(this, armed: false);
            return Inner.DisposeAsync();
        }
    }
}
