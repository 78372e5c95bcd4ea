using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using TicketBooking.Core.Storage;

namespace TicketBooking.Web.Identity;

/// <summary>
/// Keeps ASP.NET Core Data Protection's key ring in the ticket database (table <c>data_protection_keys</c>) instead of
/// the process user's home folder, so a restart, a redeploy or a new container still reads every buyer's cookie.
/// The keys are stored as Data Protection writes them (unencrypted XML, as its file system store would): whoever can
/// read the database file can read them, as they could read the bookings.
/// </summary>
internal sealed class DatabaseKeyRepository(ConnectionFactory connections, TimeProvider time) : IXmlRepository
{
    private const string AllSql = "SELECT xml FROM data_protection_keys ORDER BY created_at";

    private const string StoreSql = """
        INSERT INTO data_protection_keys (name, xml, created_at) VALUES (@name, @xml, @now)
        ON CONFLICT (name) DO UPDATE SET xml = excluded.xml
        """;

    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = connections.Open();
        return [.. connection.Query<string>(AllSql).Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        ArgumentNullException.ThrowIfNull(element);
        using var connection = connections.Open();
        connection.Execute(StoreSql, new
        {
            name = string.IsNullOrEmpty(friendlyName) ? Guid.NewGuid().ToString("D") : friendlyName,
            xml = element.ToString(SaveOptions.DisableFormatting),
            now = time.GetUtcNow(),
        });
    }
}
