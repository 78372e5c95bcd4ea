using TicketBooking.Core.OnSale;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// The waiting rooms' beat: every <see cref="WaitingRoomOptions.PumpInterval"/> the early arrivals are shuffled when a
/// sale opens, lapsed admissions end and the next buyers are admitted (<see cref="WaitingRoomService.PumpAsync"/>).
/// </summary>
internal sealed class WaitingRoomPump(WaitingRoomService room, TimeProvider time, Core.Cluster.ClusterLeader leader, ILogger<WaitingRoomPump> logger)
    : PeriodicService(time, logger, leader)
{
    protected override TimeSpan Interval => room.Options.PumpInterval;

    protected override string Work => "The waiting room's beat";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => room.Options.Enabled ? base.ExecuteAsync(stoppingToken) : Task.CompletedTask;

    protected override Task RunOnceAsync(CancellationToken stoppingToken) => room.PumpAsync();
}
