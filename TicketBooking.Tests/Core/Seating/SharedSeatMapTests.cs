using TicketBooking.Core;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Seating;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Seating;

/// <summary>
/// The seat map read once and shared (finding 5 of issue 34) must stay exactly what each viewer would read on their own
/// at the version it carries: after writes (at most a second behind, then read again), when a hold runs out unswept, when
/// a hidden tab shrinks a hold, for holders and not.
/// </summary>
public sealed class SharedSeatMapTests : IAsyncLifetime
{
    private TestEngine _engine = null!;
    private Concert _concert = null!;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start();
        _concert = await _engine.CreateSeatedConcertAsync(rows: 5, seatsPerRow: 10);
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Every_viewer_reads_the_same_shared_map_once_per_version_with_their_own_seats_as_theirs()
    {
        var (holder, other) = (BuyerId.New(), BuyerId.New());
        await HoldAsync(holder, "A-C-5", "A-C-6");
        var reads = _engine.SeatMaps.Reads;

        for (var i = 0; i < 50; i++)
        {
            await ShouldBeExactAsync(i % 2 == 0 ? holder : other);
        }

        _engine.SeatMaps.Reads.Should().Be(reads + 1, "fifty viewers, one version, one read");
        var before = (await _engine.SeatMaps.GetAsync(_concert.Id, null))!;
        await HoldAsync(other, "A-D-1", "A-D-2");

        var reused = (await _engine.SeatMaps.GetAsync(_concert.Id, null))!;
        var catchUp = (await _engine.SeatMaps.GetAsync(_concert.Id, null, since: reused.Version))!;
        reused.Should().BeSameAs(before, "within a second of its read a map serves everyone, whatever changed since: its version says so");
        catchUp.Seats.Select(s => (s.Label, s.Status)).Should().Equal(("A-D-1", SeatStatus.Taken), ("A-D-2", SeatStatus.Taken));
        (await _engine.SeatMaps.GetAsync(_concert.Id, other))!.Seats.Where(s => s.Status == SeatStatus.Yours).Select(s => s.Label)
            .Should().Equal(["A-D-1", "A-D-2"], "a holder whose seats are newer than the shared map gets their own exact map");

        _engine.Time.Advance(SeatMaps.LongestReuse);
        await ShouldBeExactAsync(holder);
        await ShouldBeExactAsync(other);
        _engine.SeatMaps.Reads.Should().Be(reads + 2, "a second later the new version is read, once");
    }

    [Fact]
    public async Task A_hold_that_runs_out_frees_its_seats_on_the_shared_map_before_any_sweep()
    {
        var holder = BuyerId.New();
        await HoldAsync(holder, "A-A-1", "A-A-2");
        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Count(s => s.Status == SeatStatus.Taken).Should().Be(2);

        _engine.Time.Advance(_engine.HoldOptions.Duration);

        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Should().OnlyContain(s => s.Status == SeatStatus.Available);
        await ShouldBeExactAsync(holder);
    }

    [Fact]
    public async Task A_hold_shrunk_by_a_hidden_tab_frees_its_seats_on_the_shared_map_when_it_ends()
    {
        var holder = BuyerId.New();
        await HoldAsync(holder, "A-B-3", "A-B-4");
        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Count(s => s.Status == SeatStatus.Taken).Should().Be(2);

        await _engine.Holds.HeartbeatAsync(holder, _concert.Id, active: false, visible: false);
        _engine.Time.Advance(_engine.HoldOptions.HiddenGrace);

        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Should().OnlyContain(s => s.Status == SeatStatus.Available, "the shrunk hold ended, unswept");
        await ShouldBeExactAsync(holder);
    }

    [Fact]
    public async Task A_map_read_before_the_organizer_redrew_the_seats_is_never_handed_out_again()
    {
        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Should().OnlyContain(s => s.Status == SeatStatus.Available);

        (await _engine.Seating.SetFlagsAsync(_concert.Id, ["A-E-10"], accessible: null, notForSale: true)).Should().BeOfType<TicketBooking.Core.Concerts.AdminResult.Saved>();

        (await _engine.SeatMaps.GetAsync(_concert.Id, null))!.Seats.Single(s => s.Label == "A-E-10").Status.Should().Be(SeatStatus.NotForSale, "a redrawn hall is read again at once, not within a second");
    }

    private async Task HoldAsync(BuyerId buyer, params string[] seats) =>
        (await _engine.Holds.PlaceAsync(buyer, new HoldRequest(_concert.Id, [new HoldItem("SEATS", seats.Length, seats)]))).Should().BeOfType<HoldResult.Held>();

    /// <summary>The shared map as <paramref name="viewer"/> gets it equals their own read of every seat now.</summary>
    private async Task ShouldBeExactAsync(BuyerId viewer)
    {
        var shared = (await _engine.SeatMaps.GetAsync(_concert.Id, viewer))!;
        var exact = (await _engine.SeatMaps.ReadNowAsync(_concert.Id, viewer))!;
        shared.Version.Should().Be(exact.Version);
        shared.Seats.Should().Equal(exact.Seats);
    }
}
