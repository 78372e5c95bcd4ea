namespace TicketBooking.Web.Components.Shared;

/// <summary>
/// Calls <c>onTick</c> once a second on the server's clock (a <see cref="TimeProvider"/> timer, so tests move it) for a
/// component's countdown. Start it only in a live circuit; a prerendered page shows the time once.
/// </summary>
public sealed class SecondTimer(TimeProvider time, Func<Task> onTick) : IDisposable
{
    private readonly ITimer _timer = time.CreateTimer(state => _ = ((Func<Task>)state!)(), onTick, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));

    public void Dispose() => _timer.Dispose();
}
