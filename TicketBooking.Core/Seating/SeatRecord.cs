namespace TicketBooking.Core.Seating;

/// <summary>
/// A seat row as the seat queries read it (each fills the columns it selects). Settable properties: SQLite types
/// computed columns by their values, which a positional record cannot always match.
/// </summary>
internal sealed class SeatRecord
{
    public string Label { get; init; } = "";

    public string Tier { get; init; } = "";

    public string Section { get; init; } = "";

    public string Row { get; init; } = "";

    public long Number { get; init; }

    public double X { get; init; }

    public double Y { get; init; }

    public bool Accessible { get; init; }

    /// <summary>Free, or already the asking buyer's.</summary>
    public bool Available { get; init; }

    /// <summary>A <see cref="SeatStatus"/> name, or an organizer's status (<see cref="SeatMaps.OrganizerStatus"/>).</summary>
    public string Status { get; init; } = "";

    public SeatSpot ToSpot() => new(Label, Section, Row, (int)Number, X, Y, Accessible, Available);

    public SeatState ToState() => new(Label, Tier, Section, Row, (int)Number, X, Y, Accessible,
        Enum.TryParse<SeatStatus>(Status, out var status) ? status : SeatStatus.Taken);
}
