using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;

namespace TicketBooking.Core.Storage;

/// <summary>
/// Random server secrets kept in the ticket database (table <c>app_secrets</c>), made once per database so every
/// restart, and every instance on the same database, uses the same one. For keyed hashes, not for encryption.
/// </summary>
public sealed class AppSecrets(ConnectionFactory connections)
{
    /// <summary>Keys the fingerprint that tells a repeated payment request from a different one.</summary>
    public const string RequestFingerprint = "request_fingerprint";

    private const string CreateSql = "INSERT INTO app_secrets (name, value) VALUES (@name, @value) ON CONFLICT (name) DO NOTHING";

    private const string ReadSql = "SELECT value FROM app_secrets WHERE name = @name";

    private readonly ConcurrentDictionary<string, byte[]> _secrets = new(StringComparer.Ordinal);

    /// <summary>The named secret; the first call on a new database creates it.</summary>
    public byte[] Get(string name) => _secrets.GetOrAdd(name, Load);

    private byte[] Load(string name)
    {
        using var connection = connections.Open();
        connection.Execute(CreateSql, new { name, value = RandomNumberGenerator.GetBytes(32) });
        return connection.ExecuteScalar<byte[]>(ReadSql, new { name })
            ?? throw new InvalidOperationException($"The secret {name} could not be created.");
    }
}
