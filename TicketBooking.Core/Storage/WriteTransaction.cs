using Dapper;
using System.Data.Common;
using TicketBooking.Core.Availability;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Runs write commands in one write transaction on a given connection, bumps the
/// availability version of every concert they changed and reads the new snapshots before committing.
/// </summary>
internal static class WriteTransaction
{
    private const string BumpVersionSql = """
        UPDATE concerts SET availability_version = availability_version + 1
        WHERE id = @concertId
        RETURNING availability_version
        """;

    /// <summary>
    /// Runs each of <paramref name="commands"/> in order, each followed by the features' <paramref name="afterCommands"/>
    /// for the concerts it changed, then commits. On any exception nothing is committed.
    /// </summary>
    public static Committed Run(
        ConnectionFactory connections, DbConnection connection, DateTimeOffset now, IEnumerable<Action<WriteContext>> commands, IReadOnlyList<IAfterCommand> afterCommands, Cluster.ClusterFeed? feed = null)
    {
        var list = commands as IReadOnlyList<Action<WriteContext>> ?? [.. commands];
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return RunOnce(connections, connection, now, list, afterCommands, feed);
            }
            catch (Exception exception) when (attempt < connections.ConflictRetries && connections.Classify(exception) == StoreFault.Conflict)
            {
                // Another instance's transaction took the same rows first; this one wrote nothing. A short random pause
                // keeps two losers from colliding again at once, then the commands decide afresh on the rows as they are now.
                Thread.Sleep(Random.Shared.Next(1, 1 + Math.Min(32, 1 << Math.Min(attempt, 5))));
            }
        }
    }

    private static Committed RunOnce(
        ConnectionFactory connections, DbConnection connection, DateTimeOffset now, IReadOnlyList<Action<WriteContext>> commands, IReadOnlyList<IAfterCommand> afterCommands, Cluster.ClusterFeed? feed)
    {
        using var transaction = connections.BeginWrite(connection);
        var context = new WriteContext(connection, transaction, now, afterCommands);
        foreach (var command in commands)
        {
            command(context);
            context.FinishCommand();
        }

        var snapshots = new List<AvailabilitySnapshot>(context.ChangedConcerts.Count);
        foreach (var concertId in context.ChangedConcerts)
        {
            var version = connection.ExecuteScalar<long>(BumpVersionSql, new { concertId }, transaction);
            snapshots.Add(AvailabilityQueries.Read(connection, transaction, concertId, version, now));
        }

        // Other instances hear of it exactly when it commits (NOTIFY is transactional).
        feed?.Announce(connection, transaction, snapshots, context.Notices, context.MailQueued);
        transaction.Commit();
        return new Committed(snapshots, context.Notices, context.MailQueued);
    }

    /// <summary>
    /// One command in its own transaction; for callers with their own connection. <paramref name="afterCommands"/> are the
    /// features' steps the writer would run (without them, tickets a command frees would not reach the waiting list).
    /// </summary>
    public static (T Result, IReadOnlyList<AvailabilitySnapshot> Snapshots) Run<T>(
        ConnectionFactory connections, DbConnection connection, DateTimeOffset now, IReadOnlyList<IAfterCommand> afterCommands, Func<WriteContext, T> command)
    {
        T result = default!;
        var committed = Run(connections, connection, now, [context => result = command(context)], afterCommands);
        return (result, committed.Snapshots);
    }
}

/// <summary>What a committed transaction has to announce: new snapshots, changes to places in line, and whether e-mail is waiting.</summary>
internal sealed record Committed(IReadOnlyList<AvailabilitySnapshot> Snapshots, IReadOnlyList<Waitlist.WaitlistNotice> Notices, bool MailQueued);
