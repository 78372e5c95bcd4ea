using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Storage;

public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>The database engine; <see cref="ConnectionString"/> is in its format.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>
    /// For SQLite a Microsoft.Data.Sqlite connection string naming the database file; for PostgreSQL an Npgsql one.
    /// </summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=tickets.db";

    /// <summary>
    /// How long a connection waits for another process's write lock before failing (SQLite's busy timeout; PostgreSQL's
    /// <c>lock_timeout</c>, after which the write transaction is retried).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many queued write commands one <c>BEGIN IMMEDIATE</c> transaction may carry (group commit).
    /// 1 gives one transaction per command.
    /// </summary>
    [Range(1, 1024)]
    public int MaxWriteBatch { get; set; } = 64;

    /// <summary>How many write commands may wait for the writer before new ones are refused as overload.</summary>
    [Range(1, 1_000_000)]
    public int WriteQueueCapacity { get; set; } = 20_000;

    /// <summary>
    /// PostgreSQL: how many times a write transaction that lost a serialization conflict, a deadlock or a lock wait to
    /// another instance is run again before its commands fail as overload.
    /// </summary>
    [Range(0, 1000)]
    public int ConflictRetries { get; set; } = 50;

    /// <summary>
    /// PostgreSQL: most pooled connections one instance opens (unless the connection string says <c>Maximum Pool Size</c>).
    /// Instances × this, plus two each (the listener, the leader), must stay under the server's <c>max_connections</c>.
    /// </summary>
    [Range(1, 1000)]
    public int MaxPoolSize { get; set; } = 40;
}
