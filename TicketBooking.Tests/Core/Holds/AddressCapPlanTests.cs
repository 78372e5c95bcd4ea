using TicketBooking.Core.Holds;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Holds;

/// <summary>
/// The per-address cap runs on every hold inside the writer's transaction, so its sum must come from the index alone:
/// a table lookup per hold behind the address made it a quarter of the writer's time (docs/performance.md).
/// </summary>
public sealed class AddressCapPlanTests
{
    [Fact]
    public async Task The_address_cap_sums_holds_from_a_covering_index()
    {
        await using var engine = TestEngine.Start();
        using var connection = engine.Connections.Open();

        var plan = QueryPlan.Of(connection, HoldCommands.HeldFromClientSql, new { client = "198.51.100.7", concertId = "c", now = 0L, buyer = "b" });

        plan.Should().ContainSingle().Which.Should().StartWith("SEARCH holds USING COVERING INDEX holds_by_client (client=? AND concert_id=? AND expires_at>?)");
    }
}
