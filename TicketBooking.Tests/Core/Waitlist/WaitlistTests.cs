using TicketBooking.Core.Storage;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Waitlist;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Waitlist;

/// <summary>The waiting list's rules (docs/architecture.md, "The waiting list") on a real SQLite file with a fake clock.</summary>
public abstract class WaitlistTests(StorageProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan OfferWindow = TimeSpan.FromMinutes(30);

    private TestEngine _engine = null!;
    private Concert _concert = null!;

    private WaitlistService Waitlist => _engine.Services.GetRequiredService<WaitlistService>();

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        _concert = await _engine.CreateConcertAsync(("GA", 1_000, 10), ("VIP", 10_000, 5));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Joining_a_tier_with_tickets_for_sale_is_refused_and_writes_nothing()
    {
        await HoldAsync(BuyerId.New(), "GA", 9);

        var result = await JoinAsync(BuyerId.New(), "GA", 2);

        result.Should().BeEquivalentTo(new JoinResult.TicketsAvailable("GA", 1));
        (await CountAsync("SELECT COUNT(*) FROM waitlist")).Should().Be(0);
    }

    [Fact]
    public async Task Five_emails_make_one_place_a_buyer_waits_once_per_tier()
    {
        await SellOutGaAsync();
        var buyer = BuyerId.New();
        var first = Joined(await JoinAsync(buyer, "GA", 10, "sam@example.com"));

        foreach (var email in new[] { "Sam@Example.com", "sam+2@example.com", "other@example.com", "x@example.org" })
        {
            (await JoinAsync(buyer, "GA", 10, email)).Should().BeOfType<JoinResult.AlreadyWaiting>().Which.Entry.Id.Should().Be(first.Id);
        }

        (await CountAsync("SELECT COUNT(*) FROM waitlist")).Should().Be(1, "five e-mails are still one buyer");
        Joined(await JoinAsync(BuyerId.New(), "GA", 1, "sam@example.com")).Position.Should().Be(2, "another buyer may give the same e-mail");
    }

    [Fact]
    public async Task Tickets_coming_back_never_take_one_waiting_buyer_past_ten()
    {
        // Finding 1 of issue 34: the buyer joined five times with five e-mails, and three holders releasing gave them 30.
        var holders = new[] { BuyerId.New(), BuyerId.New(), BuyerId.New() };
        var concert = await _engine.CreateConcertAsync(("GA", 1_000, 30));
        foreach (var holder in holders)
        {
            (await _engine.Holds.PlaceAsync(holder, TestEngine.Request(concert.Id, ("GA", 10)))).Should().BeOfType<HoldResult.Held>();
        }

        var attacker = BuyerId.New();
        var honest = BuyerId.New();
        var joins = new List<JoinResult>();
        foreach (var email in Enumerable.Range(1, 5).Select(i => $"me{i}@example.com"))
        {
            joins.Add(await Waitlist.JoinAsync(attacker, new JoinRequest(concert.Id, "GA", 10, email)));
        }

        var honestEntry = Joined(await Waitlist.JoinAsync(honest, new JoinRequest(concert.Id, "GA", 10, "honest@example.com")));
        foreach (var holder in holders)
        {
            await _engine.Holds.ReleaseAsync(holder, concert.Id);
        }

        joins.OfType<JoinResult.Joined>().Should().ContainSingle();
        joins.Skip(1).Should().AllBeOfType<JoinResult.AlreadyWaiting>();
        (await _engine.Holds.GetAsync(attacker, concert.Id))!.Quantity.Should().Be(10);
        (await Waitlist.GetAsync(honest, honestEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered, "the next ten go to the honest buyer behind");
        (await _engine.TierAsync(concert.Id, "GA")).Should().BeEquivalentTo(new { Held = 20, Available = 10 });
    }

    [Fact]
    public async Task An_offer_never_takes_an_address_past_forty_and_goes_to_the_next_entry_instead()
    {
        var holders = Enumerable.Range(0, 6).Select(_ => BuyerId.New()).ToList();
        var concert = await _engine.CreateConcertAsync(("GA", 1_000, 60));
        foreach (var (holder, i) in holders.Select((h, i) => (h, i)))
        {
            (await _engine.Holds.PlaceAsync(holder, TestEngine.Request(concert.Id, ("GA", 10)), $"198.51.100.{i}")).Should().BeOfType<HoldResult.Held>();
        }

        const string Script = "203.0.113.7";
        var identities = Enumerable.Range(0, 5).Select(_ => BuyerId.New()).ToList();
        var entries = new List<WaitlistEntry>();
        foreach (var identity in identities)
        {
            entries.Add(Joined(await Waitlist.JoinAsync(identity, new JoinRequest(concert.Id, "GA", 10, "script@example.com"), Script)));
        }

        var honest = BuyerId.New();
        var honestEntry = Joined(await Waitlist.JoinAsync(honest, new JoinRequest(concert.Id, "GA", 10, "fan@example.com"), "198.51.100.20"));
        foreach (var holder in holders.Take(5))
        {
            await _engine.Holds.ReleaseAsync(holder, concert.Id);
        }

        var offered = new List<BuyerId>();
        foreach (var identity in identities)
        {
            if ((await _engine.Holds.GetAsync(identity, concert.Id)) is not null)
            {
                offered.Add(identity);
            }
        }

        offered.Should().Equal(identities.Take(4), "four offers of ten reach the address's cap of 40");
        (await Waitlist.GetAsync(identities[4], entries[4].Id))!.Should().BeEquivalentTo(new { Status = WaitlistStatus.Waiting, Position = 1 }, "passed over, place kept");
        (await Waitlist.GetAsync(honest, honestEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await ScalarAsync<long>("SELECT SUM(quantity) FROM holds WHERE client = @client", new { client = Script })).Should().Be(40, "offers hold from the address the buyer joined from");
        (await _engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 1)), Script))
            .Should().BeOfType<HoldResult.AddressLimitReached>("the offers count against the address for holds too");
    }

    [Fact]
    public async Task An_offer_never_takes_a_buyer_past_the_per_buyer_maximum_even_if_it_was_lowered_after_they_joined()
    {
        using var database = new TempDatabase(provider);
        var buyer = BuyerId.New();
        var seller = BuyerId.New();
        Guid concertId;
        Guid entryId;
        await using (var before = TestEngine.Start(provider: provider, database: database))
        {
            concertId = (await before.CreateConcertAsync(("GA", 1_000, 10))).Id;
            (await before.Holds.PlaceAsync(seller, TestEngine.Request(concertId, ("GA", 6)))).Should().BeOfType<HoldResult.Held>();
            (await before.Holds.PlaceAsync(buyer, TestEngine.Request(concertId, ("GA", 4)))).Should().BeOfType<HoldResult.Held>();
            entryId = Joined(await before.Waitlist.JoinAsync(buyer, new JoinRequest(concertId, "GA", 6, "fan@example.com"))).Id;
        }

        await using var after = TestEngine.Start(provider: provider, database: database, limits: l => l.MaxTicketsPerBuyer = 8);
        var next = BuyerId.New();
        var nextEntry = Joined(await after.Waitlist.JoinAsync(next, new JoinRequest(concertId, "GA", 6, "next@example.com")));
        await after.Holds.ReleaseAsync(seller, concertId);

        (await after.Holds.GetAsync(buyer, concertId))!.Quantity.Should().Be(4, "4 held + 6 offered would pass the new maximum of 8");
        (await after.Waitlist.GetAsync(buyer, entryId))!.Status.Should().Be(WaitlistStatus.Waiting);
        (await after.Waitlist.GetAsync(next, nextEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
    }

    [Fact]
    public async Task Joining_and_leaving_in_a_loop_sends_an_address_one_email_an_hour()
    {
        // Finding 7 of issue 34: a join/leave loop sent 122 e-mails to one victim's address in 30 s.
        await SellOutGaAsync();
        var buyer = BuyerId.New();
        for (var i = 0; i < 122; i++)
        {
            var entry = Joined(await JoinAsync(buyer, "GA", 1, i % 2 == 0 ? "victim@example.com" : "Victim@Example.com"));
            (await Waitlist.LeaveAsync(buyer, entry.Id)).Should().BeOfType<LeaveResult.Left>();
            _engine.Time.Advance(TimeSpan.FromMilliseconds(250));
        }

        (await CountAsync("SELECT COUNT(*) FROM outbox WHERE kind = 'waitlist-joined'")).Should().Be(1);
        _engine.Time.Advance(TimeSpan.FromHours(1));
        Joined(await JoinAsync(BuyerId.New(), "GA", 1, "victim@example.com"));
        (await CountAsync("SELECT COUNT(*) FROM outbox WHERE kind = 'waitlist-joined'")).Should().Be(2, "an hour after the last one, another may go");
    }

    [Fact]
    public async Task A_tiers_line_is_at_most_max_entries_long_and_a_place_that_leaves_can_be_taken()
    {
        await _engine.DisposeAsync();
        _engine = TestEngine.Start(provider: provider, waitlist: w => w.MaxEntriesPerTier = 5);
        _concert = await _engine.CreateConcertAsync(("GA", 1_000, 10), ("VIP", 10_000, 5));
        await SellOutGaAsync();
        var entries = new List<(BuyerId Buyer, WaitlistEntry Entry)>();
        for (var i = 0; i < 5; i++)
        {
            var buyer = BuyerId.New();
            entries.Add((buyer, Joined(await JoinAsync(buyer, "GA", 1))));
        }

        var late = BuyerId.New();
        (await JoinAsync(late, "GA", 1)).Should().BeEquivalentTo(new JoinResult.LineFull("GA", 5));
        await Waitlist.LeaveAsync(entries[0].Buyer, entries[0].Entry.Id);
        Joined(await JoinAsync(late, "GA", 1)).Position.Should().Be(5);
        (await CountAsync("SELECT COUNT(*) FROM waitlist WHERE status = 'waiting'")).Should().Be(5);
    }

    [Fact]
    public async Task No_entry_is_offered_without_the_hold_that_carries_it_through_releases_expiries_and_cancellations()
    {
        // Finding 8 of issue 34: an offer merged into a hold, and after the hold was released the entry stayed 'offered'.
        var owner = BuyerId.New();
        await HoldAsync(owner, "GA", 10);
        var booking = ((ConfirmResult.Booked)await _engine.Bookings.ConfirmAsync(owner, Confirm(), "owner")).Booking;
        var cancellations = _engine.Services.GetRequiredService<CancellationService>();
        var (x, y, z) = (BuyerId.New(), BuyerId.New(), BuyerId.New());

        // An offer merged into an open checkout, then the checkout released.
        await HoldAsync(x, "VIP", 1);
        var first = Joined(await JoinAsync(x, "GA", 2));
        (await cancellations.CancelAsync(new Canceller.Buyer(owner), booking.Id, [.. booking.Tickets.Take(2).Select(t => t.Id)])).Should().BeOfType<CancelResult.Cancelled>();
        (await _engine.Holds.GetAsync(x, _concert.Id))!.Quantity.Should().Be(3, "the offer joined the checkout");
        await OffersCarriedAsync(1);
        await _engine.Holds.ReleaseAsync(x, _concert.Id);
        (await Waitlist.GetAsync(x, first.Id))!.Status.Should().Be(WaitlistStatus.Expired);
        await OffersCarriedAsync(0);

        // An offer that ran out, unswept, and the same row reused by a new checkout of the buyer.
        await HoldAsync(y, "GA", 2);
        var second = Joined(await JoinAsync(x, "GA", 2));
        _engine.Time.Advance(_engine.HoldOptions.Duration);
        await _engine.Holds.SweepExpiredAsync();
        (await Waitlist.GetAsync(x, second.Id))!.Status.Should().Be(WaitlistStatus.Offered, "y's hold ran out and went to x");
        _engine.Time.Advance(OfferWindow);
        await HoldAsync(x, "GA", 2); // the expired offer's row is still there: the new checkout takes it over
        (await Waitlist.GetAsync(x, second.Id))!.Status.Should().Be(WaitlistStatus.Expired);
        await OffersCarriedAsync(0);

        // An offer from a cancellation, then its buyer leaves the line; and a booking of x cancelled with z waiting.
        var third = Joined(await JoinAsync(z, "GA", 2));
        (await cancellations.CancelAsync(new Canceller.Buyer(owner), booking.Id, [.. booking.Tickets.Skip(2).Take(2).Select(t => t.Id)])).Should().BeOfType<CancelResult.Cancelled>();
        await OffersCarriedAsync(1);
        await Waitlist.LeaveAsync(z, third.Id);
        await OffersCarriedAsync(0);
        var xs = ((ConfirmResult.Booked)await _engine.Bookings.ConfirmAsync(x, Confirm(), "x")).Booking;
        await HoldAsync(BuyerId.New(), "GA", 2);
        var fourth = Joined(await JoinAsync(z, "GA", 2));
        (await cancellations.CancelAsync(new Canceller.Buyer(x), xs.Id, null)).Should().BeOfType<CancelResult.Cancelled>();
        (await Waitlist.GetAsync(z, fourth.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        await OffersCarriedAsync(1);
    }

    /// <summary>Every entry marked offered has the hold row that names it, and every hold row names an offered entry or none.</summary>
    private async Task OffersCarriedAsync(int offers)
    {
        (await CountAsync("SELECT COUNT(*) FROM waitlist w WHERE w.status = 'offered' AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.waitlist_id = w.id)"))
            .Should().Be(0, "an entry is offered only while a hold carries it");
        (await CountAsync("SELECT COUNT(*) FROM holds h JOIN waitlist w ON w.id = h.waitlist_id WHERE w.status <> 'offered'")).Should().Be(0);
        (await CountAsync("SELECT COUNT(*) FROM waitlist WHERE status = 'offered'")).Should().Be(offers);
    }

    [Fact]
    public async Task Bad_input_is_refused_with_reasons()
    {
        await SellOutGaAsync();

        var result = await Waitlist.JoinAsync(BuyerId.New(), new JoinRequest(_concert.Id, "", _engine.HoldOptions.MaxPerTier + 1, "not-an-email"));

        result.Should().BeOfType<JoinResult.Invalid>().Which.Errors.Keys.Should().BeEquivalentTo(["tier", "quantity", "email"]);
        (await JoinAsync(BuyerId.New(), "NOPE", 1)).Should().BeOfType<JoinResult.UnknownTier>();
        (await CountAsync("SELECT COUNT(*) FROM waitlist")).Should().Be(0);
    }

    [Fact]
    public async Task What_a_buyer_bought_and_holds_counts_towards_the_per_buyer_maximum()
    {
        var buyer = BuyerId.New();
        await BuyAsync(buyer, "GA", 7);
        await HoldAsync(buyer, "GA", 1);
        await BuyAsync(BuyerId.New(), "GA", 2);

        (await JoinAsync(buyer, "GA", 3)).Should().BeEquivalentTo(new JoinResult.BuyerLimitReached("GA", 10, 8));
        Joined(await JoinAsync(buyer, "GA", 2));
    }

    [Fact]
    public async Task Positions_count_people_and_tickets_ahead_and_close_up_when_someone_leaves()
    {
        await SellOutGaAsync();
        var buyers = Enumerable.Range(0, 4).Select(_ => BuyerId.New()).ToList();
        var entries = new List<WaitlistEntry>();
        foreach (var (buyer, quantity) in buyers.Zip([2, 3, 1, 4]))
        {
            entries.Add(Joined(await JoinAsync(buyer, "GA", quantity)));
        }

        entries.Select(e => (e.Position, e.SeatsAhead)).Should().Equal((1, 0), (2, 2), (3, 5), (4, 6));

        (await Waitlist.LeaveAsync(buyers[1], entries[1].Id)).Should().BeOfType<LeaveResult.Left>();

        (await PositionAsync(buyers[0], entries[0].Id)).Should().Be((1, 0));
        (await PositionAsync(buyers[2], entries[2].Id)).Should().Be((2, 2));
        (await PositionAsync(buyers[3], entries[3].Id)).Should().Be((3, 3));
        (await Waitlist.GetAsync(buyers[1], entries[1].Id))!.Status.Should().Be(WaitlistStatus.Left);
    }

    [Fact]
    public async Task Another_buyer_cannot_see_or_end_an_entry_and_a_wrong_token_ends_nothing()
    {
        await SellOutGaAsync();
        var owner = BuyerId.New();
        var entry = Joined(await JoinAsync(owner, "GA", 2));

        (await Waitlist.GetAsync(BuyerId.New(), entry.Id)).Should().BeNull();
        (await Waitlist.LeaveAsync(BuyerId.New(), entry.Id)).Should().BeOfType<LeaveResult.NotFound>();
        (await Waitlist.LeaveWithTokenAsync(entry.Id, "forged-token")).Should().BeOfType<LeaveResult.NotFound>();

        (await Waitlist.GetAsync(owner, entry.Id))!.Status.Should().Be(WaitlistStatus.Waiting);
    }

    [Fact]
    public async Task The_link_in_the_email_leaves_from_any_browser()
    {
        await SellOutGaAsync();
        var entry = Joined(await JoinAsync(BuyerId.New(), "GA", 2));
        var token = await ScalarAsync<string>("SELECT leave_token FROM waitlist WHERE id = @id", new { id = entry.Id });
        var mail = await ScalarAsync<string>("SELECT body FROM outbox WHERE kind = 'waitlist-joined'");
        mail.Should().Contain($"/waitlist/{entry.Id}/leave?token={token}");

        (await Waitlist.LeaveWithTokenAsync(entry.Id, token)).Should().BeOfType<LeaveResult.Left>();

        (await Waitlist.GetWithTokenAsync(entry.Id, token))!.Status.Should().Be(WaitlistStatus.Left);
    }

    [Fact]
    public async Task Released_tickets_go_to_the_first_entry_that_fits_and_the_rest_are_set_aside()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var big = BuyerId.New();
        var small = BuyerId.New();
        var bigEntry = Joined(await JoinAsync(big, "GA", 4));
        var smallEntry = Joined(await JoinAsync(small, "GA", 2));

        await HoldAsync(seller, "GA", 7); // gives back 3: the 4 does not fit, the 2 behind it does

        (await Waitlist.GetAsync(small, smallEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await _engine.Holds.GetAsync(small, _concert.Id))!.Quantity.Should().Be(2);
        var waiting = await Waitlist.GetAsync(big, bigEntry.Id);
        waiting!.Status.Should().Be(WaitlistStatus.Waiting);
        waiting.Position.Should().Be(1, "an entry passed over keeps its place");
        var tier = await _engine.TierAsync(_concert.Id, "GA");
        tier.Should().BeEquivalentTo(new { Held = 9, SetAside = 1, Available = 0, Waiting = 1, WaitingTickets = 4 });
        (await HoldAsync(BuyerId.New(), "GA", 1, expectHeld: false)).Should().BeOfType<HoldResult.NotEnoughTickets>("a set-aside ticket is not for sale while someone waits");

        await HoldAsync(seller, "GA", 4); // 3 more back: with the one set aside, the 4 fits now

        (await Waitlist.GetAsync(big, bigEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { Held = 10, SetAside = 0, Waiting = 0 });
    }

    [Fact]
    public async Task In_one_group_commit_a_release_followed_by_a_strangers_hold_still_serves_the_line_first()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var buyer = BuyerId.New();
        var entry = Joined(await JoinAsync(buyer, "GA", 2));
        var stranger = BuyerId.New();
        HoldResult? strangers = null;

        // The writer batches whatever is queued into one transaction: here the release and the hold share one, in that order.
        using (var connection = _engine.Connections.Open())
        {
            TicketBooking.Core.Storage.WriteTransaction.Run(_engine.Connections, connection, _engine.Time.GetUtcNow(),
            [
                c => HoldCommands.Release(c, seller, _concert.Id),
                c => strangers = HoldCommands.Place(c, new(stranger, TestEngine.Request(_concert.Id, ("GA", 9)), null, _engine.HoldOptions, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true)),
            ], _engine.AfterCommands);
        }

        strangers.Should().BeEquivalentTo(new HoldResult.NotEnoughTickets([new TierShortfall("GA", 9, 8)]));
        (await Waitlist.GetAsync(buyer, entry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
    }

    [Fact]
    public async Task Set_aside_tickets_go_on_sale_when_the_last_person_waiting_leaves()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var buyer = BuyerId.New();
        var entry = Joined(await JoinAsync(buyer, "GA", 3));
        await HoldAsync(seller, "GA", 8);
        (await _engine.TierAsync(_concert.Id, "GA")).SetAside.Should().Be(2);

        await Waitlist.LeaveAsync(buyer, entry.Id);

        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { SetAside = 0, Available = 2 });
        await HoldAsync(BuyerId.New(), "GA", 2);
    }

    [Fact]
    public async Task An_offer_expires_at_exactly_its_window_and_passes_to_the_next_entry_in_the_same_sweep()
    {
        await BuyAsync(BuyerId.New(), "GA", 8);
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 2);
        var first = BuyerId.New();
        var second = BuyerId.New();
        var firstEntry = Joined(await JoinAsync(first, "GA", 2));
        var secondEntry = Joined(await JoinAsync(second, "GA", 2));
        var told = new TaskCompletionSource<WaitlistOffer>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var subscription = _engine.Services.GetRequiredService<WaitlistNotices>().Subscribe(second, n =>
        {
            if (n.Offer is { } offer)
            {
                told.TrySetResult(offer);
            }
        });
        await _engine.Holds.ReleaseAsync(seller, _concert.Id);
        var offeredAt = _engine.Time.GetUtcNow();
        var offer = (await Waitlist.GetAsync(first, firstEntry.Id))!;
        offer.OfferExpiresAt.Should().Be(offeredAt + OfferWindow);
        (await _engine.Holds.GetAsync(first, _concert.Id))!.ExpiresAt.Should().Be(offeredAt + OfferWindow);

        // A hidden tab shrinks an ordinary hold; an offer keeps its window.
        await _engine.Holds.HeartbeatAsync(first, _concert.Id, active: false, visible: false);
        await _engine.Holds.ShrinkAllAsync(first);
        _engine.Time.Advance(OfferWindow - TimeSpan.FromMilliseconds(1));
        await _engine.Holds.SweepExpiredAsync();
        (await Waitlist.GetAsync(first, firstEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered);

        _engine.Time.Advance(TimeSpan.FromMilliseconds(1));
        (await _engine.Holds.GetAsync(first, _concert.Id)).Should().BeNull("the offer ends at exactly its expiry");
        await _engine.Holds.SweepExpiredAsync();

        (await Waitlist.GetAsync(first, firstEntry.Id))!.Status.Should().Be(WaitlistStatus.Expired);
        var passed = (await Waitlist.GetAsync(second, secondEntry.Id))!;
        passed.Status.Should().Be(WaitlistStatus.Offered);
        passed.OfferExpiresAt.Should().Be(_engine.Time.GetUtcNow() + OfferWindow);
        (await _engine.Holds.GetAsync(second, _concert.Id))!.Quantity.Should().Be(2);
        (await told.Task.WaitAsync(TimeSpan.FromSeconds(10))).Should().BeEquivalentTo(new { Buyer = second, EntryId = secondEntry.Id, Tier = "GA", Quantity = 2 });

        // The one whose offer ran out may join again, at the end.
        Joined(await JoinAsync(first, "GA", 2)).Position.Should().Be(1);
    }

    [Fact]
    public async Task A_paid_offer_converts_the_entry_and_its_email_links_to_checkout()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var buyer = BuyerId.New();
        var entry = Joined(await JoinAsync(buyer, "GA", 3));
        await _engine.Holds.ReleaseAsync(seller, _concert.Id);

        var booked = await _engine.Bookings.ConfirmAsync(buyer, Confirm(), "key-1");

        booked.Should().BeOfType<ConfirmResult.Booked>().Which.Booking.Items.Single().Quantity.Should().Be(3);
        (await Waitlist.GetAsync(buyer, entry.Id))!.Status.Should().Be(WaitlistStatus.Converted);
        (await Waitlist.LeaveAsync(buyer, entry.Id)).Should().BeOfType<LeaveResult.AlreadyBooked>();
        var mail = await ScalarAsync<string>("SELECT body FROM outbox WHERE kind = 'waitlist-offer'");
        mail.Should().Contain($"/checkout/{_concert.Id}");
        (await Waitlist.SummaryAsync(_concert.Id)).Single(t => t.Tier == "GA").Should().BeEquivalentTo(new { Converted = 1, ConvertedSeats = 3, Waiting = 0, OffersOut = 0 });
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { Sold = 3, Held = 0, SetAside = 0, Available = 7 });
    }

    [Fact]
    public async Task Leaving_with_an_offer_passes_it_to_the_next_entry()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var first = BuyerId.New();
        var second = BuyerId.New();
        var firstEntry = Joined(await JoinAsync(first, "GA", 2));
        var secondEntry = Joined(await JoinAsync(second, "GA", 2));
        await HoldAsync(seller, "GA", 8);

        await Waitlist.LeaveAsync(first, firstEntry.Id);

        (await _engine.Holds.GetAsync(first, _concert.Id)).Should().BeNull();
        (await Waitlist.GetAsync(second, secondEntry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { Held = 10, SetAside = 0 });
    }

    [Fact]
    public async Task An_expired_hold_is_never_shown_as_available_while_someone_waits_for_it()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var buyer = BuyerId.New();
        var entry = Joined(await JoinAsync(buyer, "GA", 2));
        _engine.Time.Advance(_engine.HoldOptions.Duration);

        (await _engine.TierAsync(_concert.Id, "GA")).Available.Should().Be(0, "the expired tickets are owed to the line");
        (await _engine.Catalog.GetAvailabilityAsync(_concert.Id))!.Tier("GA")!.Available.Should().Be(0);
        var refused = await HoldAsync(BuyerId.New(), "GA", 9, expectHeld: false);

        // That attempt reclaimed the expired hold and served the line first, in the same transaction: 8 were left for it.
        refused.Should().BeEquivalentTo(new HoldResult.NotEnoughTickets([new TierShortfall("GA", 9, 8)]));
        (await Waitlist.GetAsync(buyer, entry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { Held = 2, SetAside = 0, Available = 8, Waiting = 0 });
    }

    [Fact]
    public async Task A_capacity_raise_serves_the_line_before_the_public()
    {
        await SellOutGaAsync();
        var buyer = BuyerId.New();
        var entry = Joined(await JoinAsync(buyer, "GA", 3));

        (await _engine.Admin.SetCapacityAsync(_concert.Id, "GA", 12)).Should().BeOfType<AdminResult.Saved>();

        (await Waitlist.GetAsync(buyer, entry.Id))!.Status.Should().Be(WaitlistStatus.Waiting, "2 more do not fit 3");
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { SetAside = 2, Available = 0 });

        await _engine.Admin.SetCapacityAsync(_concert.Id, "GA", 20);

        (await Waitlist.GetAsync(buyer, entry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { SetAside = 0, Available = 7 });
    }

    [Fact]
    public async Task An_offer_joins_the_buyers_open_checkout_as_one_hold()
    {
        var seller = BuyerId.New();
        await HoldAsync(seller, "GA", 10);
        var buyer = BuyerId.New();
        await HoldAsync(buyer, "VIP", 1);
        var before = (await _engine.Holds.GetAsync(buyer, _concert.Id))!;
        Joined(await JoinAsync(buyer, "GA", 2));

        await _engine.Holds.ReleaseAsync(seller, _concert.Id);

        var after = (await _engine.Holds.GetAsync(buyer, _concert.Id))!;
        after.HoldId.Should().NotBe(before.HoldId, "the checkout changed: it now includes the offer");
        after.Items.Select(i => (i.Tier, i.Quantity)).Should().BeEquivalentTo([("VIP", 1), ("GA", 2)]);
        var booked = await _engine.Bookings.ConfirmAsync(buyer, Confirm() with { HoldId = after.HoldId }, "key-2");
        booked.Should().BeOfType<ConfirmResult.Booked>().Which.Booking.Items.Sum(i => i.Quantity).Should().Be(3);
    }

    [Fact]
    public async Task A_cancellation_gives_its_tickets_to_the_line()
    {
        var owner = BuyerId.New();
        await HoldAsync(owner, "GA", 10);
        var booking = ((ConfirmResult.Booked)await _engine.Bookings.ConfirmAsync(owner, Confirm(), "key-3")).Booking;
        var buyer = BuyerId.New();
        var entry = Joined(await JoinAsync(buyer, "GA", 2));

        var cancelled = await _engine.Services.GetRequiredService<CancellationService>()
            .CancelAsync(new Canceller.Buyer(owner), booking.Id, [.. booking.Tickets.Take(3).Select(t => t.Id)]);

        cancelled.Should().BeOfType<CancelResult.Cancelled>();
        (await Waitlist.GetAsync(buyer, entry.Id))!.Status.Should().Be(WaitlistStatus.Offered);
        (await _engine.TierAsync(_concert.Id, "GA")).Should().BeEquivalentTo(new { Sold = 7, Held = 2, SetAside = 0, Available = 1 });
    }

    private async Task SellOutGaAsync() => await BuyAsync(BuyerId.New(), "GA", 10);

    private async Task BuyAsync(BuyerId buyer, string tier, int quantity)
    {
        await HoldAsync(buyer, tier, quantity);
        (await _engine.Bookings.ConfirmAsync(buyer, Confirm(), $"key-{Guid.NewGuid():N}")).Should().BeOfType<ConfirmResult.Booked>();
    }

    private async Task<HoldResult> HoldAsync(BuyerId buyer, string tier, int quantity, bool expectHeld = true)
    {
        var result = await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(_concert.Id, (tier, quantity)));
        if (expectHeld)
        {
            result.Should().BeOfType<HoldResult.Held>();
        }

        return result;
    }

    private Task<JoinResult> JoinAsync(BuyerId buyer, string tier, int quantity, string email = "fan@example.com") =>
        Waitlist.JoinAsync(buyer, new JoinRequest(_concert.Id, tier, quantity, email));

    private static WaitlistEntry Joined(JoinResult result) => result.Should().BeOfType<JoinResult.Joined>().Subject.Entry;

    private async Task<(int?, int?)> PositionAsync(BuyerId buyer, Guid entryId)
    {
        var entry = (await Waitlist.GetAsync(buyer, entryId))!;
        return (entry.Position, entry.SeatsAhead);
    }

    private ConfirmRequest Confirm() => TestEngine.Payment(_concert.Id);

    private async Task<long> CountAsync(string sql) => await ScalarAsync<long>(sql);

    private async Task<T> ScalarAsync<T>(string sql, object? parameters = null)
    {
        await using var connection = await _engine.Connections.OpenAsync();
        return (await connection.ExecuteScalarAsync<T>(sql, parameters))!;
    }
}

public sealed class WaitlistOnSqliteTests() : WaitlistTests(StorageProvider.Sqlite);

public sealed class WaitlistOnPostgresTests() : WaitlistTests(StorageProvider.Postgres);
