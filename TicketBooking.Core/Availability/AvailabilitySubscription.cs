using System.Runtime.CompilerServices;

namespace TicketBooking.Core.Availability;

/// <summary>
/// One subscriber's mailbox: at most one pending snapshot per concert, the newest. Disposing it
/// unsubscribes at once; nothing is delivered after <see cref="Dispose"/> returns.
/// </summary>
public sealed class AvailabilitySubscription : IDisposable
{
    private readonly Lock _gate = new();
    private readonly AvailabilityBroadcaster _broadcaster;
    private readonly Dictionary<Guid, AvailabilitySnapshot> _pending = [];
    private readonly List<Guid> _order = [];
    private volatile bool _isDisposed;
    private TaskCompletionSource? _waiter;
    private Task _pump = Task.CompletedTask;

    internal AvailabilitySubscription(AvailabilityBroadcaster broadcaster, Guid? concertId)
    {
        _broadcaster = broadcaster;
        ConcertId = concertId;
    }

    /// <summary>The concert this subscription follows, or <c>null</c> for every concert.</summary>
    public Guid? ConcertId { get; }

    public bool IsDisposed => _isDisposed;

    /// <summary>For a push subscription, completes when its delivery loop has ended after disposal.</summary>
    public Task Completion => _pump;

    internal void Offer(AvailabilitySnapshot snapshot)
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            if (IsDisposed)
            {
                return;
            }

            if (_pending.TryGetValue(snapshot.ConcertId, out var pending))
            {
                if (pending.Version >= snapshot.Version)
                {
                    return;
                }
            }
            else
            {
                _order.Add(snapshot.ConcertId);
            }

            _pending[snapshot.ConcertId] = snapshot;
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
    }

    /// <summary>Takes the oldest pending snapshot, if any, without waiting.</summary>
    public bool TryRead([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out AvailabilitySnapshot? snapshot)
    {
        lock (_gate)
        {
            if (IsDisposed || _order.Count == 0)
            {
                snapshot = null;
                return false;
            }

            var concertId = _order[0];
            _order.RemoveAt(0);
            snapshot = _pending[concertId];
            _pending.Remove(concertId);
            return true;
        }
    }

    /// <summary>Yields snapshots as they arrive until the subscription is disposed or the token is cancelled.</summary>
    public async IAsyncEnumerable<AvailabilitySnapshot> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (true)
        {
            while (TryRead(out var snapshot))
            {
                yield return snapshot;
            }

            Task wait;
            lock (_gate)
            {
                if (IsDisposed || cancellationToken.IsCancellationRequested)
                {
                    yield break;
                }

                if (_order.Count > 0)
                {
                    continue;
                }

                _waiter ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wait = _waiter.Task;
            }

            try
            {
                await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                yield break;
            }
        }
    }

    internal void StartPump(Func<AvailabilitySnapshot, Task> onSnapshot, AvailabilityBroadcaster broadcaster)
    {
        _pump = Task.Run(async () =>
        {
            await foreach (var snapshot in ReadAllAsync().ConfigureAwait(false))
            {
                if (IsDisposed)
                {
                    break;
                }

                try
                {
                    await onSnapshot(snapshot).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // A subscriber's failure must not end its subscription or reach the publisher.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    broadcaster.SubscriberFailed(exception, ConcertId);
                }
            }
        });
    }

    public void Dispose()
    {
        TaskCompletionSource? waiter;
        lock (_gate)
        {
            if (IsDisposed)
            {
                return;
            }

            _isDisposed = true;
            _pending.Clear();
            _order.Clear();
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.TrySetResult();
        _broadcaster.Remove(this);
    }
}
