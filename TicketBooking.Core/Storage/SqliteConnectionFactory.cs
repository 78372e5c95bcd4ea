using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Opens short-lived, pooled connections to the ticket database with the pragmas every connection needs.
/// WAL mode is a property of the file and is set once by <see cref="DatabaseMigrator"/>.
/// </summary>
public sealed class SqliteConnectionFactory : ConnectionFactory
{
    private readonly string _connectionString;
    private readonly string _createConnectionString;
    private readonly string _unpooledConnectionString;
    private readonly string _pragmas;

    public SqliteConnectionFactory(IOptions<StorageOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = options.Value;
        var builder = new SqliteConnectionStringBuilder(storage.ConnectionString)
        {
            // Microsoft.Data.Sqlite retries busy statements itself until the command timeout;
            // keep that bound equal to SQLite's own busy_timeout so a stuck lock fails in one known time.
            DefaultTimeout = Math.Max(1, (int)Math.Ceiling(storage.BusyTimeout.TotalSeconds)),
        };
        _createConnectionString = builder.ToString();
        if (builder.Mode == SqliteOpenMode.ReadWriteCreate)
        {
            // Only the migrator creates the file. If it vanishes while the app runs, connections fail
            // (and /health says so) instead of quietly starting over on an empty database.
            builder.Mode = SqliteOpenMode.ReadWrite;
        }

        _connectionString = builder.ToString();
        _unpooledConnectionString = new SqliteConnectionStringBuilder(_connectionString) { Pooling = false }.ToString();
        DataSource = builder.DataSource;
        _pragmas = $"PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = {(long)storage.BusyTimeout.TotalMilliseconds};";
        StorageTypeHandlers.Register();
    }

    /// <summary>The database file name as the connection string gives it.</summary>
    public string DataSource { get; }

    public override StorageProvider Provider => StorageProvider.Sqlite;

    public override SqliteConnection Open() => Open(_connectionString);

    /// <summary>The writer runs the same few statements thousands of times a second: they stay compiled.</summary>
    internal override DbConnection OpenWriter() => new PreparedStatementConnection(Open());

    /// <summary>
    /// False once the database file has been deleted or moved away. An open connection would go on writing to the
    /// unlinked file, and those writes would be lost, so the writer checks this before each batch.
    /// </summary>
    internal override bool StoreExists =>
        DataSource.Length == 0 || DataSource == ":memory:" || DataSource.StartsWith("file:", StringComparison.OrdinalIgnoreCase) || File.Exists(DataSource);

    internal override void ClearPools() => SqliteConnection.ClearAllPools();

    /// <summary>
    /// SQLite's write strategy: <c>BEGIN IMMEDIATE</c> (Microsoft.Data.Sqlite's <c>BeginTransaction(deferred: false)</c>)
    /// takes the file's write lock before anything is read, so no command decides on counts another writer is about to
    /// change; within the process the single writer thread is the only one asking for it.
    /// </summary>
    internal override DbTransaction BeginWrite(DbConnection connection) =>
        (PreparedStatementConnection.SqliteOf(connection) ?? throw new ArgumentException("Not a SQLite connection.", nameof(connection))).BeginTransaction(deferred: false);

    internal override StoreFault Classify(Exception exception) => exception is SqliteException
    {
        SqliteErrorCode: SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED or SQLitePCL.raw.SQLITE_IOERR or
            SQLitePCL.raw.SQLITE_READONLY or SQLitePCL.raw.SQLITE_CANTOPEN or SQLitePCL.raw.SQLITE_FULL or
            SQLitePCL.raw.SQLITE_CORRUPT or SQLitePCL.raw.SQLITE_NOTADB,
    }
        ? StoreFault.Environmental
        : StoreFault.Command;

    /// <summary>
    /// Opens a connection outside the pool, so it sees the file as it is now: a pooled connection keeps a
    /// deleted or replaced file alive. For health checks, not for the hot path.
    /// </summary>
    public override SqliteConnection OpenUnpooled() => Open(_unpooledConnectionString);

    /// <summary>Opens the database, creating the file if it does not exist. For the migrator.</summary>
    internal override SqliteConnection OpenForMigration() => Open(_createConnectionString);

    private SqliteConnection Open(string connectionString)
    {
        var connection = new SqliteConnection(connectionString);
        try
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            command.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken = default)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = connection.CreateCommand();
            command.CommandText = _pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }
}
