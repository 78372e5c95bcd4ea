using System.Data;
using System.Data.Common;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Opens connections to the ticket database and supplies what differs between the engines: how a write transaction
/// starts (the write strategy) and which failures are the database's rather than a command's. The rules and their SQL
/// are one for both providers.
/// </summary>
public abstract class ConnectionFactory
{
    public abstract StorageProvider Provider { get; }

    /// <summary>Opens a pooled connection.</summary>
    public abstract DbConnection Open();

    /// <summary>The single writer's connection, open for as long as the writer runs (<see cref="GroupCommitWriter"/>).</summary>
    internal virtual DbConnection OpenWriter() => Open();

    /// <summary>Opens a pooled connection.</summary>
    public abstract Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>A connection outside the pool, seeing the database as it is now. For health checks, not the hot path.</summary>
    public abstract DbConnection OpenUnpooled();

    /// <summary>Opens the database for the migrator, creating it if the provider can.</summary>
    internal abstract DbConnection OpenForMigration();

    /// <summary>
    /// Starts the transaction the writer runs a batch of commands in. Whatever a command reads in it stays true until
    /// commit, whoever else writes meanwhile, or the commit fails with a conflict (<see cref="StoreFault.Conflict"/>).
    /// </summary>
    internal abstract DbTransaction BeginWrite(DbConnection connection);

    /// <summary>How often a write transaction that lost a conflict is run again (0 where conflicts cannot happen).</summary>
    internal virtual int ConflictRetries => 0;

    /// <summary>What a failure of a write batch says about the database.</summary>
    internal abstract StoreFault Classify(Exception exception);

    /// <summary>False once the store is gone from under open connections (a deleted SQLite file); the writer reopens then.</summary>
    internal virtual bool StoreExists => true;

    /// <summary>Drops idle pooled connections after the database failed, so the next ones start afresh.</summary>
    internal abstract void ClearPools();

    /// <summary>The name this instance's connections carry, recorded on the payments it starts; null where there is one process.</summary>
    public virtual string? InstanceName => null;

    /// <summary>
    /// The names of the instances with connections to this database now (this one's included), or null where there is
    /// one process (SQLite). An instance whose process died has none: its connections ended with it.
    /// </summary>
    public virtual Task<IReadOnlyList<string>?> LiveInstancesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>?>(null);

    /// <summary>Whether another instance has connections to this database now (never where there is one process).</summary>
    public async Task<bool> OthersAliveAsync(CancellationToken cancellationToken = default) =>
        await LiveInstancesAsync(cancellationToken).ConfigureAwait(false) is { } live && live.Any(name => name != InstanceName);

    /// <summary>
    /// Held while an instance prepares the database at start-up (recovery, seeding), so instances starting together
    /// on one database take turns: the second finds the seed already there. A no-op where there is one process.
    /// </summary>
    public virtual ValueTask<IAsyncDisposable> LockStartupAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IAsyncDisposable>(NoLock.Instance);

    private sealed class NoLock : IAsyncDisposable
    {
        public static readonly NoLock Instance = new();

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}

/// <summary>Why a write batch failed.</summary>
internal enum StoreFault
{
    /// <summary>A command's own fault (a bug or bad data): only that command fails.</summary>
    Command,

    /// <summary>The database refused every write (gone, read-only, locked past the timeout, full): the batch fails as unavailable.</summary>
    Environmental,

    /// <summary>Another instance's transaction won a race for the same rows: nothing was written; run the batch again.</summary>
    Conflict,
}

/// <summary>Read transactions, the same on both providers.</summary>
public static class ConnectionExtensions
{
    /// <summary>
    /// A read-only transaction whose queries all see one committed state: SQLite's deferred transaction (no write lock)
    /// or PostgreSQL's repeatable read (one snapshot).
    /// </summary>
    public static DbTransaction BeginSnapshot(this DbConnection connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        return PreparedStatementConnection.SqliteOf(connection) is { } sqlite
            ? sqlite.BeginTransaction(deferred: true)
            : connection.BeginTransaction(IsolationLevel.RepeatableRead);
    }
}
