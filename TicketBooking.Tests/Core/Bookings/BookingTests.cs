using TicketBooking.Core.Storage;
using Dapper;
using Microsoft.Extensions.Options;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Concerts;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Bookings;

public abstract class BookingTests(StorageProvider provider) : IAsyncLifetime
{
    private const string Approved = "4242 4242 4242 4242";
    private const string Declined = "4000 0000 0000 0002";
    private TestEngine _engine = null!;
    private Concert _concert = null!;
    private BuyerId _buyer;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        _concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        _buyer = BuyerId.New();
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task An_approved_payment_turns_the_hold_into_a_booking()
    {
        await Hold(_buyer, ("VIP", 2), ("GA", 1));

        var result = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "key-1");

        var booking = result.Should().BeOfType<ConfirmResult.Booked>().Subject.Booking;
        booking.Reference.Should().MatchRegex("^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$");
        booking.Items.Select(i => (i.Tier, i.Quantity, i.UnitPriceCents)).Should().Equal(("VIP", 2, 10_000), ("GA", 1, 1_000));
        booking.TotalCents.Should().Be(21_000);
        booking.Concert.Id.Should().Be(_concert.Id);
        (booking.BuyerName, booking.BuyerEmail).Should().Be(("Ada Lovelace", "ada@example.com"));
        var vip = await _engine.TierAsync(_concert.Id, "VIP");
        (vip.Sold, vip.Held, vip.Available).Should().Be((2, 0, 8));
        (await _engine.Holds.GetAsync(_buyer, _concert.Id)).Should().BeNull();
        _engine.Gateway.Charges.Should().ContainSingle().Which.Should().Match<SimulatedCharge>(c => c.AmountCents == 21_000 && !c.Voided && c.CardLast4 == "4242");
        (await Payments()).Should().Equal(("approved", booking.Id));
        (await _engine.Bookings.ListAsync(_buyer)).Should().ContainSingle().Which.Should().BeEquivalentTo(booking);
        (await _engine.Bookings.GetAsync(_buyer, booking.Id)).Should().BeEquivalentTo(booking);
    }

    [Fact]
    public async Task Another_buyer_can_neither_list_nor_read_a_booking()
    {
        await Hold(_buyer, ("GA", 1));
        var booking = ((ConfirmResult.Booked)await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "key-1")).Booking;
        var stranger = BuyerId.New();

        (await _engine.Bookings.ListAsync(stranger)).Should().BeEmpty();
        (await _engine.Bookings.GetAsync(stranger, booking.Id)).Should().BeNull();
    }

    [Fact]
    public async Task A_declined_card_keeps_the_hold_so_another_card_can_pay()
    {
        var hold = await Hold(_buyer, ("VIP", 2));

        var declined = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "key-1");

        declined.Should().BeOfType<ConfirmResult.PaymentFailed>().Which.Reason.Should().Be(PaymentFailure.Declined);
        (await _engine.Holds.GetAsync(_buyer, _concert.Id)).Should().BeEquivalentTo(hold);
        _engine.Gateway.Charges.Should().BeEmpty();

        var paid = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "key-2");

        paid.Should().BeOfType<ConfirmResult.Booked>();
        (await Payments()).Select(p => p.Status).Should().Equal("declined", "approved");
    }

    [Theory]
    [InlineData("4000 0000 0000 9995", PaymentFailure.Declined, "insufficient_funds")] // recorded as such, told as a decline
    public async Task Other_payment_failures_keep_the_hold_and_are_recorded(string card, PaymentFailure reason, string status)
    {
        await Hold(_buyer, ("GA", 1));

        var result = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(card), "key-1");

        result.Should().BeOfType<ConfirmResult.PaymentFailed>().Which.Reason.Should().Be(reason);
        (await _engine.Holds.GetAsync(_buyer, _concert.Id)).Should().NotBeNull();
        (await Payments()).Should().Equal((status, (Guid?)null));
    }

    [Fact]
    public async Task A_card_number_that_fails_the_Luhn_check_is_a_typo_told_at_the_field_and_records_no_attempt()
    {
        await Hold(_buyer, ("GA", 1));

        var result = await _engine.Bookings.ConfirmAsync(_buyer, Confirm("4242 4242 4242 4241"), "typo");

        result.Should().BeOfType<ConfirmResult.Invalid>().Which.Errors.Should().ContainKey("card.number");
        (await Payments()).Should().BeEmpty();
        _engine.Gateway.Attempts.Should().Be(0);
    }

    [Fact]
    public async Task A_second_payment_for_a_checkout_while_the_first_is_charging_charges_nothing()
    {
        await using var engine = TestEngine.Start(provider: provider, payments: p => p.Delay = TimeSpan.FromSeconds(2));
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        var buyer = BuyerId.New();
        await engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2)));

        var first = engine.Bookings.ConfirmAsync(buyer, Confirm(Approved, concert.Id), "tab-1");
        await engine.Time.WaitForTimersAsync();
        var second = await engine.Bookings.ConfirmAsync(buyer, Confirm(Approved, concert.Id), "tab-2");
        engine.Time.Advance(TimeSpan.FromSeconds(2));

        second.Should().BeOfType<ConfirmResult.InProgress>();
        (await first).Should().BeOfType<ConfirmResult.Booked>();
        engine.Gateway.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Holding_again_does_not_reset_the_wait_after_declines()
    {
        await Hold(_buyer, ("GA", 1));
        for (var i = 0; i < 3; i++)
        {
            await Hold(_buyer, ("GA", 1 + (i % 2))); // a new checkout each time
            (await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), $"decline-{i}")).Should().BeOfType<ConfirmResult.PaymentFailed>();
        }

        await Hold(_buyer, ("GA", 2));
        var afterReHold = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "fresh-checkout");

        afterReHold.Should().BeOfType<ConfirmResult.TryLater>();
    }

    [Fact]
    public async Task A_hold_that_expired_while_its_tickets_stayed_free_is_still_booked()
    {
        await Hold(_buyer, ("VIP", 3));
        _engine.Time.Advance(_engine.HoldOptions.Duration + TimeSpan.FromSeconds(5));

        var result = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "key-1");

        result.Should().BeOfType<ConfirmResult.Booked>();
        var vip = await _engine.TierAsync(_concert.Id, "VIP");
        (vip.Sold, vip.Held).Should().Be((3, 0));
    }

    [Fact]
    public async Task A_payment_begun_a_second_before_expiry_keeps_the_tickets_for_the_charge_and_books()
    {
        // docs/architecture.md, "Confirming a booking" / issue 10: a 2 s charge started 1 s before the hold runs out.
        await using var engine = TestEngine.Start(provider: provider, payments: p => p.Delay = TimeSpan.FromSeconds(2));
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        var payer = BuyerId.New();
        await engine.Holds.PlaceAsync(payer, TestEngine.Request(concert.Id, ("VIP", 10)));
        engine.Time.Advance(engine.HoldOptions.Duration - TimeSpan.FromSeconds(1));

        var confirming = engine.Bookings.ConfirmAsync(payer, Confirm(Approved, concert.Id), "key-1");
        await engine.Time.WaitForTimersAsync();            // the gateway is charging
        engine.Time.Advance(TimeSpan.FromSeconds(1.5));     // past the hold's own expiry…
        var other = await engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 1)));
        engine.Time.Advance(TimeSpan.FromSeconds(0.5));     // …and the charge is approved
        var result = await confirming;

        other.Should().BeOfType<HoldResult.NotEnoughTickets>("the tickets are kept for the payment under way");
        result.Should().BeOfType<ConfirmResult.Booked>();
        engine.Gateway.Charges.Should().ContainSingle().Which.Voided.Should().BeFalse();
        var vip = await engine.TierAsync(concert.Id, "VIP");
        (vip.Sold, vip.Held).Should().Be((10, 0));
    }

    [Fact]
    public async Task A_declined_payment_gives_the_hold_back_its_own_expiry()
    {
        await using var engine = TestEngine.Start(provider: provider, payments: p => p.Delay = TimeSpan.FromSeconds(2));
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        var payer = BuyerId.New();
        var held = (HoldResult.Held)await engine.Holds.PlaceAsync(payer, TestEngine.Request(concert.Id, ("VIP", 10)));
        engine.Time.Advance(engine.HoldOptions.Duration - TimeSpan.FromSeconds(1));

        var confirming = engine.Bookings.ConfirmAsync(payer, Confirm(Declined, concert.Id), "key-1");
        await engine.Time.WaitForTimersAsync();
        (await engine.Holds.GetAsync(payer, concert.Id))!.ExpiresAt.Should().Be(engine.Time.GetUtcNow() + new PaymentOptions().MaxChargeTime, "pinned while charging");
        engine.Time.Advance(TimeSpan.FromSeconds(2));
        (await confirming).Should().BeOfType<ConfirmResult.PaymentFailed>();

        (await engine.Holds.GetAsync(payer, concert.Id)).Should().BeNull("the hold ran out during the declined charge and is not kept longer");
        (await engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 10)))).Should().BeOfType<HoldResult.Held>();
        held.Hold.ExpiresAt.Should().BeBefore(engine.Time.GetUtcNow());
    }

    [Fact]
    public async Task A_hold_that_expired_before_paying_and_whose_tickets_were_taken_meanwhile_fails_and_the_charge_is_voided()
    {
        await using var engine = TestEngine.Start(provider: provider, payments: p => p.Delay = TimeSpan.FromSeconds(5));
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        var late = BuyerId.New();
        await engine.Holds.PlaceAsync(late, TestEngine.Request(concert.Id, ("VIP", 10)));
        engine.Time.Advance(engine.HoldOptions.Duration + TimeSpan.FromSeconds(1));

        var confirming = engine.Bookings.ConfirmAsync(late, Confirm(Approved, concert.Id), "key-1");
        await engine.Time.WaitForTimersAsync();      // the gateway is charging; an expired hold is not pinned
        var other = await engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 10)));
        engine.Time.Advance(TimeSpan.FromSeconds(5)); // the charge is approved
        var result = await confirming;

        other.Should().BeOfType<HoldResult.Held>("the expired hold's tickets were free for someone else");
        result.Should().BeOfType<ConfirmResult.SoldOut>();
        engine.Gateway.Charges.Should().ContainSingle().Which.Voided.Should().BeTrue();
        (await Payments(engine)).Should().Equal(("voided", (Guid?)null));
        var vip = await engine.TierAsync(concert.Id, "VIP");
        (vip.Sold, vip.Held).Should().Be((0, 10));
        (await engine.Bookings.ListAsync(late)).Should().BeEmpty();
    }

    [Fact]
    public async Task After_three_declines_on_one_checkout_the_next_attempt_waits_and_the_wait_doubles()
    {
        await Hold(_buyer, ("GA", 1));
        for (var i = 0; i < 3; i++)
        {
            (await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), $"decline-{i}")).Should().BeOfType<ConfirmResult.PaymentFailed>();
        }

        var attempts = _engine.Gateway.Attempts;
        var waiting = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "too-soon");
        _engine.Time.Advance(TimeSpan.FromSeconds(30));
        var fourth = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "decline-3");
        var longer = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "still-too-soon");
        _engine.Time.Advance(TimeSpan.FromSeconds(60));
        var paid = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "finally");

        waiting.Should().BeOfType<ConfirmResult.TryLater>().Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(30));
        fourth.Should().BeOfType<ConfirmResult.PaymentFailed>();
        longer.Should().BeOfType<ConfirmResult.TryLater>().Which.RetryAfter.Should().Be(TimeSpan.FromSeconds(60));
        paid.Should().BeOfType<ConfirmResult.Booked>();
        _engine.Gateway.Attempts.Should().Be(attempts + 2, "an attempt told to wait never reaches the card processor");
        (await Payments()).Select(p => p.Status).Should().Equal("declined", "declined", "declined", "declined", "approved");
    }

    [Fact]
    public async Task Failed_payment_attempts_are_purged_after_their_retention_and_sales_are_kept()
    {
        await Hold(_buyer, ("GA", 1));
        await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "declined");
        await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "paid");

        _engine.Time.Advance(new PaymentOptions().FailedRetention - TimeSpan.FromMinutes(1));
        await _engine.Bookings.PurgeAsync();
        var before = await Payments();
        _engine.Time.Advance(TimeSpan.FromMinutes(2));
        await _engine.Bookings.PurgeAsync();

        before.Select(p => p.Status).Should().Equal("declined", "approved");
        (await Payments()).Select(p => p.Status).Should().Equal("approved");
    }

    [Fact]
    public async Task A_booking_that_states_another_hold_or_total_than_the_buyer_has_charges_nothing()
    {
        var hold = await Hold(_buyer, ("VIP", 2));
        var stale = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved) with { HoldId = Guid.CreateVersion7() }, "stale-hold");
        var wrongTotal = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved) with { ExpectedTotalCents = hold.TotalCents - 1 }, "wrong-total");
        var right = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved) with { HoldId = hold.HoldId, ExpectedTotalCents = hold.TotalCents }, "right");

        stale.Should().BeOfType<ConfirmResult.CheckoutChanged>();
        wrongTotal.Should().BeOfType<ConfirmResult.CheckoutChanged>();
        right.Should().BeOfType<ConfirmResult.Booked>();
        _engine.Gateway.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task A_retry_with_the_same_key_and_another_card_is_a_different_request()
    {
        await Hold(_buyer, ("VIP", 1));
        (await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "same-key")).Should().BeOfType<ConfirmResult.PaymentFailed>();

        // Another card with the same last four digits (and expiry): it must not replay the first card's decline.
        var otherCard = await _engine.Bookings.ConfirmAsync(_buyer, Confirm("5555 5555 5508 0002"), "same-key");

        otherCard.Should().BeOfType<ConfirmResult.KeyReused>("the fingerprint covers the whole card number, not its last four");
        _engine.Gateway.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task Paying_with_nothing_held_charges_nothing()
    {
        var result = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "key-1");

        result.Should().BeOfType<ConfirmResult.NoHold>();
        _engine.Gateway.Attempts.Should().Be(0);
        (await Payments()).Should().BeEmpty();
    }

    [Fact]
    public async Task The_same_idempotency_key_twice_gives_one_booking_and_one_charge()
    {
        await Hold(_buyer, ("VIP", 1));

        var first = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "same-key");
        var second = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "same-key");

        var booking = first.Should().BeOfType<ConfirmResult.Booked>().Subject.Booking;
        second.Should().BeOfType<ConfirmResult.Booked>().Which.Booking.Should().BeEquivalentTo(booking);
        _engine.Gateway.Attempts.Should().Be(1);
        (await Payments()).Should().HaveCount(1);
    }

    [Fact]
    public async Task A_double_click_with_one_key_while_the_first_is_paying_gives_one_booking_and_one_charge()
    {
        await using var engine = TestEngine.Start(provider: provider, payments: p => p.Delay = TimeSpan.FromSeconds(2));
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        await engine.Holds.PlaceAsync(_buyer, TestEngine.Request(concert.Id, ("VIP", 2)));

        var first = engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved, concert.Id), "double-click");
        await engine.Time.WaitForTimersAsync();
        var second = engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved, concert.Id), "double-click");
        engine.Time.Advance(TimeSpan.FromSeconds(2));
        var results = await Task.WhenAll(first, second);

        results.Should().AllBeOfType<ConfirmResult.Booked>();
        results.Select(r => ((ConfirmResult.Booked)r).Booking.Id).Distinct().Should().ContainSingle();
        engine.Gateway.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task A_replayed_decline_gives_the_same_answer_without_charging_again()
    {
        await Hold(_buyer, ("VIP", 1));

        await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "key-1");
        var replay = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "key-1");

        replay.Should().BeOfType<ConfirmResult.PaymentFailed>().Which.Reason.Should().Be(PaymentFailure.Declined);
        _engine.Gateway.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task A_key_reused_for_a_different_request_is_refused()
    {
        await Hold(_buyer, ("VIP", 1));
        await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Declined), "key-1");

        var other = Confirm(Approved) with { Buyer = new BuyerDetails("Someone Else", "else@example.com") };
        var result = await _engine.Bookings.ConfirmAsync(_buyer, other, "key-1");

        result.Should().BeOfType<ConfirmResult.KeyReused>();
        _engine.Gateway.Attempts.Should().Be(1);
    }

    [Fact]
    public async Task A_key_belongs_to_its_buyer_so_another_buyer_using_it_gets_their_own_outcome()
    {
        await Hold(_buyer, ("VIP", 1));
        var mine = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "shared-key");
        var stranger = BuyerId.New();

        var theirs = await _engine.Bookings.ConfirmAsync(stranger, Confirm(Approved), "shared-key");

        mine.Should().BeOfType<ConfirmResult.Booked>();
        theirs.Should().BeOfType<ConfirmResult.NoHold>("the stranger holds nothing and must not see the first booking");
    }

    [Fact]
    public async Task A_second_tab_paying_for_the_same_hold_while_the_first_charges_is_told_to_wait_and_charges_nothing()
    {
        await using var engine = TestEngine.Start(provider: provider, payments: p => p.Delay = TimeSpan.FromSeconds(2));
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        await engine.Holds.PlaceAsync(_buyer, TestEngine.Request(concert.Id, ("VIP", 2)));

        var tabA = engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved, concert.Id), "tab-a");
        await engine.Time.WaitForTimersAsync(); // tab A is charging
        var tabB = await engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved, concert.Id), "tab-b");
        engine.Time.Advance(TimeSpan.FromSeconds(2));
        var booked = await tabA;

        tabB.Should().BeOfType<ConfirmResult.InProgress>();
        booked.Should().BeOfType<ConfirmResult.Booked>();
        engine.Gateway.Charges.Should().ContainSingle().Which.Voided.Should().BeFalse();
        (await engine.TierAsync(concert.Id, "VIP")).Sold.Should().Be(2);
    }

    [Fact]
    public async Task Many_parallel_confirms_of_one_hold_book_it_exactly_once()
    {
        await Hold(_buyer, ("VIP", 2));

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            Task.Run(() => _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), $"tab-{i}"))));

        results.OfType<ConfirmResult.Booked>().Should().ContainSingle();
        results.Should().AllSatisfy(r => r.Should().Match(x => x is ConfirmResult.Booked || x is ConfirmResult.AlreadyBooked || x is ConfirmResult.NoHold || x is ConfirmResult.InProgress));
        _engine.Gateway.Charges.Count(c => !c.Voided).Should().Be(1, "every charge but the booked one was voided");
        (await _engine.TierAsync(_concert.Id, "VIP")).Sold.Should().Be(2);
        (await Payments()).Count(p => p.Status == "approved").Should().Be(1);
    }

    [Theory]
    [InlineData("", "ada@example.com", Approved, "12/30", "123", "key", "buyer.name")]
    [InlineData("Ada", "not-an-email", Approved, "12/30", "123", "key", "buyer.email")]
    [InlineData("Ada", "ada@example.com", "4242", "12/30", "123", "key", "card.number")]
    [InlineData("Ada", "ada@example.com", "4242-4242-4242-abcd", "12/30", "123", "key", "card.number")]
    [InlineData("Ada", "ada@example.com", Approved, "13/30", "123", "key", "card.expiry")]
    [InlineData("Ada", "ada@example.com", Approved, "12/26", "123", "key", "card.expiry")]
    [InlineData("Ada", "ada@example.com", Approved, "12/30", "12", "key", "card.cvc")]
    [InlineData("Ada", "ada@example.com", Approved, "12/30", "123", "", "idempotencyKey")]
    [InlineData("Ada", "ada@example.com", Approved, "12/30", "123", "has space", "idempotencyKey")]
    public async Task Invalid_details_are_refused_before_anything_is_charged_or_recorded(
        string name, string email, string card, string expiry, string cvc, string key, string field)
    {
        await Hold(_buyer, ("VIP", 1));
        var request = new ConfirmRequest(_concert.Id, new BuyerDetails(name, email), new CardDetails(card, expiry, cvc));

        var result = await _engine.Bookings.ConfirmAsync(_buyer, request, key);

        result.Should().BeOfType<ConfirmResult.Invalid>().Which.Errors.Should().ContainKey(field);
        _engine.Gateway.Attempts.Should().Be(0);
        (await Payments()).Should().BeEmpty();
        (await _engine.Holds.GetAsync(_buyer, _concert.Id)).Should().NotBeNull();
    }

    [Fact]
    public async Task Recovery_voids_payments_a_crash_interrupted_and_forgets_their_keys()
    {
        await Hold(_buyer, ("VIP", 1));
        await using (var connection = await _engine.Connections.OpenAsync())
        {
            // What a crash between "payment pending" and "booking written" leaves behind.
            await connection.ExecuteAsync("""
                INSERT INTO payments (id, buyer_id, concert_id, hold_id, amount_cents, card_last4, status, gateway_charge_id, created_at, updated_at)
                VALUES (@pending, @buyer, @concert, @hold, 10000, '4242', 'pending', NULL, 0, 0),
                       (@voiding, @buyer, @concert, @hold, 10000, '4242', 'voiding', 'ch_1', 0, 0);
                INSERT INTO idempotency_keys (buyer_id, key, fingerprint, payment_id, created_at) VALUES (@buyer, 'lost', 'f', @pending, 0);
                """, new { pending = Guid.NewGuid(), voiding = Guid.NewGuid(), hold = Guid.NewGuid(), buyer = _buyer.Value, concert = _concert.Id });
        }

        var recovered = await _engine.Bookings.RecoverAsync();
        var retry = await _engine.Bookings.ConfirmAsync(_buyer, Confirm(Approved), "lost");

        recovered.Should().Be(2);
        _engine.Gateway.Charges.Should().Contain(c => c.ChargeId == "ch_1" && c.Voided);
        retry.Should().BeOfType<ConfirmResult.Booked>("the unanswered request's key was forgotten, so its retry runs afresh");
        (await Payments()).Select(p => p.Status).Should().BeEquivalentTo(["voided", "voided", "approved"]);
    }

    private ConfirmRequest Confirm(string card, Guid? concertId = null) =>
        new(concertId ?? _concert.Id, new BuyerDetails("Ada Lovelace", "ada@example.com"), new CardDetails(card, "12/30", "123"));

    private async Task<Hold> Hold(BuyerId buyer, params (string Tier, int Quantity)[] items) =>
        (await _engine.Holds.PlaceAsync(buyer, TestEngine.Request(_concert.Id, items))).Should().BeOfType<HoldResult.Held>().Subject.Hold;

    private Task<List<(string Status, Guid? BookingId)>> Payments() => Payments(_engine);

    private static async Task<List<(string Status, Guid? BookingId)>> Payments(TestEngine engine)
    {
        await using var connection = await engine.Connections.OpenAsync();
        // Attempts of one fake instant have no order of their own on PostgreSQL (no rowid); a checkout ends with its approved one.
        var rows = await connection.QueryAsync<(string, Guid?)>("SELECT status, booking_id FROM payments ORDER BY created_at, booking_id IS NOT NULL, status");
        return rows.AsList();
    }
}

public sealed class BookingOnSqliteTests() : BookingTests(StorageProvider.Sqlite);

public sealed class BookingOnPostgresTests() : BookingTests(StorageProvider.Postgres);
