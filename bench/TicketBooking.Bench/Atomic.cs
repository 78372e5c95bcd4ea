namespace TicketBooking.Bench;

/// <summary>Lock-free updates the load clients share.</summary>
internal static class Atomic
{
    /// <summary>Raises <paramref name="target"/> to <paramref name="value"/> if that is larger, racing other threads safely.</summary>
    public static void Max(ref long target, long value)
    {
        var current = Interlocked.Read(ref target);
        while (value > current)
        {
            var previous = Interlocked.CompareExchange(ref target, value, current);
            if (previous == current)
            {
                return;
            }

            current = previous;
        }
    }
}
