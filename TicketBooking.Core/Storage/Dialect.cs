using System.Data.Common;
using System.Collections.Concurrent;
using System.Data;
using System.Text.RegularExpressions;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Every difference between the two providers' SQL that the engine relies on, in one list. The engine's statements are
/// written once, in the dialect both accept; what one provider lacks is made up here or in a migration:
/// <list type="number">
/// <item><b>List parameters</b> (<c>x IN @list</c>). Dapper expands a list into one parameter per item on SQLite, but on
/// Npgsql it sends one array parameter, which PostgreSQL only takes as <c>x = ANY(@list)</c> (<c>x &lt;&gt; ALL(@list)</c> for
/// <c>NOT IN</c>). <see cref="Statement"/> rewrites them for PostgreSQL; every statement reaches the database through
/// <see cref="Sql"/>, which calls it (Dapper's own methods are banned in this project: BannedSymbols.txt).</item>
/// <item><b>Scalar <c>MIN(a, b)</c> / <c>MAX(a, b)</c></b>: SQLite's two-argument forms; PostgreSQL has
/// <c>LEAST</c>/<c>GREATEST</c>, so its first migration (<c>Migrations/Postgres/0001_init.sql</c>) defines
/// <c>min(bigint, bigint)</c> and <c>max(bigint, bigint)</c> over them.</item>
/// <item><b>Types</b>: ids are TEXT, times INTEGER Unix milliseconds and booleans 0/1 on both (<see cref="StorageTypeHandlers"/>),
/// so comparisons and sorting mean the same.</item>
/// <item><b>The write transaction and read snapshots</b>: <c>BEGIN IMMEDIATE</c> on SQLite, a transaction holding the
/// database-wide writer lock on PostgreSQL (<see cref="ConnectionFactory.BeginWrite"/>, <see cref="ConnectionFactory"/>'s
/// <c>BeginSnapshot</c>).</item>
/// </list>
/// Both accept the rest as written: <c>RETURNING</c>, <c>ON CONFLICT … DO UPDATE</c>, <c>COUNT(*) FILTER (WHERE …)</c>,
/// <c>CAST(… AS BIGINT)</c> (SQLite's SUM of an empty set is NULL and its type follows the value, hence the casts).
/// </summary>
internal static partial class Dialect
{
    private static readonly ConcurrentDictionary<string, string> s_postgres = new(StringComparer.Ordinal);

    /// <summary>The statement as <paramref name="connection"/>'s provider needs it; list parameters must be lists or arrays.</summary>
    public static string Statement(DbConnection connection, string sql) =>
        connection is Npgsql.NpgsqlConnection ? s_postgres.GetOrAdd(sql, ForPostgres) : sql;

    /// <summary>
    /// The statement rewritten for PostgreSQL, refused when a list parameter would still reach it unrewritten: a form the
    /// rewrite does not know (<c>IN@list</c>) fails here, with the statement, on the first run — not as a syntax error
    /// from the server, and not only on the provider no one ran the test on.
    /// </summary>
    internal static string ForPostgres(string sql) => Guard(ListIn().Replace(ListNotIn().Replace(sql, "<> ALL($1)"), "= ANY($1)"));

    /// <summary>Throws when <paramref name="sql"/> still has <c>IN @list</c>, which PostgreSQL cannot take.</summary>
    internal static string Guard(string sql) => RawList().IsMatch(sql)
        ? throw new InvalidOperationException($"A list parameter would reach PostgreSQL unrewritten (write a list as \"IN @name\", with a space, which the rewrite knows): {sql}")
        : sql;

    [GeneratedRegex(@"\bNOT\s+IN\s+(@\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex ListNotIn();

    [GeneratedRegex(@"\bIN\s+(@\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex ListIn();

    [GeneratedRegex(@"\bIN\s*@\w", RegexOptions.IgnoreCase)]
    private static partial Regex RawList();
}
