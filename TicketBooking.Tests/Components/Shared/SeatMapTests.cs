using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components.Web;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Seating;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Shared;

namespace TicketBooking.Tests.Components.Shared;

/// <summary>The SVG seat map on its own: how each state is drawn and named, the keyboard, and a delta's re-render.</summary>
public sealed class SeatMapTests : ComponentTest
{
    private static readonly Tier[] Tiers = [new("FRONT_ROW", "Front Row", 5_000, 8, 0, 0, Reserved: true), new("GA", "General Admission", 1_000, 100, 0, 0)];

    // Two rows of four, row A nearest the stage: A-1 accessible, A-3 taken, B-4 not for sale, B-2 the viewer's own.
    private static List<SeatState> Hall() =>
    [
        .. Enumerable.Range(1, 4).Select(n => Seat("A", n, accessible: n == 1, status: n == 3 ? SeatStatus.Taken : SeatStatus.Available)),
        .. Enumerable.Range(1, 4).Select(n => Seat("B", n, status: n switch { 4 => SeatStatus.NotForSale, 2 => SeatStatus.Yours, _ => SeatStatus.Available })),
    ];

    private static SeatState Seat(string row, int number, bool accessible = false, SeatStatus status = SeatStatus.Available) =>
        new($"S-{row}-{number}", "FRONT_ROW", "S", row, number, number - 2.5, row == "A" ? 4 : 5.2, accessible, status);

    public SeatMapTests() => JSInterop.SetupModule("./js/seat-map.js");

    private IRenderedComponent<SeatMapView> RenderMap(IReadOnlyList<SeatState> seats, IReadOnlySet<string>? selected = null, List<SeatState>? toggled = null) =>
        Render<SeatMapView>(p => p
            .Add(x => x.Seats, seats)
            .Add(x => x.Tiers, Tiers)
            .Add(x => x.Selected, selected ?? new HashSet<string>())
            .Add(x => x.OnToggle, (SeatState s) => toggled?.Add(s)));

    private static IElement SeatElement(IRenderedComponent<SeatMapView> cut, string label) => cut.Find($"[data-seat='{label}']");

    [Fact]
    public void Each_state_has_its_look_and_an_accessible_name_that_says_it()
    {
        var cut = RenderMap(Hall(), selected: new HashSet<string> { "S-A-2", "S-B-2" });

        SeatElement(cut, "S-A-4").ClassList.Should().Contain(["seat-free", "tier-0"]);
        SeatElement(cut, "S-A-4").GetAttribute("aria-label").Should().Be("Row A, seat 4, Front Row, $50.00, available");
        SeatElement(cut, "S-A-4").GetAttribute("role").Should().Be("checkbox");
        SeatElement(cut, "S-A-4").GetAttribute("aria-checked").Should().Be("false");

        SeatElement(cut, "S-A-2").ClassList.Should().Contain("seat-picked");
        SeatElement(cut, "S-A-2").GetAttribute("aria-checked").Should().Be("true");
        SeatElement(cut, "S-A-2").GetAttribute("aria-label").Should().EndWith(", selected");
        SeatElement(cut, "S-B-2").GetAttribute("aria-label").Should().EndWith(", held for you");

        SeatElement(cut, "S-A-3").ClassList.Should().Contain("seat-taken");
        SeatElement(cut, "S-A-3").GetAttribute("aria-disabled").Should().Be("true");
        SeatElement(cut, "S-A-3").GetAttribute("aria-label").Should().EndWith(", taken");
        SeatElement(cut, "S-A-3").QuerySelector(".seat-cross").Should().NotBeNull("taken is not told by colour alone");

        SeatElement(cut, "S-B-4").ClassList.Should().Contain("seat-off");
        SeatElement(cut, "S-B-4").GetAttribute("aria-label").Should().EndWith(", not for sale");

        SeatElement(cut, "S-A-1").ClassList.Should().Contain("seat-accessible");
        SeatElement(cut, "S-A-1").QuerySelector("rect").Should().NotBeNull("accessible seats are squares");
        SeatElement(cut, "S-A-1").GetAttribute("aria-label").Should().Be("Row A, seat 1, Front Row, $50.00, wheelchair accessible, available");

        cut.Find(".seat-legend").TextContent.Should().Contain("Front Row · $50.00").And.NotContain("General Admission", "only seated tiers are on the map");
    }

    [Fact]
    public void Arrow_keys_move_the_one_tab_stop_between_neighbours_and_enter_or_space_picks()
    {
        var toggled = new List<SeatState>();
        var cut = RenderMap(Hall(), toggled: toggled);
        string[] Stops() => [.. cut.FindAll("[data-seat][tabindex='0']").Select(e => e.GetAttribute("data-seat")!)];
        var svg = cut.Find("svg.seat-map-svg");

        Stops().Should().Equal(["S-A-1"], "one seat is in the tab order: the first that can be picked");
        svg.KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });
        Stops().Should().Equal(["S-A-2"]);
        svg.KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });
        Stops().Should().Equal(["S-A-3"], "taken seats can be reached (and heard as taken), only not picked");
        svg.KeyDown(new KeyboardEventArgs { Key = "ArrowDown" });
        Stops().Should().Equal(["S-B-3"], "down is the row behind, the nearest seat");
        svg.KeyDown(new KeyboardEventArgs { Key = "End" });
        Stops().Should().Equal(["S-B-4"]);
        svg.KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });
        Stops().Should().Equal(["S-B-4"], "the row's end stops");
        svg.KeyDown(new KeyboardEventArgs { Key = "Enter" });
        toggled.Should().BeEmpty("a seat that is not for sale cannot be picked");

        svg.KeyDown(new KeyboardEventArgs { Key = "Home" });
        svg.KeyDown(new KeyboardEventArgs { Key = "ArrowUp" });
        Stops().Should().Equal(["S-A-1"]);
        svg.KeyDown(new KeyboardEventArgs { Key = "Enter" });
        svg.KeyDown(new KeyboardEventArgs { Key = "ArrowRight" });
        svg.KeyDown(new KeyboardEventArgs { Key = " " });
        toggled.Select(s => s.Label).Should().Equal("S-A-1", "S-A-2");
    }

    [Fact]
    public void A_click_picks_an_available_seat_and_never_a_taken_one()
    {
        var toggled = new List<SeatState>();
        var cut = RenderMap(Hall(), toggled: toggled);

        SeatElement(cut, "S-A-4").Click();
        SeatElement(cut, "S-A-3").Click();
        SeatElement(cut, "S-B-2").Click();

        toggled.Select(s => s.Label).Should().Equal(["S-A-4", "S-B-2"], "A-3 is taken; B-2 is the buyer's own hold");
    }

    [Fact]
    public void A_delta_redraws_the_seats_it_changed()
    {
        var seats = Hall();
        var cut = RenderMap(seats);
        SeatElement(cut, "S-A-4").ClassList.Should().Contain("seat-free");

        var live = new LiveSeatMap(new SeatMap(Guid.NewGuid(), 1, true, seats), viewer: null);
        var changed = live.Apply(new SeatMap(Guid.NewGuid(), 2, false, [seats[3] with { Status = SeatStatus.Taken }, seats[2] with { Status = SeatStatus.Available }]));
        cut.Render(p => p.Add(x => x.Seats, live.Seats));

        changed.Select(s => s.Label).Should().Equal("S-A-4", "S-A-3");
        SeatElement(cut, "S-A-4").ClassList.Should().Contain("seat-taken");
        SeatElement(cut, "S-A-4").GetAttribute("aria-label").Should().EndWith(", taken");
        SeatElement(cut, "S-A-3").ClassList.Should().Contain("seat-free");
        SeatElement(cut, "S-B-1").ClassList.Should().Contain("seat-free");
    }

    [Fact]
    public void The_list_view_shows_rows_of_seat_buttons_with_the_same_names()
    {
        var toggled = new List<SeatState>();
        var cut = RenderMap(Hall(), toggled: toggled);

        cut.FindAll("button").Single(b => b.TextContent.Trim() == "List").Click();

        cut.FindAll(".seat-list-row h4").Select(h => h.TextContent).Should().Equal("Row A", "Row B");
        var taken = cut.Find("button.seat-chip[aria-label$=', taken']");
        taken.HasAttribute("disabled").Should().BeTrue();
        taken.TextContent.Should().Be("3");
        cut.Find("button.seat-chip[aria-label='Row A, seat 4, Front Row, $50.00, available']").Click();
        toggled.Select(s => s.Label).Should().Equal("S-A-4");
    }

    [Fact]
    public void The_organizer_map_tells_held_from_sold_and_picks_nothing()
    {
        var toggled = new List<SeatState>();
        var seats = Hall();
        seats[1] = seats[1] with { Status = SeatStatus.Taken };
        var cut = Render<SeatMapView>(p => p
            .Add(x => x.Seats, seats)
            .Add(x => x.Tiers, Tiers)
            .Add(x => x.ReadOnly, true)
            .Add(x => x.OrganizerStatuses, new Dictionary<string, string> { ["S-A-2"] = SeatMaps.OrganizerStatus.Held, ["S-A-3"] = SeatMaps.OrganizerStatus.Sold })
            .Add(x => x.OnToggle, (SeatState s) => toggled.Add(s)));

        SeatElement(cut, "S-A-2").ClassList.Should().Contain("seat-held");
        SeatElement(cut, "S-A-2").GetAttribute("aria-label").Should().EndWith(", held");
        SeatElement(cut, "S-A-3").GetAttribute("aria-label").Should().EndWith(", sold");
        SeatElement(cut, "S-A-4").Click();
        toggled.Should().BeEmpty();
    }
}
