using TicketBooking.Core.Cluster;

namespace TicketBooking.Web.Hosting;

/// <summary>Hears the other instances' changes on PostgreSQL (<see cref="ClusterFeed"/>); does nothing on SQLite.</summary>
internal sealed class ClusterListener(ClusterFeed feed) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => feed.ListenAsync(stoppingToken);
}
