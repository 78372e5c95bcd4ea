using System.Security.Cryptography;

namespace TicketBooking.Core.Bookings;

/// <summary>
/// Short codes a person can read out and type: eight characters from an alphabet without
/// look-alikes (no 0/O, 1/I/L), shown as <c>ABCD-2345</c>.
/// </summary>
public static class BookingReference
{
    public const string Alphabet = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

    public static string New()
    {
        Span<char> code = stackalloc char[8];
        RandomNumberGenerator.GetItems(Alphabet, code);
        return $"{code[..4]}-{code[4..]}";
    }
}
