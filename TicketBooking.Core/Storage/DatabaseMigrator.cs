using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;

namespace TicketBooking.Core.Storage;

/// <summary>A numbered schema script embedded in Core, e.g. <c>0002_add_refunds.sql</c> is version 2.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies every embedded migration above the database's schema version, each in its own transaction together with
/// the version bump, so a crash leaves the schema at a whole version. There is one numbered list; each number has a
/// script per provider (<c>Migrations/Sqlite/0007_seats.sql</c>, <c>Migrations/Postgres/0007_seats.sql</c>), and a
/// build whose two lists differ does not start.
/// </summary>
public sealed partial class DatabaseMigrator(ConnectionFactory connections, ILogger<DatabaseMigrator> logger)
{
    private const string ResourcePrefix = "Migrations/";

    // Any constant: the transaction-scoped advisory lock that lets one instance migrate while the others wait.
    private const long PostgresMigrationLock = 0x7469636b657473; // "tickets"

    private const string PostgresVersionTableSql = """
        CREATE TABLE IF NOT EXISTS schema_version (one BIGINT NOT NULL PRIMARY KEY CHECK (one = 1), version BIGINT NOT NULL);
        INSERT INTO schema_version (one, version) VALUES (1, 0) ON CONFLICT (one) DO NOTHING;
        """;

    private static readonly Dictionary<StorageProvider, IReadOnlyList<Migration>> s_migrations = LoadAll();

    /// <summary>The SQLite scripts (the numbering and names are the same for every provider).</summary>
    public static IReadOnlyList<Migration> Migrations => s_migrations[StorageProvider.Sqlite];

    public static IReadOnlyList<Migration> MigrationsFor(StorageProvider provider) => s_migrations[provider];

    /// <summary>Creates the database if the provider can, then applies pending migrations. Returns how many were applied.</summary>
    public int Migrate() => connections.Provider == StorageProvider.Sqlite ? MigrateSqlite() : MigratePostgres();

    /// <summary>The schema version the database is at.</summary>
    public static int ReadVersion(System.Data.Common.DbConnection connection) => connection is Microsoft.Data.Sqlite.SqliteConnection
        ? connection.ExecuteScalar<int>("PRAGMA user_version")
        : connection.ExecuteScalar<int?>("SELECT version FROM schema_version") ?? 0;

    private int MigrateSqlite()
    {
        var sqlite = (SqliteConnectionFactory)connections;
        if (Path.GetDirectoryName(Path.GetFullPath(sqlite.DataSource)) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        using var connection = connections.OpenForMigration();
        // WAL is a property of the file: readers never block the writer and the writer never blocks readers.
        var mode = connection.ExecuteScalar<string>("PRAGMA journal_mode = WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The database could not switch to WAL mode (it reports '{mode}').");
        }

        var current = ReadVersion(connection);
        var applied = 0;
        foreach (var migration in Migrations.Where(m => m.Version > current))
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute($"PRAGMA user_version = {migration.Version}", transaction: transaction);
            transaction.Commit();
            LogApplied(migration.Name);
            applied++;
        }

        return applied;
    }

    /// <summary>
    /// Several instances may start at once on one database: each migration runs under a transaction-scoped advisory
    /// lock and re-reads the version inside it, so every script runs exactly once and the others wait for it.
    /// </summary>
    private int MigratePostgres()
    {
        using var connection = connections.OpenForMigration();
        using (var transaction = connection.BeginTransaction())
        {
            connection.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresMigrationLock }, transaction);
            connection.Execute(PostgresVersionTableSql, transaction: transaction);
            transaction.Commit();
        }

        var applied = 0;
        foreach (var migration in MigrationsFor(StorageProvider.Postgres))
        {
            using var transaction = connection.BeginTransaction();
            connection.Execute("SELECT pg_advisory_xact_lock(@key)", new { key = PostgresMigrationLock }, transaction);
            if (connection.ExecuteScalar<int>("SELECT version FROM schema_version", transaction: transaction) >= migration.Version)
            {
                transaction.Commit();
                continue;
            }

            connection.Execute(migration.Sql, transaction: transaction);
            connection.Execute("UPDATE schema_version SET version = @version", new { version = migration.Version }, transaction);
            transaction.Commit();
            LogApplied(migration.Name);
            applied++;
        }

        return applied;
    }

    private static Dictionary<StorageProvider, IReadOnlyList<Migration>> LoadAll()
    {
        var all = Enum.GetValues<StorageProvider>().ToDictionary(p => p, p => (IReadOnlyList<Migration>)LoadMigrations(p));
        var names = all[StorageProvider.Sqlite].Select(m => m.Name).ToList();
        foreach (var (provider, migrations) in all)
        {
            if (!migrations.Select(m => m.Name).SequenceEqual(names))
            {
                throw new InvalidOperationException(
                    $"The {provider} migrations ({string.Join(", ", migrations.Select(m => m.Name))}) are not the same list as SQLite's ({string.Join(", ", names)}).");
            }
        }

        return all;
    }

    private static List<Migration> LoadMigrations(StorageProvider provider)
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var migrations = new List<Migration>();
        var prefix = $"{ResourcePrefix}{provider}/";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..];
            var match = MigrationName().Match(name);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration '{name}' is not named like 0001_description.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            migrations.Add(new Migration(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < migrations.Count; i++)
        {
            if (migrations[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations must be numbered 1, 2, 3… without gaps; found {migrations[i].Name} at position {i + 1}.");
            }
        }

        return migrations;
    }

    [GeneratedRegex(@"^(\d{4})_[a-z0-9_]+\.sql$")]
    private static partial Regex MigrationName();

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied migration {Name}")]
    private partial void LogApplied(string name);
}
