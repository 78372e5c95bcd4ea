using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;

namespace TicketBooking.Core.Storage;

/// <summary>A numbered schema script embedded in Core, e.g. <c>0002_add_refunds.sql</c> is version 2.</summary>
public sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Applies every embedded migration above the database's <c>PRAGMA user_version</c>, each in its own
/// transaction together with the version bump, so a crash leaves the schema at a whole version.
/// </summary>
public sealed partial class DatabaseMigrator(SqliteConnectionFactory connections, ILogger<DatabaseMigrator> logger)
{
    private const string ResourcePrefix = "Migrations/";

    public static IReadOnlyList<Migration> Migrations { get; } = LoadMigrations();

    /// <summary>Creates the file if needed, turns on WAL and applies pending migrations. Returns how many were applied.</summary>
    public int Migrate()
    {
        if (Path.GetDirectoryName(Path.GetFullPath(connections.DataSource)) is { Length: > 0 } directory)
        {
            Directory.CreateDirectory(directory);
        }

        using var connection = connections.OpenOrCreate();
        // WAL is a property of the file: readers never block the writer and the writer never blocks readers.
        var mode = connection.ExecuteScalar<string>("PRAGMA journal_mode = WAL");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"The database could not switch to WAL mode (it reports '{mode}').");
        }

        var current = connection.ExecuteScalar<int>("PRAGMA user_version");
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

    private static List<Migration> LoadMigrations()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
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
