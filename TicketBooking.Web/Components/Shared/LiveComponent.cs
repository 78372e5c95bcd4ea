using Microsoft.AspNetCore.Components;
using TicketBooking.Core.Availability;

namespace TicketBooking.Web.Components.Shared;

/// <summary>
/// A component that re-renders when availability changes. Subscribe from <c>OnAfterRenderAsync</c>
/// (never while prerendering); updates are marshalled onto the renderer, failures surface through the
/// error boundary, and disposal unsubscribes so nothing arrives afterwards.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{
    private AvailabilitySubscription? _subscription;

    [Inject]
    protected AvailabilityBroadcaster Broadcaster { get; set; } = default!;

    /// <summary>Follows one concert, or every concert when <paramref name="concertId"/> is null, rendering again after each change. Replaces an earlier follow.</summary>
    protected void Follow(Guid? concertId, Func<AvailabilitySnapshot, Task> onSnapshot)
    {
        ArgumentNullException.ThrowIfNull(onSnapshot);
        Follow(concertId, async snapshot =>
        {
            await onSnapshot(snapshot);
            return true;
        });
    }

    /// <summary>
    /// Follows as above; <paramref name="onSnapshot"/> answers whether the whole component must render again, or
    /// false when it refreshed the only part the change shows (a <c>Refreshable</c>) itself.
    /// </summary>
    protected void Follow(Guid? concertId, Func<AvailabilitySnapshot, Task<bool>> onSnapshot)
    {
        _subscription?.Dispose();
        _subscription = Broadcaster.Subscribe(concertId, snapshot => InvokeAsync(async () =>
        {
            if (_subscription?.IsDisposed != false)
            {
                return;
            }

            try
            {
                if (await onSnapshot(snapshot))
                {
                    StateHasChanged();
                }
            }
#pragma warning disable CA1031 // Handed to the renderer, which shows the error boundary; the publisher must not see it.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                await DispatchExceptionAsync(exception);
            }
        }));
    }

    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _subscription?.Dispose();
        }
    }

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }
}
