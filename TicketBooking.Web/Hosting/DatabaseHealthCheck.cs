using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using TicketBooking.Core.Storage;

namespace TicketBooking.Web.Hosting;

/// <summary>
/// Healthy when the database file opens, carries the schema this build expects and can take a write within the
/// busy timeout (a read-only file, a full disk or another process holding the write lock all make writes fail).
/// </summary>
internal sealed class DatabaseHealthCheck(SqliteConnectionFactory connections) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(Check());

    private HealthCheckResult Check()
    {
        try
        {
            using var connection = connections.OpenUnpooled();
            var version = connection.ExecuteScalar<int>("PRAGMA user_version");
            var expected = DatabaseMigrator.Migrations.Count;
            if (version == expected)
            {
                using var writeLock = connection.BeginTransaction(deferred: false);
                writeLock.Rollback();
            }

            return version == expected
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"The database is at schema version {version}; this build needs {expected}.");
        }
#pragma warning disable CA1031 // Any failure to reach the database is what this check reports.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            return HealthCheckResult.Unhealthy("The ticket database cannot be opened or written.", exception);
        }
    }
}
