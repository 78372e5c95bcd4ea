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
        var tracked = new TrackedTimer(this);
        tracked.Set(dueTime, period);
        tracked.Inner = base.CreateTimer(s =>
        {
            tracked.Fired();
            callback(s);
        }, state, dueTime, period);
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
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public void Set(TimeSpan dueTime, TimeSpan period)
        {
            _periodic = period != Timeout.InfiniteTimeSpan && period > TimeSpan.Zero;
            clock.Track(this, dueTime != Timeout.InfiniteTimeSpan);
        }

        public void Fired()
        {
            if (!_periodic)
            {
                clock.Track(this, armed: false);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Set(dueTime, period);
            return Inner.Change(dueTime, period);
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
