using Dapper;

namespace TicketBooking.Core.Storage;

/// <summary>Proves the store takes writes, through the same writer and connection the bookings use.</summary>
public sealed class StoreHealth(GroupCommitWriter writer)
{
    private const string ProbeSql = "UPDATE health_probe SET checked_at = @now WHERE id = 1";

    /// <summary>Completes when a write committed; throws <see cref="StoreUnavailableException"/> when the database refused it.</summary>
    public Task ProbeWriteAsync() =>
        writer.ExecuteAsync(context => context.Connection.Execute(ProbeSql, new { now = context.NowMs }, context.Transaction));
}
