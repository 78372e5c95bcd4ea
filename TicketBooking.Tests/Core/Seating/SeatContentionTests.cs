using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Payments;
using TicketBooking.Core.Seating;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Seating;

/// <summary>
/// Reserved seats under real contention: 500 threads at once, each after 1–4 particular seats of the same 50. "Own
/// connections" runs each hold on a connection of its own (as other processes or instances would), so the database's
/// write lock and the seat rows alone decide; "engine" goes through the single group-commit writer. Exact outcomes, then
/// everyone pays at once. On each provider.
/// </summary>
public abstract class SeatContentionTests(StorageProvider provider) : IAsyncLifetime
{
    private const int Buyers = 500;
    private TestEngine _engine = null!;

    public Task InitializeAsync()
    {
        // Orphan prevention is its own rule (tested beside best available); here every refusal must be a taken seat.
        _engine = TestEngine.Start(storage: s => s.BusyTimeout = TimeSpan.FromSeconds(60), seating: o => o.PreventOrphans = false, provider: provider);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    public async Task Each_seat_is_held_once_every_refusal_names_a_taken_seat_and_each_is_sold_once(bool ownConnections, int round)
    {
        var concert = await _engine.CreateSeatedConcertAsync(rows: 5, seatsPerRow: 10);
        var random = new Random(20261202 + round);
        var labels = Enumerable.Range(0, 5).SelectMany(r => Enumerable.Range(1, 10).Select(n => $"A-{SeatLayouts.RowName(r)}-{n}")).ToList();
        var wants = Enumerable.Range(0, Buyers)
            .Select(_ => labels.OrderBy(_ => random.Next()).Take(random.Next(1, 5)).ToList())
            .ToList();
        var buyers = wants.Select(_ => BuyerId.New()).ToList();
        var connections = _engine.Database.NewConnectionFactory(TimeSpan.FromSeconds(60));
        using var disposeConnections = connections as IDisposable;

        var results = ThreadRace.Run(Buyers, i =>
        {
            var request = new HoldRequest(concert.Id, [new HoldItem("SEATS", wants[i].Count, wants[i])]);
            if (!ownConnections)
            {
                return _engine.Holds.PlaceAsync(buyers[i], request).GetAwaiter().GetResult();
            }

            using var connection = connections.Open();
            return WriteTransaction.Run(connections, connection, _engine.Time.GetUtcNow(), [], c => HoldCommands.Place(c, new(buyers[i], request, null, _engine.HoldOptions, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: false))).Result;
        });

        var held = results.Select((r, i) => (Result: r, Index: i)).Where(x => x.Result is HoldResult.Held).ToList();
        var takenSeats = held.SelectMany(x => ((HoldResult.Held)x.Result).Hold.Items.Single().Seats!).ToList();
        takenSeats.Should().OnlyHaveUniqueItems("no seat is held by two buyers");
        held.Should().OnlyContain(x => ((HoldResult.Held)x.Result).Hold.Items.Single().Seats!.SequenceEqual(wants[x.Index]), "a 201 holds exactly the seats asked for");
        var refused = results.Select((r, i) => (Result: r, Index: i)).Where(x => x.Result is not HoldResult.Held).ToList();
        refused.Should().OnlyContain(x => x.Result is HoldResult.SeatsTaken, "the only reason to refuse here is a taken seat");
        refused.Should().OnlyContain(x => ((HoldResult.SeatsTaken)x.Result).Seats.Count > 0
            && ((HoldResult.SeatsTaken)x.Result).Seats.All(s => takenSeats.Contains(s) && wants[x.Index].Contains(s)), "a 409 names seats that really are taken");
        refused.Should().OnlyContain(x => wants[x.Index].Where(s => !takenSeats.Contains(s)).All(s => !((HoldResult.SeatsTaken)x.Result).Seats.Contains(s)));
        held.Should().NotBeEmpty();
        var map = (await _engine.SeatMaps.GetAsync(concert.Id, null))!;
        map.Seats.Where(s => s.Status == SeatStatus.Taken).Select(s => s.Label).Should().BeEquivalentTo(takenSeats);
        await SeatInvariant.AssertAsync(_engine.Connections, concert.Id);

        var payments = ThreadRace.Run(held.Count, i => _engine.Bookings.ConfirmAsync(
            buyers[held[i].Index],
            new ConfirmRequest(concert.Id, new BuyerDetails("Ada Lovelace", "ada@example.com"), new CardDetails("4242 4242 4242 4242", "12/30", "123")),
            $"pay-{i}").GetAwaiter().GetResult());

        payments.Should().OnlyContain(p => p is ConfirmResult.Booked);
        var sold = payments.SelectMany(p => ((ConfirmResult.Booked)p).Booking.Tickets.Select(t => t.Seat!)).ToList();
        sold.Should().OnlyHaveUniqueItems().And.BeEquivalentTo(takenSeats);
        (await _engine.TierAsync(concert.Id, "SEATS")).Should().Match<global::TicketBooking.Core.Concerts.Tier>(t => t.Sold == takenSeats.Count && t.Held == 0);
        await SeatInvariant.AssertAsync(_engine.Connections, concert.Id);
    }
}

[Collection(SerialTests.Name)]
public sealed class SeatContentionOnSqliteTests() : SeatContentionTests(StorageProvider.Sqlite);

[Collection(SerialTests.Name)]
public sealed class SeatContentionOnPostgresTests() : SeatContentionTests(StorageProvider.Postgres);
