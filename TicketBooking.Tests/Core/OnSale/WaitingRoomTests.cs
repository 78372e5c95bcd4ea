using TicketBooking.Core.Storage;
using Dapper;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.OnSale;
using TicketBooking.Core.Waitlist;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.OnSale;

/// <summary>The on-sale and its waiting room (docs/architecture.md, "The on-sale and its waiting room") on a real SQLite file with a fake clock.</summary>
public abstract class WaitingRoomTests(StorageProvider provider) : IAsyncDisposable
{
    private static readonly TimeSpan SaleIn = TimeSpan.FromMinutes(20);

    private TestEngine _engine = TestEngine.Start(provider: provider);

    private DateTimeOffset Now => _engine.Time.GetUtcNow();

    public async ValueTask DisposeAsync()
    {
        await _engine.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    private async Task<Concert> OnSaleConcertAsync(Action<WaitingRoomOptions>? room = null, int capacity = 1_000)
    {
        if (room is not null)
        {
            await _engine.DisposeAsync();
            _engine = TestEngine.Start(provider: provider, room: room);
        }

        return await _engine.CreateConcertAsync(Now + SaleIn, ("GA", 1_000, capacity));
    }

    [Fact]
    public async Task Before_the_on_sale_nobody_can_hold_even_without_a_room()
    {
        var concert = await OnSaleConcertAsync(room => room.Enabled = false);

        var early = await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 2)));
        _engine.Time.Advance(SaleIn);
        var onTime = await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 2)));

        early.Should().BeEquivalentTo(new HoldResult.NotOnSaleYet(concert.OnSaleAt!.Value, concert.TimeZone));
        onTime.Should().BeOfType<HoldResult.Held>("with the room off, anyone may hold from the moment of the sale");
        (await _engine.TierAsync(concert.Id, "GA")).Held.Should().Be(2);
        (await _engine.Room.JoinAsync(BuyerId.New(), concert.Id)).Should().BeOfType<JoinRoomResult.NoRoom>();
    }

    [Fact]
    public async Task The_room_opens_its_doors_opens_before_ahead_of_the_sale()
    {
        var concert = await _engine.CreateConcertAsync(Now + TimeSpan.FromHours(2), ("GA", 1_000, 10));
        var opensAt = concert.OnSaleAt!.Value - TimeSpan.FromMinutes(30);
        var plain = await _engine.CreateConcertAsync(("GA", 1_000, 10));
        _engine.Time.SetUtcNow(opensAt - TimeSpan.FromSeconds(1));

        (await _engine.Room.JoinAsync(BuyerId.New(), concert.Id)).Should().BeEquivalentTo(new JoinRoomResult.NotOpenYet(opensAt, concert.OnSaleAt.Value));
        _engine.Time.Advance(TimeSpan.FromSeconds(1));
        var joined = (await _engine.Room.JoinAsync(BuyerId.New(), concert.Id)).Should().BeOfType<JoinRoomResult.InLine>().Subject.Status;
        joined.State.Should().Be(QueueState.Waiting);
        joined.Position.Should().BeNull("places are drawn at the sale");
        (await _engine.Room.JoinAsync(BuyerId.New(), plain.Id)).Should().BeOfType<JoinRoomResult.NoRoom>();
        (await _engine.Room.JoinAsync(BuyerId.New(), Guid.NewGuid())).Should().BeOfType<JoinRoomResult.ConcertNotFound>();
    }

    [Fact]
    public async Task At_the_sale_everyone_already_inside_is_shuffled_into_one_place_each_and_later_arrivals_queue_behind_in_order()
    {
        var concert = await OnSaleConcertAsync(room => room.AdmitPerMinute = 60);
        var early = Enumerable.Range(0, 200).Select(_ => BuyerId.New()).ToList();
        foreach (var buyer in early)
        {
            await _engine.Room.JoinAsync(buyer, concert.Id);
            _engine.Time.Advance(TimeSpan.FromMilliseconds(5));
        }

        (await _engine.Room.JoinAsync(early[0], concert.Id)).Should().BeOfType<JoinRoomResult.InLine>("joining again keeps the place");
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var late = new List<BuyerId>();
        for (var i = 0; i < 3; i++)
        {
            late.Add(BuyerId.New());
            (await _engine.Room.JoinAsync(late[^1], concert.Id)).Should().BeOfType<JoinRoomResult.InLine>();
        }

        var places = await PlacesAsync(concert.Id);

        places.Should().HaveCount(203, "every buyer has exactly one entry");
        places.Select(p => p.Seq).Should().BeEquivalentTo(Enumerable.Range(1, 203).Select(i => (long?)i), "places are 1..n without gaps or repeats");
        var earlyOrder = early.Select(b => places.Single(p => p.Buyer == b.Value).Seq).ToList();
        earlyOrder.Should().OnlyContain(seq => seq <= 200, "arrivals after the sale queue behind everyone inside before it");
        earlyOrder.Should().NotBeInAscendingOrder("arriving first gives no advantage (the chance of the arrival order by luck is 1 in 200!)");
        late.Select(b => places.Single(p => p.Buyer == b.Value).Seq).Should().Equal(201L, 202L, 203L);
    }

    [Fact]
    public async Task Admission_keeps_a_steady_pace_and_never_exceeds_the_minutes_allowance()
    {
        var concert = await OnSaleConcertAsync(room => (room.MaxActiveBuyers, room.AdmitPerMinute) = (100, 12)); // one every 5 s
        foreach (var buyer in Enumerable.Range(0, 40).Select(_ => BuyerId.New()))
        {
            await _engine.Room.JoinAsync(buyer, concert.Id);
        }

        var start = concert.OnSaleAt!.Value;
        for (var second = 0; second <= 90; second++)
        {
            // The beat jitters: a little early or late, never on the second.
            _engine.Time.SetUtcNow(start + TimeSpan.FromMilliseconds((second * 1_000) + (second % 3 == 0 ? 0 : second % 3 == 1 ? -20 : 15)));
            await _engine.Room.PumpAsync();
            var times = await AdmissionTimesAsync(concert.Id);
            times.Count(t => t > Now - TimeSpan.FromMinutes(1)).Should().BeLessThanOrEqualTo(12, $"at {second} s at most AdmitPerMinute were admitted in the last minute");
        }

        // One at the moment of the sale, then one every five seconds (a second's worth at once, then the minute's pace),
        // each at the first beat that allows it: never early, never a beat late, whatever the beat's jitter.
        var seconds = (await AdmissionTimesAsync(concert.Id)).Select(t => (t - start).TotalSeconds).Order().ToList();
        seconds.Should().HaveCount(19);
        seconds[0].Should().Be(0);
        seconds.Select((t, i) => t > (5 * i) - 1).Should().AllBeEquivalentTo(true, "the k-th admission is allowed only after (k-1)·5 s less the first second");
        seconds.Zip(seconds.Skip(1), (a, b) => b - a).Should().OnlyContain(gap => gap >= 3.9 && gap <= 6.1, "a steady pace");
    }

    [Fact]
    public async Task Admission_never_exceeds_the_active_set_and_a_booking_frees_its_place()
    {
        var concert = await OnSaleConcertAsync(room => (room.MaxActiveBuyers, room.AdmitPerMinute) = (5, 600));
        foreach (var buyer in Enumerable.Range(0, 40).Select(_ => BuyerId.New()))
        {
            await _engine.Room.JoinAsync(buyer, concert.Id);
        }

        var admittedBy = new Dictionary<int, int>();
        for (var second = 0; second <= 20; second++)
        {
            _engine.Time.SetUtcNow(concert.OnSaleAt!.Value + TimeSpan.FromSeconds(second));
            await _engine.Room.PumpAsync();
            if (second == 10)
            {
                // Everyone admitted buys: they leave the active set.
                foreach (var buyer in await AdmittedAsync(concert.Id))
                {
                    var status = (await _engine.Room.GetAsync(buyer, concert.Id))!;
                    (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = status.Admission })).Should().BeOfType<HoldResult.Held>();
                    (await _engine.Bookings.ConfirmAsync(buyer, TestEngine.Payment(concert.Id), Guid.NewGuid().ToString("N"))).Should().BeOfType<ConfirmResult.Booked>();
                }

                await _engine.Room.PumpAsync();
            }

            (await AdmittedAsync(concert.Id)).Count.Should().BeLessThanOrEqualTo(5, $"at {second} s at most MaxActiveBuyers shop at once");
            admittedBy[second] = (await AdmissionTimesAsync(concert.Id)).Count;
        }

        admittedBy[0].Should().Be(5, "the pace allows ten at once, the active set five");
        admittedBy[9].Should().Be(5, "nobody left the active set");
        admittedBy[10].Should().Be(10, "the five who booked made room for five more at once");
        admittedBy[20].Should().Be(10);
    }

    [Fact]
    public async Task A_lapsed_admission_frees_its_slot_for_the_next_in_line_and_no_longer_lets_its_buyer_hold()
    {
        var concert = await OnSaleConcertAsync(room => room.MaxActiveBuyers = 1);
        var (first, second) = (BuyerId.New(), BuyerId.New());
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var admitted = (await _engine.Room.JoinAsync(first, concert.Id)).Should().BeOfType<JoinRoomResult.InLine>().Subject.Status;
        var waiting = (await _engine.Room.JoinAsync(second, concert.Id)).Should().BeOfType<JoinRoomResult.InLine>().Subject.Status;
        admitted.State.Should().Be(QueueState.Admitted, "nobody was waiting, so the first in line is admitted at once");
        admitted.AdmissionExpiresAt.Should().Be(Now + _engine.Room.Options.FirstHoldWindow, "a buyer who has not held yet has the first-hold window");
        admitted.HoldFirst.Should().BeTrue();
        waiting.Position.Should().Be(1);

        _engine.Time.SetUtcNow(admitted.AdmissionExpiresAt!.Value);
        await _engine.Room.PumpAsync();

        (await _engine.Room.GetAsync(first, concert.Id))!.State.Should().Be(QueueState.Expired);
        var next = (await _engine.Room.GetAsync(second, concert.Id))!;
        next.State.Should().Be(QueueState.Admitted);
        (await _engine.Holds.PlaceAsync(first, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = admitted.Admission }))
            .Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Expired));
        (await _engine.Holds.PlaceAsync(second, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = next.Admission })).Should().BeOfType<HoldResult.Held>();
    }

    [Fact]
    public async Task A_first_hold_gives_the_turn_its_whole_window_and_a_buyer_who_never_holds_loses_it_after_the_first_hold_window()
    {
        var concert = await OnSaleConcertAsync();
        var (holder, idle) = (BuyerId.New(), BuyerId.New());
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var turn = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(holder, concert.Id)).Status;
        var idleTurn = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(idle, concert.Id)).Status;
        idleTurn.State.Should().Be(QueueState.Admitted);
        var admittedAt = Now;

        _engine.Time.Advance(TimeSpan.FromSeconds(90));
        (await _engine.Holds.PlaceAsync(holder, TestEngine.Request(concert.Id, ("GA", 2)) with { Admission = turn.Admission })).Should().BeOfType<HoldResult.Held>();
        var holding = (await _engine.Room.GetAsync(holder, concert.Id))!;
        holding.Should().BeEquivalentTo(new { State = QueueState.Admitted, HoldFirst = false, AdmissionExpiresAt = admittedAt + _engine.Room.Options.AdmissionWindow });

        _engine.Time.SetUtcNow(admittedAt + _engine.Room.Options.FirstHoldWindow);
        await _engine.Room.PumpAsync();

        (await _engine.Room.GetAsync(idle, concert.Id))!.State.Should().Be(QueueState.Expired, "two minutes without a hold end the turn");
        (await _engine.Holds.PlaceAsync(idle, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = idleTurn.Admission }))
            .Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Expired));
        (await _engine.Room.GetAsync(holder, concert.Id))!.State.Should().Be(QueueState.Admitted);
        (await _engine.Holds.PlaceAsync(holder, TestEngine.Request(concert.Id, ("GA", 3)) with { Admission = turn.Admission }))
            .Should().BeOfType<HoldResult.Held>("a buyer who held keeps the whole turn to change their tickets");
    }

    [Fact]
    public async Task Script_identities_get_at_most_four_places_an_address_and_those_that_never_hold_cannot_stall_the_room()
    {
        // Finding 3 of issue 34: 200 identities from 8 addresses took 47 of the first 50 admissions, then held nothing,
        // and the room admitted nobody for ten minutes while 160 people waited.
        var concert = await OnSaleConcertAsync(capacity: 20);
        var identities = Enumerable.Range(0, 200).Select(i => (Buyer: BuyerId.New(), Address: $"203.0.113.{i % 8}")).ToList();
        var real = Enumerable.Range(0, 10).Select(i => (Buyer: BuyerId.New(), Address: $"198.51.100.{i}")).ToList();
        var joined = new List<JoinRoomResult>();
        foreach (var (buyer, address) in identities)
        {
            joined.Add(await _engine.Room.JoinAsync(buyer, concert.Id, address));
        }

        foreach (var (buyer, address) in real)
        {
            (await _engine.Room.JoinAsync(buyer, concert.Id, address)).Should().BeOfType<JoinRoomResult.InLine>();
        }

        joined.OfType<JoinRoomResult.InLine>().Should().HaveCount(32, "four places for each of the eight addresses");
        joined.OfType<JoinRoomResult.AddressFull>().Should().HaveCount(168).And.AllSatisfy(r => r.Max.Should().Be(4));

        var holding = new HashSet<BuyerId>();
        var start = concert.OnSaleAt!.Value;
        for (var beat = 0; beat <= 8 * 60 && holding.Count < real.Count; beat++)
        {
            _engine.Time.SetUtcNow(start + TimeSpan.FromSeconds(beat));
            await _engine.Room.PumpAsync();
            foreach (var (buyer, _) in real.Where(r => !holding.Contains(r.Buyer)))
            {
                if (await _engine.Room.GetAsync(buyer, concert.Id) is { State: QueueState.Admitted } turn)
                {
                    (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = turn.Admission })).Should().BeOfType<HoldResult.Held>();
                    holding.Add(buyer);
                }
            }

            (await IdleAdmissionsAsync(concert.Id)).Should().Be(0, $"at {beat} s nobody has been admitted longer than the first-hold window without holding");
        }

        holding.Should().HaveCount(10, "every real buyer got a turn within eight minutes (an idle turn lasts two)");
        (await _engine.TierAsync(concert.Id, "GA")).Held.Should().Be(10);
    }

    [Fact]
    public async Task A_place_of_an_address_at_its_cap_frees_when_that_turn_ends()
    {
        var concert = await OnSaleConcertAsync(room => room.PlacesPerAddress = 2);
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var family = Enumerable.Range(0, 3).Select(_ => BuyerId.New()).ToList();
        var first = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(family[0], concert.Id, "192.0.2.1")).Status;
        (await _engine.Room.JoinAsync(family[1], concert.Id, "192.0.2.1")).Should().BeOfType<JoinRoomResult.InLine>();
        (await _engine.Room.JoinAsync(family[2], concert.Id, "192.0.2.1")).Should().BeEquivalentTo(new JoinRoomResult.AddressFull(2));
        (await _engine.Room.JoinAsync(family[0], concert.Id, "192.0.2.1")).Should().BeOfType<JoinRoomResult.InLine>("a place already held is found again, never refused");
        (await _engine.Room.JoinAsync(BuyerId.New(), concert.Id)).Should().BeOfType<JoinRoomResult.InLine>("in-process callers have no address");

        (await _engine.Holds.PlaceAsync(family[0], TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = first.Admission })).Should().BeOfType<HoldResult.Held>();
        (await _engine.Bookings.ConfirmAsync(family[0], TestEngine.Payment(concert.Id), "family")).Should().BeOfType<ConfirmResult.Booked>();

        (await _engine.Room.JoinAsync(family[2], concert.Id, "192.0.2.1")).Should().BeOfType<JoinRoomResult.InLine>("the first booked, so their place is free");
    }

    [Fact]
    public async Task While_the_room_is_open_joining_a_waiting_list_needs_an_admission_as_a_hold_does()
    {
        // Finding 2 of issue 34: a buyer who never queued got 403 on a hold but 201 on the waiting list, and was offered the
        // tickets an admitted buyer released.
        var concert = await OnSaleConcertAsync(capacity: 2);
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var (admitted, waiting, skipper) = (BuyerId.New(), BuyerId.New(), BuyerId.New());
        var turn = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(admitted, concert.Id)).Status;
        var second = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(waiting, concert.Id)).Status;
        second.State.Should().Be(QueueState.Admitted, "two tickets, two turns");
        (await _engine.Holds.PlaceAsync(admitted, TestEngine.Request(concert.Id, ("GA", 2)) with { Admission = turn.Admission })).Should().BeOfType<HoldResult.Held>();

        var skipped = await _engine.Waitlist.JoinAsync(skipper, new JoinRequest(concert.Id, "GA", 2, "skip@example.com"));
        var borrowed = await _engine.Waitlist.JoinAsync(skipper, new JoinRequest(concert.Id, "GA", 2, "skip@example.com", second.Admission));
        var rightful = await _engine.Waitlist.JoinAsync(waiting, new JoinRequest(concert.Id, "GA", 2, "wait@example.com", second.Admission));
        await _engine.Holds.ReleaseAsync(admitted, concert.Id);

        skipped.Should().BeEquivalentTo(new JoinResult.AdmissionRequired(AdmissionCheck.Missing));
        borrowed.Should().BeEquivalentTo(new JoinResult.AdmissionRequired(AdmissionCheck.Invalid));
        rightful.Should().BeOfType<JoinResult.Joined>();
        (await _engine.Waitlist.ListAsync(skipper)).Should().BeEmpty();
        (await _engine.Holds.GetAsync(waiting, concert.Id))!.Quantity.Should().Be(2, "the released tickets went to the buyer whose turn it was");
    }

    [Fact]
    public async Task A_hold_needs_the_buyers_own_admission_for_this_concert_and_a_refusal_changes_nothing()
    {
        var concert = await OnSaleConcertAsync();
        var other = await _engine.CreateConcertAsync(Now + SaleIn, ("GA", 1_000, 10));
        var (buyer, stranger) = (BuyerId.New(), BuyerId.New());
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var mine = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(buyer, concert.Id)).Status;
        var theirs = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(stranger, other.Id)).Status;
        mine.State.Should().Be(QueueState.Admitted);
        var forged = mine.Admission![..^4] + (mine.Admission.EndsWith("AAAA", StringComparison.Ordinal) ? "BBBB" : "AAAA");
        var later = mine.Admission!.Split('.') is var parts ? $"{parts[0]}.{long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) + 600_000}.{parts[2]}" : null;

        async Task<HoldResult> Hold(BuyerId who, string? admission) => await _engine.Holds.PlaceAsync(who, TestEngine.Request(concert.Id, ("GA", 2)) with { Admission = admission });

        (await Hold(buyer, null)).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Missing));
        (await Hold(buyer, forged)).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Invalid));
        (await Hold(buyer, later)).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Invalid), "the expiry is signed too");
        (await Hold(buyer, "not-an-admission")).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Invalid));
        (await Hold(stranger, mine.Admission)).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Invalid), "an admission is bound to its buyer");
        (await Hold(stranger, theirs.Admission)).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Invalid), "and to its concert");
        (await _engine.TierAsync(concert.Id, "GA")).Held.Should().Be(0);

        (await Hold(buyer, mine.Admission)).Should().BeOfType<HoldResult.Held>();
        (await _engine.Bookings.ConfirmAsync(buyer, TestEngine.Payment(concert.Id), Guid.NewGuid().ToString("N"))).Should().BeOfType<ConfirmResult.Booked>();
        (await Hold(buyer, mine.Admission)).Should().BeEquivalentTo(new HoldResult.AdmissionRequired(AdmissionCheck.Expired), "booking ended the turn");
        (await _engine.Room.GetAsync(buyer, concert.Id))!.State.Should().Be(QueueState.Done);
        _engine.Time.Advance(TimeSpan.FromSeconds(1));
        ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(buyer, concert.Id)).Status.State.Should().Be(QueueState.Admitted, "a buyer may get back in line");
    }

    [Fact]
    public async Task Nobody_is_let_in_while_every_ticket_is_sold_or_held_and_the_line_moves_when_tickets_come_back()
    {
        var concert = await OnSaleConcertAsync(capacity: 2);
        var (first, second) = (BuyerId.New(), BuyerId.New());
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var turn = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(first, concert.Id)).Status;
        (await _engine.Holds.PlaceAsync(first, TestEngine.Request(concert.Id, ("GA", 2)) with { Admission = turn.Admission })).Should().BeOfType<HoldResult.Held>();
        _engine.Time.Advance(TimeSpan.FromSeconds(1));
        var waiting = ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(second, concert.Id)).Status;

        for (var beat = 0; beat < 3; beat++)
        {
            _engine.Time.Advance(TimeSpan.FromSeconds(1));
            await _engine.Room.PumpAsync();
        }

        waiting.State.Should().Be(QueueState.Waiting, "joining while both tickets are held does not let the buyer in");
        var stillWaiting = (await _engine.Room.GetAsync(second, concert.Id))!;
        stillWaiting.Should().BeEquivalentTo(new { State = QueueState.Waiting, Position = 1, TicketsLeft = 0 }, "three beats later the tickets are still held");

        (await _engine.Holds.ReleaseAsync(first, concert.Id)).Should().BeTrue();
        _engine.Time.Advance(TimeSpan.FromSeconds(1));
        await _engine.Room.PumpAsync();

        (await _engine.Room.GetAsync(second, concert.Id))!.State.Should().Be(QueueState.Admitted, "the released tickets move the line");
        (await _engine.Room.GetAsync(first, concert.Id))!.State.Should().Be(QueueState.Done, "releasing ended the first buyer's turn");
    }

    [Fact]
    public async Task Tickets_left_in_the_room_are_what_the_public_can_buy_with_tickets_set_aside_and_expired_holds_not_yet_reclaimed()
    {
        var concert = await _engine.CreateConcertAsync(Now + SaleIn, ("GA", 1_000, 10), ("VIP", 5_000, 6));
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var (vipBuyer, vipHolder, vipWaiter, gaHolder) = (BuyerId.New(), BuyerId.New(), BuyerId.New(), BuyerId.New());
        async Task<string> TurnAsync(BuyerId buyer) =>
            ((JoinRoomResult.InLine)await _engine.Room.JoinAsync(buyer, concert.Id)).Status.Admission!;
        async Task<HoldResult> HoldAsync(BuyerId buyer, string turn, string tier, int quantity) =>
            await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, (tier, quantity)) with { Admission = turn });

        // VIP: four sold, two held; a buyer waits for four; the two come back: too few for them, so they are set aside for the line.
        (await HoldAsync(vipBuyer, await TurnAsync(vipBuyer), "VIP", 4)).Should().BeOfType<HoldResult.Held>();
        (await _engine.Bookings.ConfirmAsync(vipBuyer, TestEngine.Payment(concert.Id), Guid.NewGuid().ToString("N"))).Should().BeOfType<ConfirmResult.Booked>();
        (await HoldAsync(vipHolder, await TurnAsync(vipHolder), "VIP", 2)).Should().BeOfType<HoldResult.Held>();
        (await _engine.Waitlist.JoinAsync(vipWaiter, new JoinRequest(concert.Id, "VIP", 4, "waiter@example.com", await TurnAsync(vipWaiter)))).Should().BeOfType<JoinResult.Joined>();
        (await _engine.Holds.ReleaseAsync(vipHolder, concert.Id)).Should().BeTrue();
        // GA: three held, then the hold runs out and nothing has reclaimed it yet (no sweep, no write since).
        (await HoldAsync(gaHolder, await TurnAsync(gaHolder), "GA", 3)).Should().BeOfType<HoldResult.Held>();
        _engine.Time.Advance(_engine.HoldOptions.HardCap + TimeSpan.FromSeconds(1));

        var vip = await _engine.TierAsync(concert.Id, "VIP");
        vip.Should().BeEquivalentTo(new { Sold = 4, SetAside = 2, Held = 0, Available = 0 });
        (await _engine.TierAsync(concert.Id, "GA")).Available.Should().Be(10, "an expired hold stops counting at its expiry");
        var room = (await _engine.Room.GetRoomAsync(concert.Id))!;
        room.TicketsLeft.Should().Be(10, "the room counts what the public can buy: all ten GA (the hold ran out), not the set-aside VIP");

        // And the public can buy exactly that: ten GA, no VIP.
        var buyer = BuyerId.New();
        var turn = await TurnAsync(buyer);
        (await HoldAsync(buyer, turn, "VIP", 1)).Should().BeEquivalentTo(new HoldResult.NotEnoughTickets([new TierShortfall("VIP", 1, 0)]));
        (await HoldAsync(buyer, turn, "GA", 10)).Should().BeOfType<HoldResult.Held>();
        (await _engine.Room.GetRoomAsync(concert.Id))!.TicketsLeft.Should().Be(0);
    }

    [Fact]
    public async Task Positions_worked_out_from_a_pushed_snapshot_match_the_database_as_the_line_moves()
    {
        var concert = await OnSaleConcertAsync(room => (room.MaxActiveBuyers, room.AdmitPerMinute) = (100, 180)); // three a second
        var buyers = Enumerable.Range(0, 30).Select(_ => BuyerId.New()).ToList();
        foreach (var buyer in buyers)
        {
            await _engine.Room.JoinAsync(buyer, concert.Id);
        }

        var before = await Task.WhenAll(buyers.Select(b => _engine.Room.GetAsync(b, concert.Id)));
        var pushed = new List<RoomSnapshot>();
        using var watching = _engine.Room.Hub.Subscribe(concert.Id, s => { lock (pushed) { pushed.Add(s); } });
        for (var second = 0; second < 4; second++)
        {
            _engine.Time.SetUtcNow(concert.OnSaleAt!.Value + TimeSpan.FromSeconds(second));
            await _engine.Room.PumpAsync();
        }

        var latest = _engine.Room.Hub.Latest(concert.Id)!;
        latest.AdmittedThrough.Should().Be(12);
        latest.Waiting.Should().Be(18);
        var fresh = await Task.WhenAll(buyers.Select(b => _engine.Room.GetAsync(b, concert.Id)));
        fresh.Where(s => s!.State == QueueState.Waiting).Select(s => s!.Position).Should().BeEquivalentTo(Enumerable.Range(1, 18).Select(i => (int?)i));
        for (var i = 0; i < buyers.Count; i++)
        {
            var refreshed = await _engine.Room.RefreshAsync(buyers[i], before[i]!, latest);
            refreshed.Should().BeEquivalentTo(fresh[i], o => o.Excluding(s => s!.EstimatedWaitSeconds));
        }
    }

    [Fact]
    public async Task A_restart_mid_queue_keeps_every_place_and_admission()
    {
        var database = new TempDatabase();
        try
        {
            await _engine.DisposeAsync();
            _engine = TestEngine.Start(provider: provider, database: database, room: room => room.MaxActiveBuyers = 3);
            var concert = await _engine.CreateConcertAsync(Now + SaleIn, ("GA", 1_000, 100));
            var buyers = Enumerable.Range(0, 20).Select(_ => BuyerId.New()).ToList();
            foreach (var buyer in buyers)
            {
                await _engine.Room.JoinAsync(buyer, concert.Id);
            }

            for (var second = 0; second < 5; second++)
            {
                _engine.Time.SetUtcNow(concert.OnSaleAt!.Value + TimeSpan.FromSeconds(second));
                await _engine.Room.PumpAsync();
            }

            var now = Now;
            var before = await Task.WhenAll(buyers.Select(b => _engine.Room.GetAsync(b, concert.Id)));
            before.Count(s => s!.State == QueueState.Admitted).Should().Be(3);

            await _engine.DisposeAsync();
            _engine = TestEngine.Start(provider: provider, database: database, room: room => room.MaxActiveBuyers = 3);
            _engine.Time.SetUtcNow(now);
            await _engine.Room.PumpAsync();

            var after = await Task.WhenAll(buyers.Select(b => _engine.Room.GetAsync(b, concert.Id)));
            after.Should().BeEquivalentTo(before, o => o.Excluding(s => s!.AsOf), "places, admissions and their proofs are all in the database");
            var admitted = buyers.Where((_, i) => after[i]!.State == QueueState.Admitted).ToList();
            foreach (var buyer in admitted)
            {
                (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("GA", 1)) with { Admission = after[buyers.IndexOf(buyer)]!.Admission }))
                    .Should().BeOfType<HoldResult.Held>("the admission's key is kept in the database too");
            }
        }
        finally
        {
            await _engine.DisposeAsync();
            database.Dispose();
            _engine = TestEngine.Start(provider: provider);
        }
    }

    [Fact]
    public async Task Buyers_getting_in_line_at_once_on_real_threads_each_get_exactly_one_place()
    {
        var concert = await OnSaleConcertAsync(room => room.AdmitPerMinute = 60);
        _engine.Time.SetUtcNow(concert.OnSaleAt!.Value);
        var buyers = Enumerable.Range(0, 300).Select(_ => BuyerId.New()).ToList();

        // Every buyer twice, from parallel threads: the second join must find the first.
        var twice = buyers.Concat(buyers).ToList();
        var results = ThreadRace.Run(twice.Count, i => _engine.Room.JoinAsync(twice[i], concert.Id).GetAwaiter().GetResult());

        results.Should().AllBeOfType<JoinRoomResult.InLine>();
        var places = await PlacesAsync(concert.Id);
        places.Should().HaveCount(300);
        places.Select(p => p.Buyer).Should().OnlyHaveUniqueItems();
        places.Select(p => p.Seq).Should().BeEquivalentTo(Enumerable.Range(1, 300).Select(i => (long?)i));
        results.Cast<JoinRoomResult.InLine>().Count(r => r.Status.State == QueueState.Admitted).Should().Be(2, "the joins after nobody waited were admitted, one a second: the first and its own second join");
    }

    private sealed record Place(Guid Buyer, long? Seq);

    private async Task<List<Place>> PlacesAsync(Guid concertId)
    {
        await using var connection = await _engine.Connections.OpenAsync();
        return (await connection.QueryAsync<Place>("SELECT buyer_id AS Buyer, seq AS Seq FROM queue_entries WHERE concert_id = @concertId", new { concertId })).AsList();
    }

    private async Task<List<BuyerId>> AdmittedAsync(Guid concertId)
    {
        await using var connection = await _engine.Connections.OpenAsync();
        return [.. (await connection.QueryAsync<Guid>("SELECT buyer_id FROM queue_entries WHERE concert_id = @concertId AND state = 'admitted'", new { concertId })).Select(g => new BuyerId(g))];
    }

    /// <summary>Admitted entries whose buyer holds nothing and whose admission is older than the first-hold window.</summary>
    private async Task<long> IdleAdmissionsAsync(Guid concertId)
    {
        const string Sql = """
            SELECT COUNT(*) FROM queue_entries q
            WHERE q.concert_id = @concertId AND q.state = 'admitted' AND q.admitted_at <= @now - @window
              AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.buyer_id = q.buyer_id AND h.concert_id = q.concert_id)
            """;
        await using var connection = await _engine.Connections.OpenAsync();
        return await connection.ExecuteScalarAsync<long>(Sql, new { concertId, now = Now.ToUnixTimeMilliseconds(), window = (long)_engine.Room.Options.FirstHoldWindow.TotalMilliseconds });
    }

    private async Task<List<DateTimeOffset>> AdmissionTimesAsync(Guid concertId)
    {
        await using var connection = await _engine.Connections.OpenAsync();
        return [.. (await connection.QueryAsync<long>("SELECT admitted_at FROM queue_entries WHERE concert_id = @concertId AND admitted_at IS NOT NULL", new { concertId }))
            .Select(DateTimeOffset.FromUnixTimeMilliseconds)];
    }
}

public sealed class WaitingRoomOnSqliteTests() : WaitingRoomTests(StorageProvider.Sqlite);

public sealed class WaitingRoomOnPostgresTests() : WaitingRoomTests(StorageProvider.Postgres);
