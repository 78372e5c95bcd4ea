using Dapper;
using Microsoft.Data.Sqlite;
using TicketBooking.Core.Availability;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Runs write commands in one <c>BEGIN IMMEDIATE</c> transaction on a given connection, bumps the
/// availability version of every concert they changed and reads the new snapshots before committing.
/// </summary>
internal static class WriteTransaction
{
    private const string BumpVersionSql = """
        UPDATE concerts SET availability_version = availability_version + 1
        WHERE id = @concertId
        RETURNING availability_version
        """;

    /// <summary>Runs each of <paramref name="commands"/> in order, then commits. On any exception nothing is committed.</summary>
    public static List<AvailabilitySnapshot> Run(SqliteConnection connection, DateTimeOffset now, IEnumerable<Action<WriteContext>> commands)
    {
        // Microsoft.Data.Sqlite's BeginTransaction(deferred: false) issues BEGIN IMMEDIATE: the write lock is
        // taken before anything is read, so no command can decide on counts another writer is about to change.
        using var transaction = connection.BeginTransaction(deferred: false);
        var context = new WriteContext(connection, transaction, now);
        foreach (var command in commands)
        {
            command(context);
        }

        var snapshots = new List<AvailabilitySnapshot>(context.ChangedConcerts.Count);
        foreach (var concertId in context.ChangedConcerts)
        {
            var version = connection.ExecuteScalar<long>(BumpVersionSql, new { concertId }, transaction);
            snapshots.Add(AvailabilityQueries.Read(connection, transaction, concertId, version, now));
        }

        transaction.Commit();
        return snapshots;
    }

    /// <summary>One command in its own transaction; for callers with their own connection.</summary>
    public static (T Result, List<AvailabilitySnapshot> Snapshots) Run<T>(SqliteConnection connection, DateTimeOffset now, Func<WriteContext, T> command)
    {
        T result = default!;
        var snapshots = Run(connection, now, [context => result = command(context)]);
        return (result, snapshots);
    }
}
