using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Every second, the line for circuits moves on by itself: a slot kept for someone who did not come (after
/// <c>Limits:CircuitSlotHold</c>) goes to the next in line, and visitors who closed the busy page are dropped. Each
/// instance has its own line, so every instance sweeps its own.
/// </summary>
internal sealed class CircuitSlotSweeper(CircuitSlots slots, TimeProvider time, ILogger<CircuitSlotSweeper> logger) : PeriodicService(time, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromSeconds(1);

    protected override string Work => "Moving the line for circuits on";

    protected override Task RunOnceAsync(CancellationToken stoppingToken)
    {
        slots.Sweep();
        return Task.CompletedTask;
    }
}
