using TicketBooking.Core.Bookings;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Bookings;

/// <summary>
/// Reading a buyer's bookings looks up that buyer's rows through indexes; it never walks every booking, ticket or item
/// sold (as an OR of "any buyer" and "this buyer" in one statement made SQLite do, for every page of "My bookings").
/// </summary>
public sealed class BookingReadPlanTests
{
    [Theory]
    [InlineData(true, false)]
    [InlineData(true, true)]
    [InlineData(false, true)]
    public async Task Every_read_of_bookings_uses_an_index_for_bookings_their_items_and_their_tickets(bool ofBuyer, bool one)
    {
        await using var engine = TestEngine.Start();
        using var connection = engine.Connections.Open();
        var (bookings, items, tickets) = BookingService.ReadSql(ofBuyer, one);
        foreach (var sql in new[] { bookings, items, tickets })
        {
            var plan = QueryPlan.Of(connection, sql, new { buyer = Guid.NewGuid().ToString(), bookingId = Guid.NewGuid().ToString() });
            plan.Should().NotBeEmpty();
            plan.Where(step => step.StartsWith("SCAN", StringComparison.Ordinal) && System.Text.RegularExpressions.Regex.IsMatch(step, @"^SCAN (b|i|k|bookings|booking_items|tickets)\b"))
                .Should().BeEmpty($"no step may walk a whole table of sales; the plan was: {string.Join(" | ", plan)}");
        }
    }
}
