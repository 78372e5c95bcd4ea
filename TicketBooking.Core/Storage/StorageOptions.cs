using System.ComponentModel.DataAnnotations;

namespace TicketBooking.Core.Storage;

public sealed class StorageOptions
{
    /// <summary>A Microsoft.Data.Sqlite connection string naming the database file.</summary>
    [Required]
    public string ConnectionString { get; set; } = "Data Source=tickets.db";

    /// <summary>How long a connection waits for another process's write lock before failing with SQLITE_BUSY.</summary>
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
}
