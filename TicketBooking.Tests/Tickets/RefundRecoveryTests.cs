using Dapper;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Tickets;

public sealed class RefundRecoveryTests
{
    [Fact]
    public async Task A_refund_a_crash_left_pending_is_finished_at_start_up_once_with_the_same_id()
    {
        using var database = new TempDatabase();
        var buyer = BuyerId.New();
        Booking booking;
        var refundId = Guid.CreateVersion7();
        await using (var before = TestEngine.Start(database: database))
        {
            var concert = await before.CreateConcertAsync(("GA", 1_000, 100));
            await before.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("GA", 2)));
            booking = ((ConfirmResult.Booked)await before.Bookings.ConfirmAsync(buyer, new ConfirmRequest(
                concert.Id, new BuyerDetails("Ada", "ada@example.com"), new CardDetails(SimulatedPaymentGateway.ApprovedCard, "12/39", "123")), "k")).Booking;

            // What the first step of a cancellation commits before the gateway is called: the claim and the pending refund.
            await using var connection = await before.Connections.OpenAsync();
            await connection.ExecuteAsync("UPDATE tickets SET refund_id = @refundId WHERE booking_id = @bookingId", new { refundId = refundId.ToString(), bookingId = booking.Id.ToString() });
            await connection.ExecuteAsync("""
                INSERT INTO refunds (id, booking_id, charge_id, amount_cents, status, by_organizer, created_at, updated_at)
                SELECT @refundId, @bookingId, gateway_charge_id, 2000, 'pending', 0, 0, 0 FROM payments WHERE booking_id = @bookingId AND status = 'approved'
                """, new { refundId = refundId.ToString(), bookingId = booking.Id.ToString() });
        }

        await using var after = TestEngine.Start(database: database);
        var cancellations = after.Services.GetRequiredService<CancellationService>();

        (await cancellations.RecoverAsync()).Should().Be(1);
        (await cancellations.RecoverAsync()).Should().Be(0, "a finished refund is not asked for again");

        var recovered = (await after.Bookings.GetAsync(buyer, booking.Id))!;
        recovered.Status.Should().Be("cancelled");
        recovered.RefundedCents.Should().Be(2_000);
        after.Gateway.Refunds.Should().ContainSingle().Which.RefundId.Should().Be(refundId, "the gateway is asked with the refund's own id, so it cannot pay twice");
        (await after.TierAsync(recovered.Concert.Id, "GA")).Sold.Should().Be(0);
    }
}
