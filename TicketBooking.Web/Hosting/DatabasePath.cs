using Microsoft.Data.Sqlite;

namespace TicketBooking.Web.Hosting;

internal static class DatabasePath
{
    /// <summary>A relative <c>Data Source</c> is taken relative to the content root, not to whatever the current directory is.</summary>
    public static string Resolve(string connectionString, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (builder.DataSource is { Length: > 0 } source && source != ":memory:" && !Path.IsPathRooted(source))
        {
            builder.DataSource = Path.GetFullPath(source, contentRoot);
        }

        return builder.ToString();
    }
}
