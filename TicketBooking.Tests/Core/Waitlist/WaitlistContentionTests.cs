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

/// <summary>
/// A sold-out tier with 50 people waiting, while cancellations give tickets back in random amounts at the same moment
/// as strangers try to hold them: every returned ticket goes to the line by its rule, none to the public.
/// </summary>
public abstract class WaitlistContentionTests(StorageProvider provider) : IAsyncLifetime
{
    private const int Capacity = 100;
    private const int Rounds = 6;

    private TestEngine _engine = null!;
    private Concert _concert = null!;

    public async Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        _concert = await _engine.CreateConcertAsync(("GA", 1_000, Capacity));
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task Returned_tickets_go_to_the_line_first_fit_in_order_never_to_the_public_and_positions_stay_1_to_n()
    {
        var random = new Random(1713);
        var cancellations = _engine.Services.GetRequiredService<CancellationService>();
        var waitlist = _engine.Services.GetRequiredService<WaitlistService>();

        // Sold out: 25 bookings of 4.
        var bookings = new List<(BuyerId Owner, Booking Booking)>();
        for (var i = 0; i < Capacity / 4; i++)
        {
            var owner = BuyerId.New();
            (await _engine.Holds.PlaceAsync(owner, TestEngine.Request(_concert.Id, ("GA", 4)))).Should().BeOfType<HoldResult.Held>();
            bookings.Add((owner, ((ConfirmResult.Booked)await _engine.Bookings.ConfirmAsync(owner, Confirm(), $"k{i}")).Booking));
        }

        // 50 waiting, 1–4 each: more wanted (≈125) than can ever come back (100), so the line never empties.
        var waiting = new List<(BuyerId Buyer, WaitlistEntry Entry)>();
        for (var i = 0; i < 50; i++)
        {
            var buyer = BuyerId.New();
            var joined = await waitlist.JoinAsync(buyer, new JoinRequest(_concert.Id, "GA", random.Next(1, 5), $"fan{i}@example.com"));
            waiting.Add((buyer, joined.Should().BeOfType<JoinResult.Joined>().Subject.Entry));
        }

        await AssertLineAsync(waitlist, waiting, freed: 0);
        var freed = 0;
        var remaining = bookings.Select(b => (b.Owner, b.Booking, Left: b.Booking.Tickets.Select(t => t.Id).ToList())).ToList();
        for (var round = 0; round < Rounds; round++)
        {
            // Four cancellations of 1–4 tickets from different bookings, and twelve strangers trying to hold 1–2, all at once.
            var cancels = remaining.Where(r => r.Left.Count > 0).OrderBy(_ => random.Next()).Take(4)
                .Select(r => (r.Owner, r.Booking.Id, Tickets: r.Left.Take(random.Next(1, r.Left.Count + 1)).ToList())).ToList();
            var strangers = Enumerable.Range(0, 12).Select(_ => (Buyer: BuyerId.New(), Quantity: random.Next(1, 3))).ToList();
            var results = ThreadRace.Run(cancels.Count + strangers.Count, i => i < cancels.Count
                ? (object)cancellations.CancelAsync(new Canceller.Buyer(cancels[i].Owner), cancels[i].Id, cancels[i].Tickets).GetAwaiter().GetResult()
                : _engine.Holds.PlaceAsync(strangers[i - cancels.Count].Buyer, TestEngine.Request(_concert.Id, ("GA", strangers[i - cancels.Count].Quantity))).GetAwaiter().GetResult());

            results.Take(cancels.Count).Should().AllBeOfType<CancelResult.Cancelled>();
            results.Skip(cancels.Count).Should().AllBeOfType<HoldResult.NotEnoughTickets>("while anyone waits, returned tickets are not for sale");
            foreach (var cancel in cancels)
            {
                remaining.Single(r => r.Booking.Id == cancel.Id).Left.RemoveAll(cancel.Tickets.Contains);
                freed += cancel.Tickets.Count;
            }

            await AssertLineAsync(waitlist, waiting, freed);
        }

        freed.Should().BeGreaterThan(30, "the rounds must return enough tickets to exercise the line");

        // Every offered buyer pays at once: each offer becomes exactly its entry's tickets.
        var offered = (await EntriesAsync(waitlist, waiting)).Where(e => e.Entry.Status == WaitlistStatus.Offered).ToList();
        var paid = ThreadRace.Run(offered.Count, i => _engine.Bookings.ConfirmAsync(offered[i].Buyer, Confirm(), "pay").GetAwaiter().GetResult());
        paid.Select(p => p.Should().BeOfType<ConfirmResult.Booked>().Subject.Booking.Items.Single().Quantity)
            .Should().Equal(offered.Select(o => o.Entry.Quantity));
        var summary = (await waitlist.SummaryAsync(_concert.Id)).Single();
        summary.Converted.Should().Be(offered.Count);
        var tier = await _engine.TierAsync(_concert.Id, "GA");
        tier.Sold.Should().Be(Capacity - freed + offered.Sum(o => o.Entry.Quantity));
        (tier.Sold + tier.Held + tier.SetAside).Should().Be(Capacity, "no ticket is lost: sold, or set aside for the line");
        tier.Available.Should().Be(0);
    }

    /// <summary>The line's state after a step, read from the database and through the service.</summary>
    private async Task AssertLineAsync(WaitlistService waitlist, List<(BuyerId Buyer, WaitlistEntry Entry)> joined, int freed)
    {
        var entries = await EntriesAsync(waitlist, joined);
        var waitingNow = entries.Where(e => e.Entry.Status == WaitlistStatus.Waiting).ToList();
        var offers = entries.Where(e => e.Entry.Status == WaitlistStatus.Offered).ToList();
        entries.Should().OnlyContain(e => e.Entry.Status == WaitlistStatus.Waiting || e.Entry.Status == WaitlistStatus.Offered);

        // Positions: 1..n in joining order, tickets ahead = the sum of the quantities in front.
        waitingNow.Select(e => e.Entry.Position).Should().Equal(Enumerable.Range(1, waitingNow.Count).Cast<int?>());
        waitingNow.Select(e => e.Entry.SeatsAhead).Should().Equal(waitingNow.Select((_, i) => (int?)waitingNow.Take(i).Sum(w => w.Entry.Quantity)));

        // First fit, place kept: anyone still waiting in front of an offered entry wants more than it got.
        foreach (var offer in offers)
        {
            waitingNow.Where(w => w.Order < offer.Order).Should().NotContain(w => w.Entry.Quantity <= offer.Entry.Quantity);
        }

        // Each offer is a hold of exactly its quantity in its buyer's name, expiring with the offer.
        foreach (var offer in offers)
        {
            var hold = await _engine.Holds.GetAsync(offer.Buyer, _concert.Id);
            hold!.Quantity.Should().Be(offer.Entry.Quantity);
            hold.ExpiresAt.Should().Be(offer.Entry.OfferExpiresAt!.Value);
        }

        // Every returned ticket went to an offer or is set aside for the line; what is set aside fits no one waiting.
        var tier = await _engine.TierAsync(_concert.Id, "GA");
        (offers.Sum(o => o.Entry.Quantity) + tier.SetAside).Should().Be(freed);
        tier.Available.Should().Be(0);
        if (waitingNow.Count > 0)
        {
            tier.SetAside.Should().BeLessThan(waitingNow.Min(w => w.Entry.Quantity));
        }

        tier.Waiting.Should().Be(waitingNow.Count);
        tier.WaitingTickets.Should().Be(waitingNow.Sum(w => w.Entry.Quantity));
        await AssertCountersAsync();
    }

    private static async Task<List<(BuyerId Buyer, WaitlistEntry Entry, int Order)>> EntriesAsync(WaitlistService waitlist, List<(BuyerId Buyer, WaitlistEntry Entry)> joined)
    {
        var entries = new List<(BuyerId, WaitlistEntry, int)>();
        for (var i = 0; i < joined.Count; i++)
        {
            entries.Add((joined[i].Buyer, (await waitlist.GetAsync(joined[i].Buyer, joined[i].Entry.Id))!, i));
        }

        return entries;
    }

    /// <summary>The booking invariant from the rows themselves: held = hold rows, sold = live tickets, together within capacity.</summary>
    private async Task AssertCountersAsync()
    {
        await using var connection = await _engine.Connections.OpenAsync();
        var counts = await connection.QuerySingleAsync<(long Capacity, long Sold, long Held, long HoldRows, long LiveTickets)>("""
            SELECT t.capacity, t.sold, t.in_holds,
                   (SELECT COALESCE(CAST(SUM(quantity) AS BIGINT), 0) FROM holds h WHERE h.tier_id = t.id),
                   (SELECT COUNT(*) FROM tickets k WHERE k.tier_id = t.id AND k.status <> 'cancelled')
            FROM tiers t WHERE t.concert_id = @concertId
            """, new { concertId = _concert.Id });
        counts.Held.Should().Be(counts.HoldRows);
        counts.Sold.Should().Be(counts.LiveTickets);
        (counts.Sold + counts.Held).Should().BeLessThanOrEqualTo(counts.Capacity);
    }

    private ConfirmRequest Confirm() => TestEngine.Payment(_concert.Id);
}

public sealed class WaitlistContentionOnSqliteTests() : WaitlistContentionTests(StorageProvider.Sqlite);

public sealed class WaitlistContentionOnPostgresTests() : WaitlistContentionTests(StorageProvider.Postgres);
