using System.Security.Cryptography;
using System.Text;
using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Organizers;

/// <summary>
/// Organizer sessions kept in the database, so they can be ended: signing out ends one, a change of the organizer
/// password ends all of them, and so does starting without a password. The browser holds a random token; the
/// database holds only its SHA-256 and <c>HMAC-SHA256(token, password)</c>, so a copy of the database neither
/// signs anyone in nor reveals the password, and a session survives only as long as the password it began with.
/// </summary>
public sealed class OrganizerSessions(GroupCommitWriter writer, ConnectionFactory connections, AppSecrets secrets, TimeProvider time)
{
    private const string InsertSql = """
        INSERT INTO organizer_sessions (id, password_tag, created_at, expires_at, client)
        VALUES (@id, @tag, @now, @expiresAt, @client)
        """;

    /// <summary>Starts a session for <paramref name="length"/> and returns the token the browser keeps.</summary>
    public async Task<string> StartAsync(string password, TimeSpan length, string client)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        var token = System.Buffers.Text.Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        await writer.ExecuteAsync(context => context.Connection.Execute(InsertSql, new
        {
            id = Id(token),
            tag = Tag(token, password),
            now = context.NowMs,
            expiresAt = context.NowMs + (long)length.TotalMilliseconds,
            client,
        }, context.Transaction)).ConfigureAwait(false);
        return token;
    }

    private const string ActiveSql = """
        SELECT password_tag FROM organizer_sessions WHERE id = @id AND expires_at > @now
        """;

    /// <summary>True while the session is neither ended nor expired and began with the password configured now.</summary>
    public async Task<bool> IsActiveAsync(string? token, string? password, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(token) || string.IsNullOrEmpty(password) || token.Length > 64)
        {
            return false;
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var tag = await connection.ExecuteScalarAsync<byte[]?>(new CommandDefinition(
            ActiveSql, new { id = Id(token), now = time.GetUtcNow() }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return tag is not null && CryptographicOperations.FixedTimeEquals(tag, Tag(token, password));
    }

    private const string EndSql = "DELETE FROM organizer_sessions WHERE id = @id";

    /// <summary>Signs this session out. True when it was still there.</summary>
    public async Task<bool> EndAsync(string? token) =>
        !string.IsNullOrEmpty(token)
        && await writer.ExecuteAsync(context => context.Connection.Execute(EndSql, new { id = Id(token) }, context.Transaction) > 0).ConfigureAwait(false);

    private const string EndAllSql = "DELETE FROM organizer_sessions";

    private const string PasswordTagSql = "SELECT value FROM app_secrets WHERE name = 'organizer_password'";

    private const string SetPasswordTagSql = """
        INSERT INTO app_secrets (name, value) VALUES ('organizer_password', @tag)
        ON CONFLICT (name) DO UPDATE SET value = excluded.value
        """;

    /// <summary>
    /// At start-up: when the configured password is not the one the database last saw (or there is none), every
    /// session ends, for good: going back to an old password does not bring old sessions back. The database keeps only a
    /// keyed hash of the password. Returns how many sessions ended.
    /// </summary>
    public Task<int> EndAllUnlessPasswordUnchangedAsync(string? password)
    {
        var tag = string.IsNullOrEmpty(password)
            ? new byte[32]
            : HMACSHA256.HashData(secrets.Get("organizer_password_key"), Encoding.UTF8.GetBytes(password));
        return writer.ExecuteAsync(context =>
        {
            var known = context.Connection.ExecuteScalar<byte[]?>(PasswordTagSql, transaction: context.Transaction);
            if (known is not null && CryptographicOperations.FixedTimeEquals(known, tag))
            {
                return 0;
            }

            context.Connection.Execute(SetPasswordTagSql, new { tag }, context.Transaction);
            return context.Connection.Execute(EndAllSql, transaction: context.Transaction);
        });
    }

    private const string PurgeSql = "DELETE FROM organizer_sessions WHERE expires_at <= @now";

    public Task<int> PurgeExpiredAsync() =>
        writer.ExecuteAsync(context => context.Connection.Execute(PurgeSql, new { now = context.NowMs }, context.Transaction));

    private static byte[] Id(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    private static byte[] Tag(string token, string password) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(token), Encoding.UTF8.GetBytes(password));
}
