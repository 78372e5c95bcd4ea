using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TicketBooking.Core.Seating;

/// <summary>One seat of a layout: where it is (section, row, number; x/y on the drawing, the stage at 0,0) and its flags.</summary>
public sealed record LayoutSeat(string Section, string Row, int Number, double X, double Y, bool Accessible = false, bool NotForSale = false)
{
    /// <summary><c>SECTION-ROW-NUMBER</c>, unique within a concert (docs/architecture.md, "Reserved seating").</summary>
    public string Label => string.Create(CultureInfo.InvariantCulture, $"{Section}-{Row}-{Number}");
}

/// <summary>A block of seats for the generator: <see cref="Rows"/> rows of <see cref="SeatsPerRow"/> seats.</summary>
public sealed record SectionPlan(string Name, int Rows, int SeatsPerRow);

/// <summary>
/// What the organizer's generator asks for: sections side by side facing the stage, rows lettered from the front,
/// straight or curved (each row an arc around the stage, so every seat of a row is as far from it).
/// </summary>
public sealed record LayoutPlan(IReadOnlyList<SectionPlan> Sections, bool Curved, double SeatSpacing = 1.0, double RowSpacing = 1.2, double FirstRowDistance = 4.0);

/// <summary>A layout that was read or generated, or why it could not be.</summary>
public sealed record LayoutResult(IReadOnlyList<LayoutSeat> Seats, IReadOnlyList<string> Errors)
{
    public bool Valid => Errors.Count == 0;
}

/// <summary>
/// Seat layouts for reserved tiers: generated from a plan, or read from the JSON an organizer uploads
/// (<c>{"seats":[{"section":"A","row":"C","number":12,"x":-3.5,"y":6.2,"accessible":false,"notForSale":false}]}</c>),
/// validated the same way either way.
/// </summary>
public static class SeatLayouts
{
    public const int MaxSeats = 20_000;
    private const int MaxNameLength = 8;
    private const double SectionGap = 2.0;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Row names from the front: A … Z, then AA, AB, … (I and O are skipped, as halls do: they read as 1 and 0).</summary>
    public static string RowName(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        const string Letters = "ABCDEFGHJKLMNPQRSTUVWXYZ";
        return index < Letters.Length ? Letters[index].ToString() : RowName((index / Letters.Length) - 1) + Letters[index % Letters.Length];
    }

    public static LayoutResult Generate(LayoutPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var errors = new List<string>();
        if (plan.Sections.Count == 0)
        {
            errors.Add("Add at least one section.");
        }

        foreach (var section in plan.Sections.Where(s => s.Rows < 1 || s.SeatsPerRow < 1 || s.Rows > 200 || s.SeatsPerRow > 200).Take(10))
        {
            errors.Add($"Section {section.Name}: rows and seats per row must be between 1 and 200.");
        }

        // Counted before a seat is made: a small plan can ask for millions. (With a section out of range the plan is
        // refused already; its factors are capped so that no plan can overflow the count.)
        var total = plan.Sections.Sum(s => (long)Math.Clamp(s.Rows, 0, 201) * Math.Clamp(s.SeatsPerRow, 0, 201));
        if (errors.Count == 0 && total > MaxSeats)
        {
            errors.Add($"A layout has at most {MaxSeats:N0} seats; these sections make {total:N0}.");
        }

        if (plan.SeatSpacing <= 0 || plan.RowSpacing <= 0 || plan.FirstRowDistance <= 0)
        {
            errors.Add("Spacings and the first row's distance must be positive.");
        }

        if (errors.Count > 0)
        {
            return new LayoutResult([], errors);
        }

        // Widths of the sections at the front row, laid out left to right and centred on the stage.
        var widths = plan.Sections.Select(s => (s.SeatsPerRow - 1) * plan.SeatSpacing).ToList();
        var width = widths.Sum() + (SectionGap * (plan.Sections.Count - 1));
        var seats = new List<LayoutSeat>((int)total);
        var left = -width / 2;
        for (var s = 0; s < plan.Sections.Count; s++)
        {
            var section = plan.Sections[s];
            var centre = left + (widths[s] / 2);
            for (var r = 0; r < section.Rows; r++)
            {
                var distance = plan.FirstRowDistance + (r * plan.RowSpacing);
                for (var n = 0; n < section.SeatsPerRow; n++)
                {
                    var along = centre + ((n - ((section.SeatsPerRow - 1) / 2.0)) * plan.SeatSpacing);
                    var (x, y) = plan.Curved
                        // The same arc length along the row as the straight layout, bent around the stage.
                        ? (distance * Math.Sin(along / distance), distance * Math.Cos(along / distance))
                        : (along, distance);
                    seats.Add(new LayoutSeat(section.Name, RowName(r), n + 1, Math.Round(x, 3), Math.Round(y, 3)));
                }
            }

            left += widths[s] + SectionGap;
        }

        return Validate(seats);
    }

    /// <summary>
    /// Reads an uploaded layout; every problem is named (up to ten), and nothing is half-read. Seats are counted as they
    /// are read: a layout of more than <see cref="MaxSeats"/> is refused at the first seat too many.
    /// </summary>
    public static LayoutResult Parse(string json)
    {
        UploadedLayout? uploaded;
        try
        {
            uploaded = JsonSerializer.Deserialize<UploadedLayout>(json, Json);
        }
        catch (TooManySeatsException)
        {
            return new LayoutResult([], [$"A layout has at most {MaxSeats:N0} seats; this one has more."]);
        }
        catch (JsonException exception)
        {
            return new LayoutResult([], [$"The layout is not valid JSON for this format: {exception.Message}"]);
        }

        if (uploaded?.Seats is not { } seats)
        {
            return new LayoutResult([], ["The layout needs a \"seats\" list."]);
        }

        var errors = new List<string>();
        var read = new List<LayoutSeat>();
        for (var i = 0; i < seats.Count && errors.Count < 10; i++)
        {
            var seat = seats[i];
            if (seat is null || string.IsNullOrWhiteSpace(seat.Section) || string.IsNullOrWhiteSpace(seat.Row) || seat.Number is null || seat.X is null || seat.Y is null)
            {
                errors.Add($"Seat {i + 1}: section, row, number, x and y are all needed.");
                continue;
            }

            read.Add(new LayoutSeat(seat.Section.Trim(), seat.Row.Trim(), seat.Number.Value, seat.X.Value, seat.Y.Value, seat.Accessible ?? false, seat.NotForSale ?? false));
        }

        return errors.Count > 0 ? new LayoutResult([], errors) : Validate(read);
    }

    private static LayoutResult Validate(List<LayoutSeat> seats)
    {
        var errors = new List<string>();
        if (seats.Count == 0)
        {
            errors.Add("A layout needs at least one seat.");
        }

        if (seats.Count > MaxSeats)
        {
            errors.Add($"A layout has at most {MaxSeats:N0} seats; this one has {seats.Count:N0}.");
        }

        foreach (var seat in seats.Where(s => !IsName(s.Section) || !IsName(s.Row) || s.Number < 1 || s.Number > 9_999 || !double.IsFinite(s.X) || !double.IsFinite(s.Y)).Take(5))
        {
            errors.Add($"Seat {seat.Label}: sections and rows are 1–{MaxNameLength} letters or digits, numbers 1–9999, positions finite.");
        }

        foreach (var duplicate in seats.GroupBy(s => s.Label, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Take(5))
        {
            errors.Add($"Seat {duplicate.Key} appears {duplicate.Count()} times.");
        }

        return errors.Count > 0 ? new LayoutResult([], errors) : new LayoutResult(seats, []);
    }

    private static bool IsName(string name) => name.Length is > 0 and <= MaxNameLength && name.All(char.IsAsciiLetterOrDigit);

    /// <summary>Every seat as best available sees it, given which labels are free.</summary>
    public static IEnumerable<SeatSpot> Spots(IEnumerable<LayoutSeat> seats, Func<string, bool> isFree) =>
        seats.Select(s => new SeatSpot(s.Label, s.Section, s.Row, s.Number, s.X, s.Y, s.Accessible, !s.NotForSale && isFree(s.Label)));

    private sealed record UploadedLayout([property: JsonConverter(typeof(BoundedSeatsConverter))] List<UploadedSeat?>? Seats);

    private sealed class TooManySeatsException() : JsonException($"More than {MaxSeats} seats.");

    /// <summary>Reads the seats one by one and stops at the first past <see cref="MaxSeats"/>, before the rest is read.</summary>
    private sealed class BoundedSeatsConverter : JsonConverter<List<UploadedSeat?>>
    {
        public override List<UploadedSeat?>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType == JsonTokenType.Null)
            {
                return null;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("\"seats\" must be a list.");
            }

            var seats = new List<UploadedSeat?>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (seats.Count == MaxSeats)
                {
                    throw new TooManySeatsException();
                }

                seats.Add(JsonSerializer.Deserialize<UploadedSeat?>(ref reader, options));
            }

            return seats;
        }

        public override void Write(Utf8JsonWriter writer, List<UploadedSeat?> value, JsonSerializerOptions options) => throw new NotSupportedException();
    }

    private sealed record UploadedSeat(string? Section, string? Row, int? Number, double? X, double? Y, bool? Accessible, bool? NotForSale);
}
