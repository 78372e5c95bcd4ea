using System.Collections.Concurrent;
using System.Data;
using System.Text.RegularExpressions;

namespace TicketBooking.Core.Storage;

/// <summary>
/// <c>x IN @list</c> for both providers. Dapper expands a list parameter into one parameter per item on SQLite, but on
/// Npgsql it sends the list as one array parameter, which PostgreSQL only takes as <c>x = ANY(@list)</c>
/// (<c>x &lt;&gt; ALL(@list)</c> for <c>NOT IN</c>). Statements are written in the first form and rewritten once for PostgreSQL.
/// </summary>
internal static partial class SqlLists
{
    private static readonly ConcurrentDictionary<string, string> s_postgres = new(StringComparer.Ordinal);

    /// <summary>The statement as <paramref name="connection"/>'s provider needs it; list parameters must be lists or arrays.</summary>
    public static string For(IDbConnection connection, string sql) =>
        connection is Npgsql.NpgsqlConnection ? s_postgres.GetOrAdd(sql, Rewrite) : sql;

    private static string Rewrite(string sql) => In().Replace(NotIn().Replace(sql, "<> ALL($1)"), "= ANY($1)");

    [GeneratedRegex(@"\bNOT IN (@\w+)")]
    private static partial Regex NotIn();

    [GeneratedRegex(@"\bIN (@\w+)")]
    private static partial Regex In();
}
