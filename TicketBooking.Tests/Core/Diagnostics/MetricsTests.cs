using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Diagnostics;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Diagnostics;

public sealed class MetricsTests : EngineTest
{
    [Fact]
    public async Task Holds_rejections_bookings_declines_and_active_holds_are_counted()
    {
        var metrics = Engine.Services.GetRequiredService<TicketBookingMetrics>();
        var measured = new List<(string Name, long Value, string? Reason)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter == metrics.Meter)
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            string? reason = null;
            foreach (var tag in tags)
            {
                reason = tag.Key == "reason" ? tag.Value?.ToString() : reason;
            }

            lock (measured)
            {
                measured.Add((instrument.Name, value, reason));
            }
        });
        listener.Start();
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 3));
        var buyer = BuyerId.New();

        await Engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2)));
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 2)));
        await Engine.Bookings.ConfirmAsync(buyer, Confirm(concert.Id, "4000 0000 0000 0002"), "declined");
        await Engine.Bookings.ConfirmAsync(buyer, Confirm(concert.Id, "4242 4242 4242 4242"), "approved");
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 1)));
        listener.RecordObservableInstruments();

        measured.Should().Contain([
            ("ticketbooking.holds.created", 1, null),
            ("ticketbooking.holds.rejected", 1, "NotEnoughTickets"),
            ("ticketbooking.payments.declined", 1, "declined"),
            ("ticketbooking.bookings", 1, null),
            ("ticketbooking.tickets.sold", 2, null),
            ("ticketbooking.holds.active", 1, null),
        ]);
        measured.Count(m => m.Name == "ticketbooking.holds.created").Should().Be(2);
    }

    private static ConfirmRequest Confirm(Guid concertId, string card) =>
        new(concertId, new BuyerDetails("Ada Lovelace", "ada@example.com"), new CardDetails(card, "12/39", "123"));
}
