using TicketBooking.Core.OnSale;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// The waiting rooms' beat: every <see cref="WaitingRoomOptions.PumpInterval"/> the early arrivals are shuffled when a
/// sale opens, lapsed admissions end and the next buyers are admitted (<see cref="WaitingRoomService.PumpAsync"/>).
/// A failed beat is logged and the next one runs as usual.
/// </summary>
internal sealed partial class WaitingRoomPump(WaitingRoomService room, TimeProvider time, ILogger<WaitingRoomPump> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!room.Options.Enabled)
        {
            return;
        }

        using var timer = new PeriodicTimer(room.Options.PumpInterval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                await BeatAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task BeatAsync()
    {
        try
        {
            await room.PumpAsync();
        }
#pragma warning disable CA1031 // A failed beat must not stop the room; the next tick tries again.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            LogBeatFailed(exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The waiting room's beat failed; trying again at the next interval")]
    private partial void LogBeatFailed(Exception exception);
}
