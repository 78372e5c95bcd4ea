using System.Security.Cryptography;

namespace TicketBooking.Core.Tickets;

/// <summary>
/// A ticket's code: 128 random bits as 32 upper-case hex digits (see migration 0004 for why random, not signed). Typed
/// codes are read leniently — spaces, dashes and lower case are ignored — and anything else is not a code.
/// </summary>
public static class TicketCode
{
    public const int Length = 32;

    public static string New() => Convert.ToHexString(RandomNumberGenerator.GetBytes(Length / 2));

    /// <summary>The code as stored, or <c>null</c> when <paramref name="input"/> cannot be one.</summary>
    public static string? Normalize(string? input)
    {
        if (string.IsNullOrWhiteSpace(input) || input.Length > 64)
        {
            return null;
        }

        var code = new string([.. input.Where(c => !char.IsWhiteSpace(c) && c != '-').Select(char.ToUpperInvariant)]);
        return code.Length == Length && code.All(char.IsAsciiHexDigitUpper) ? code : null;
    }

    /// <summary><c>1A2B-3C4D-…</c>: the code in eight groups of four.</summary>
    public static string Display(string code) =>
        string.Join('-', Enumerable.Range(0, code.Length / 4).Select(i => code.Substring(i * 4, 4)));
}
