using System.Data;
using System.Data.Common;
using Microsoft.Extensions.Options;
using Npgsql;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Connections to a PostgreSQL ticket database (<c>Storage:Provider = Postgres</c>), from one Npgsql data source (its pool).
/// </summary>
/// <remarks>
/// The write strategy is SQLite's <c>BEGIN IMMEDIATE</c> made to hold across machines: every write transaction of every
/// instance first takes one transaction-scoped advisory lock on the database (<c>pg_advisory_xact_lock</c>), released by
/// its commit or rollback. Under <c>READ COMMITTED</c> each statement after that sees everything committed before the
/// lock was granted, and nothing else can change the counts until this transaction ends, so a command's read-then-decide
/// is as safe as on SQLite — kept by the database, not by any lock in this process, whichever instance a buyer reached.
/// Each instance's writer still batches its queued commands into one transaction (group commit), so the lock is taken
/// once per batch, not per hold. The tiers' <c>CHECK (sold + held &lt;= capacity)</c>, the seat trigger and the unique
/// indexes stay as the last line. A lock not granted within <c>lock_timeout</c> (<see cref="StorageOptions.BusyTimeout"/>),
/// a deadlock or a serialization failure (from writes outside the writer) wrote nothing, and the writer runs the batch again.
/// One lock for the whole database is the simplest rule that is right for every command; docs/scaling.md measures what
/// it costs and how it splits per concert when one database's writes become the limit.
/// </remarks>
public sealed class PostgresConnectionFactory : ConnectionFactory, IDisposable
{
    /// <summary>The advisory lock every write transaction holds (any constant no other code uses: "writer").</summary>
    internal const long WriterLock = 0x777269746572;

    /// <summary>The advisory lock an instance holds while it prepares the database at start-up ("startup").</summary>
    internal const long StartupLock = 0x73746172747570;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string _unpooledConnectionString;
    private readonly int _conflictRetries;
    private readonly string _applicationName;
    private readonly string _instanceName;

    public PostgresConnectionFactory(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = options.Value;
        var builder = new NpgsqlConnectionStringBuilder(storage.ConnectionString)
        {
            // A row lock another instance holds is waited for this long, then the transaction is retried.
            Options = $"-c lock_timeout={(long)storage.BusyTimeout.TotalMilliseconds}",
        };
        // Measured with the holds benchmark (one instance, 200 clients, 2 cores shared with PostgreSQL): 233 holds/s as
        // Npgsql comes, 693/s with statements prepared once per connection (every statement here is a constant with
        // explicit columns, so a migration adding a column cannot change a prepared result), 1,246/s without the
        // DISCARD ALL round trip on every return to the pool as well (no code keeps session state on a pooled connection:
        // the leader's and start-up session locks and LISTEN use connections of their own).
        if (!Given(storage.ConnectionString, "Max Auto Prepare", "MaxAutoPrepare"))
        {
            builder.MaxAutoPrepare = 64;
        }

        if (!Given(storage.ConnectionString, "No Reset On Close", "NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }

        if (!Given(storage.ConnectionString, "Maximum Pool Size", "MaxPoolSize"))
        {
            // Readers are asynchronous and short: a few dozen connections serve thousands of requests. Npgsql's 100 per
            // instance would let three instances exhaust a default server's 100–300 connections under load.
            builder.MaxPoolSize = storage.MaxPoolSize;
        }

        // Every connection of this instance carries its name, so an instance can tell whether others are alive
        // (LiveInstancesAsync): a process that dies loses its connections, and PostgreSQL forgets their names with them.
        // The leader connection and the listener are never returned, so a live instance always has one.
        _applicationName = string.IsNullOrEmpty(builder.ApplicationName) ? "TicketBooking" : builder.ApplicationName;
        _applicationName = _applicationName[..Math.Min(_applicationName.Length, 40)];
        builder.ApplicationName = $"{_applicationName}/{Guid.NewGuid():N}"[..Math.Min(_applicationName.Length + 17, 63)];
        _instanceName = builder.ApplicationName;

        ConnectionString = builder.ConnectionString;
        _conflictRetries = storage.ConflictRetries;
        _dataSource = NpgsqlDataSource.Create(ConnectionString);
        _unpooledConnectionString = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;
        StorageTypeHandlers.Register();
    }

    /// <summary>
    /// Whether the configured connection string sets one of <paramref name="keywords"/> itself. Npgsql's builder cannot
    /// tell: its ContainsKey is true for every keyword it knows, set or not.
    /// </summary>
    private static bool Given(string? connectionString, params string[] keywords)
    {
        var given = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return given.Keys.Cast<string>().Any(key => keywords.Any(k => string.Equals(k, key, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The connection string every connection uses (with the settings this factory adds).</summary>
    public string ConnectionString { get; }

    public override StorageProvider Provider => StorageProvider.Postgres;

    public override NpgsqlConnection Open() => _dataSource.OpenConnection();

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    public override NpgsqlConnection OpenUnpooled()
    {
        var connection = new NpgsqlConnection(_unpooledConnectionString);
        try
        {
            connection.Open();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    internal override NpgsqlConnection OpenForMigration() => Open();

    public override string InstanceName => _instanceName;

    /// <summary>The application names of open connections that start like this instance's (its name before its own suffix).</summary>
    public override async Task<IReadOnlyList<string>?> LiveInstancesAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT DISTINCT application_name FROM pg_stat_activity WHERE datname = current_database() AND starts_with(application_name, @prefix)";
        command.Parameters.AddWithValue("prefix", _applicationName + "/");
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }

    internal override int ConflictRetries => _conflictRetries;

    internal override DbTransaction BeginWrite(DbConnection connection)
    {
        var transaction = connection.BeginTransaction(IsolationLevel.ReadCommitted);
        try
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"SELECT pg_advisory_xact_lock({WriterLock})";
            command.ExecuteNonQuery();
            return transaction;
        }
        catch
        {
            transaction.Dispose();
            throw;
        }
    }

    internal override StoreFault Classify(Exception exception) => exception switch
    {
        PostgresException { SqlState: PostgresErrorCodes.SerializationFailure or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.LockNotAvailable }
            => StoreFault.Conflict,

        // Connection exceptions, insufficient resources, operator intervention (shutdown), system errors, a read-only server.
        PostgresException postgres when postgres.SqlState[..2] is "08" or "53" or "57" or "58" or "XX"
            || postgres.SqlState == PostgresErrorCodes.ReadOnlySqlTransaction
            => StoreFault.Environmental,
        PostgresException => StoreFault.Command,
        NpgsqlException or TimeoutException => StoreFault.Environmental,
        _ => StoreFault.Command,
    };

    internal override void ClearPools() => _dataSource.Clear();

    /// <summary>A session-level advisory lock on a connection of its own, released when it is disposed (or the process dies).</summary>
    public override async ValueTask<IAsyncDisposable> LockStartupAsync(CancellationToken cancellationToken = default)
    {
        var connection = OpenUnpooled();
        try
        {
            await using var command = new NpgsqlCommand($"SELECT pg_advisory_lock({StartupLock})", connection);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public void Dispose() => _dataSource.Dispose();
}
