using Microsoft.Data.Sqlite;

namespace TicketBooking.Core.Storage;

/// <summary>
/// What a write command sees while it runs: the writer's connection inside an open
/// <c>BEGIN IMMEDIATE</c> transaction, and the one "now" of that transaction.
/// </summary>
internal sealed class WriteContext(SqliteConnection connection, SqliteTransaction transaction, DateTimeOffset now)
{
    private readonly HashSet<Guid> _changedConcerts = [];

    public SqliteConnection Connection { get; } = connection;

    public SqliteTransaction Transaction { get; } = transaction;

    public DateTimeOffset Now { get; } = now;

    public long NowMs { get; } = now.ToUnixTimeMilliseconds();

    public IReadOnlyCollection<Guid> ChangedConcerts => _changedConcerts;

    /// <summary>Marks a concert whose availability this transaction changed, so a new snapshot is published after commit.</summary>
    public void AvailabilityChanged(Guid concertId) => _changedConcerts.Add(concertId);
}
