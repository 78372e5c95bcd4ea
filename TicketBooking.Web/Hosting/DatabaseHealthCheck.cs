using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketBooking.Core.Storage;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Healthy when the database file opens, carries the schema this build expects and can take a write within the
/// busy timeout (a read-only file, a full disk or another process holding the write lock all make writes fail).
/// </summary>
internal sealed class DatabaseHealthCheck(ConnectionFactory connections, StoreHealth store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            int version;
            using (var connection = connections.OpenUnpooled())
            {
                version = DatabaseMigrator.ReadVersion(connection);
            }

            var expected = DatabaseMigrator.MigrationsFor(connections.Provider).Count;
            if (version != expected)
            {
                return HealthCheckResult.Unhealthy($"The database is at schema version {version}; this build needs {expected}.");
            }

            await store.ProbeWriteAsync();
            return HealthCheckResult.Healthy();
        }
#pragma warning disable CA1031 // Any failure to reach the database is what this check reports.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The ticket database cannot be opened or written.", exception);
        }
    }
}
