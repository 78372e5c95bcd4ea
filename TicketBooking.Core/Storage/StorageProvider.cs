namespace TicketBooking.Core.Storage;

/// <summary>Which database engine holds the tickets (<c>Storage:Provider</c>).</summary>
public enum StorageProvider
{
    /// <summary>One SQLite file, one process: the default and the demo.</summary>
    Sqlite,

    /// <summary>PostgreSQL (Npgsql), for several app instances on one database.</summary>
    Postgres,
}
