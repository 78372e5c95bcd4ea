using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Diagnostics;

public sealed class LogTests : EngineTest
{
    [Fact]
    public async Task Holds_sales_and_declines_are_logged_without_card_numbers_or_personal_details()
    {
        var concert = await Engine.CreateConcertAsync(("VIP", 10_000, 3));
        var buyer = BuyerId.New();
        await Engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 2)));
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 2)));
        await Engine.Bookings.ConfirmAsync(buyer, Confirm(concert.Id, "4000 0000 0000 0002"), "first");
        var booked = (ConfirmResult.Booked)await Engine.Bookings.ConfirmAsync(buyer, Confirm(concert.Id, "4242 4242 4242 4242"), "second");

        var messages = Engine.Log.Entries.Select(e => e.Message + " " + e.Exception).ToList();

        messages.Should().Contain(m => m.StartsWith("Held 2 tickets for concert", StringComparison.Ordinal));
        messages.Should().Contain(m => m.Contains("refused: NotEnoughTickets", StringComparison.Ordinal));
        messages.Should().Contain(m => m.Contains("failed: declined", StringComparison.Ordinal));
        messages.Should().Contain(m => m.StartsWith($"Booked {booked.Booking.Reference}", StringComparison.Ordinal));
        messages.Should().AllSatisfy(m => m.Should().NotContainAny(
            "4242424242424242", "4242 4242 4242 4242", "4000000000000002", "4000 0000 0000 0002", "ada@example.com", "Ada Lovelace", "123 "));
    }

    private static ConfirmRequest Confirm(Guid concertId, string card) =>
        new(concertId, new BuyerDetails("Ada Lovelace", "ada@example.com"), new CardDetails(card, "12/39", "123"));
}
