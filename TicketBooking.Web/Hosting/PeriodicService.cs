namespace TicketBooking.Web.Hosting;

/// <summary>
/// A background service that does one round of work every <see cref="Interval"/> on the injected clock (so tests move
/// it). A failed round is logged and the next one runs as usual; stopping the host ends the loop quietly. Given a
/// <see cref="Core.Cluster.ClusterLeader"/>, a round runs only on the instance that leads (work done once per database).
/// </summary>
public abstract partial class PeriodicService(TimeProvider time, ILogger logger, Core.Cluster.ClusterLeader? leader = null) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>What a round does, in words for the log: "Sweeping expired holds".</summary>
    protected abstract string Work { get; }

    protected abstract Task RunOnceAsync(CancellationToken stoppingToken);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                try
                {
                    if (leader is null || await leader.IsLeaderAsync(stoppingToken).ConfigureAwait(false))
                    {
                        await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
#pragma warning disable CA1031 // A failed round (the database briefly unavailable) must not stop the next one, or the host.
                catch (Exception exception) when (exception is not OperationCanceledException)
#pragma warning restore CA1031
                {
                    Log.RoundFailed(logger, exception, Work);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Error, Message = "{Work} failed; trying again at the next interval")]
        public static partial void RoundFailed(ILogger logger, Exception exception, string work);
    }
}
