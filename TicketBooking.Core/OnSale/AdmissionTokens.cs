using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.OnSale;

/// <summary>What checking an admission found.</summary>
public enum AdmissionCheck
{
    Valid,

    /// <summary>The request carried none.</summary>
    Missing,

    /// <summary>Not made by this server, or for another buyer or concert (the signature covers both).</summary>
    Invalid,

    /// <summary>Genuine, but past its expiry.</summary>
    Expired,
}

/// <summary>What a buyer refused for want of an admission is told, for holds and waiting lists alike.</summary>
public static class AdmissionChecks
{
    public static string Explain(AdmissionCheck check) => check switch
    {
        AdmissionCheck.Missing => "Tickets for this concert are sold through its waiting room. Get in line; when it is your turn you can choose tickets.",
        AdmissionCheck.Expired => "Your turn to buy has ended. Get in line again to choose tickets.",
        _ => "This admission is not valid for you and this concert. Get in line in the waiting room.",
    };
}

/// <summary>An admission whose signature checked out: the waiting-room entry it admits and until when.</summary>
public sealed record VerifiedAdmission(AdmissionCheck Check, Guid EntryId = default, DateTimeOffset ExpiresAt = default);

/// <summary>
/// Signed, expiring admissions bound to a buyer and a concert: <c>{entry}.{expiresAtMs}.{HMAC-SHA256}</c>, keyed by a
/// secret kept in the database (so restarts and other instances accept it). The buyer and concert are not in the text,
/// only in the signature: another buyer's or another concert's admission simply does not verify.
/// </summary>
public sealed class AdmissionTokens(AppSecrets secrets)
{
    public const string SecretName = "admission";

    public string Issue(BuyerId buyer, Guid concertId, Guid entryId, DateTimeOffset expiresAt)
    {
        var expires = expiresAt.ToUnixTimeMilliseconds();
        return $"{entryId:N}.{expires.ToString(CultureInfo.InvariantCulture)}.{Sign(buyer, concertId, entryId, expires)}";
    }

    public VerifiedAdmission Verify(string? token, BuyerId buyer, Guid concertId, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return new VerifiedAdmission(AdmissionCheck.Missing);
        }

        var parts = token.Trim().Split('.');
        if (parts.Length != 3 || parts[0].Length != 32 || !Guid.TryParseExact(parts[0], "N", out var entryId)
            || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var expires))
        {
            return new VerifiedAdmission(AdmissionCheck.Invalid);
        }

        var expected = Encoding.ASCII.GetBytes(Sign(buyer, concertId, entryId, expires));
        if (!CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(parts[2])))
        {
            return new VerifiedAdmission(AdmissionCheck.Invalid);
        }

        var expiresAt = DateTimeOffset.FromUnixTimeMilliseconds(expires);
        return new VerifiedAdmission(expiresAt > now ? AdmissionCheck.Valid : AdmissionCheck.Expired, entryId, expiresAt);
    }

    private string Sign(BuyerId buyer, Guid concertId, Guid entryId, long expires)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(secrets.Get(SecretName), Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{buyer.Value:N}|{concertId:N}|{entryId:N}|{expires}")), mac);
        return Base64Url.EncodeToString(mac);
    }
}
