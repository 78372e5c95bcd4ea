namespace TicketBooking.Core.OnSale;

/// <summary>
/// The waiting room's pace, as a number anyone can check: by <paramref name="sinceOnSale"/> after the sale opened, at most
/// ⌈AdmitPerMinute × (elapsed + 1 s) / 60 s⌉ buyers admitted in all — a second's worth at the sale, then the minute's
/// pace — counted from the clock and the admissions so far, so the pace is steady whatever a beat's jitter. The room
/// (<see cref="WaitingRoomCommands"/>) admits by it and the benchmark checks every beat against it.
/// </summary>
public static class AdmissionPace
{
    public static long AllowedSoFar(int admitPerMinute, TimeSpan sinceOnSale) =>
        (long)Math.Ceiling(admitPerMinute * (sinceOnSale.TotalMilliseconds + 1_000) / 60_000d);
}
