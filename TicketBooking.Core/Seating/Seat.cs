namespace TicketBooking.Core.Seating;

/// <summary>
/// What a viewer may know of a seat: free, taken by someone (held or sold; never by whom), held by the viewer, or not
/// for sale.
/// </summary>
public enum SeatStatus
{
    Available,
    Taken,
    Yours,
    NotForSale,
}

/// <summary>One seat of a concert's map as one viewer sees it.</summary>
public sealed record SeatState(string Label, string Tier, string Section, string Row, int Number, double X, double Y, bool Accessible, SeatStatus Status);

/// <summary>
/// A concert's seats as of <see cref="Version"/> (its availability version). With a <c>since</c>, only the seats that
/// changed after that version; <see cref="Complete"/> tells a full map from a delta.
/// </summary>
public sealed record SeatMap(Guid ConcertId, long Version, bool Complete, IReadOnlyList<SeatState> Seats);

/// <summary>
/// A seat that changed in one committed transaction, as the broadcaster carries it. <see cref="HeldBy"/> lets each
/// viewer's stream tell its own seats (<see cref="SeatStatus.Yours"/>) from others'; it is never sent to anyone.
/// </summary>
public sealed record SeatChange(string Label, SeatStatus Status, Guid? HeldBy)
{
    /// <summary>The status as <paramref name="viewer"/> sees it.</summary>
    public SeatStatus For(BuyerId? viewer) =>
        Status == SeatStatus.Taken && HeldBy is not null && viewer is { } v && v.Value == HeldBy.Value ? SeatStatus.Yours : Status;
}

/// <summary>Reserved seating settings (docs/architecture.md, "Reserved seating").</summary>
public sealed class SeatingOptions
{
    public const string Section = "Seating";

    /// <summary>Refuse a manual pick that would leave a lone empty seat beside it.</summary>
    public bool PreventOrphans { get; set; } = true;
}

/// <summary>Seat labels (<c>SECTION-ROW-NUMBER</c>; sections and rows are letters and digits only) as people read them.</summary>
public static class SeatNames
{
    /// <summary>"Row C, seat 12", for the door and the map's accessible names.</summary>
    public static string RowAndSeat(string row, int number) => $"Row {row}, seat {number}";

    /// <summary>"Section A · Row C, seat 12"; a label that is not in the format is returned as it is.</summary>
    public static string Describe(string label) => DescribeAll([label]);

    /// <summary>Several seats, a row at a time: "Section A · Row C, seats 12, 13; Section B · Row A, seat 1".</summary>
    public static string DescribeAll(IEnumerable<string> labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var parsed = labels.Select(label => (Label: label, Parts: label.Split('-'))).Select(p =>
            p.Parts.Length == 3 && int.TryParse(p.Parts[2], System.Globalization.CultureInfo.InvariantCulture, out var number)
                ? (Row: $"Section {p.Parts[0]} · Row {p.Parts[1]}", Number: (int?)number, p.Label)
                : (Row: p.Label, Number: null, p.Label));
        return string.Join("; ", parsed.GroupBy(p => p.Row).Select(row => row.First().Number is null
            ? row.Key
            : row.Count() == 1 ? $"{row.Key}, seat {row.First().Number}" : $"{row.Key}, seats {string.Join(", ", row.Select(s => s.Number))}"));
    }
}
