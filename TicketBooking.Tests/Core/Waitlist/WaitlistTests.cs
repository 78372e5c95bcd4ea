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

/// <summary>The waiting list's rules (DESIGN §13) on a real SQLite file with a fake clock.</summary>
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
    public async Task A_buyer_waits_once_per_tier_and_email_whatever_the_spelling()
    {
        await SellOutGaAsync();
        var buyer = BuyerId.New();
        var first = Joined(await JoinAsync(buyer, "GA", 2, "Sam@Example.com"));

        var again = await JoinAsync(buyer, "GA", 3, "sam@example.com");

        again.Should().BeOfType<JoinResult.AlreadyWaiting>().Which.Entry.Id.Should().Be(first.Id);
        Joined(await JoinAsync(buyer, "GA", 1, "other@example.com")).Position.Should().Be(2);
        (await CountAsync("SELECT COUNT(*) FROM waitlist")).Should().Be(2);
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
                c => strangers = HoldCommands.Place(c, new(stranger, TestEngine.Request(_concert.Id, ("GA", 9)), null, _engine.HoldOptions, new(), PreventOrphans: true)),
            ]);
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
