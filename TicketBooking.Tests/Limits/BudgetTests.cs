using TicketBooking.Tests.Support;
using TicketBooking.Web.Limits;

namespace TicketBooking.Tests.Limits;

public sealed class BudgetTests
{
    [Fact]
    public void A_budget_allows_its_burst_then_one_more_per_refill_interval_per_key()
    {
        var time = new TestClock();
        var budget = new Budget("test", permits: 4, period: TimeSpan.FromHours(1), time);

        var burst = Enumerable.Range(0, 5).Select(i => budget.TryTake("a", out _)).ToList();
        budget.TryTake("a", out var wait).Should().BeFalse();
        var otherKey = budget.TryTake("b", out _);
        time.Advance(TimeSpan.FromMinutes(14));
        var early = budget.TryTake("a", out _);
        time.Advance(TimeSpan.FromMinutes(1));
        var refilled = budget.TryTake("a", out _);
        var again = budget.TryTake("a", out _);

        burst.Should().Equal(true, true, true, true, false);
        wait.Should().Be(TimeSpan.FromMinutes(15));
        otherKey.Should().BeTrue("each key has its own bucket");
        (early, refilled, again).Should().Be((false, true, false));
    }

    [Fact]
    public void A_token_given_back_can_be_taken_again()
    {
        var time = new TestClock();
        var budget = new Budget("test", permits: 2, period: TimeSpan.FromMinutes(1), time);

        budget.TryTake("a", out _);
        budget.TryTake("a", out _);
        var empty = budget.TryTake("a", out var wait);
        budget.GiveBack("a");
        var again = budget.TryTake("a", out _);
        var emptyAgain = budget.TryTake("a", out _);

        (empty, again, emptyAgain).Should().Be((false, true, false));
        wait.Should().Be(TimeSpan.FromSeconds(30));
    }
}
