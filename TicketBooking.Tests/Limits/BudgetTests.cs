using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Limits;

namespace TicketBooking.Tests.Limits;

/// <summary>
/// The token buckets behind every per-client limit, in one instance's memory (SQLite) and in the table that instances on
/// one PostgreSQL database share: the same rules on both.
/// </summary>
public abstract class BudgetTests(StorageProvider provider) : IAsyncLifetime
{
    private TestEngine _engine = null!;

    private TestClock Time => _engine.Time;

    public Task InitializeAsync()
    {
        _engine = TestEngine.Start(provider: provider);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _engine.DisposeAsync();

    /// <summary>A store as one more instance would have it (on PostgreSQL: its own connection pool).</summary>
    private BudgetStore NewStore() => provider == StorageProvider.Sqlite
        ? new LocalBudgetStore()
        : new SharedBudgetStore(_engine.Database.NewConnectionFactory(TimeSpan.FromSeconds(5)));

    [Fact]
    public async Task A_budget_allows_its_burst_then_one_more_per_refill_interval_per_key()
    {
        var budget = new Budget("test", permits: 4, period: TimeSpan.FromHours(1), Time, NewStore());

        var burst = new List<bool>();
        for (var i = 0; i < 5; i++)
        {
            burst.Add(await budget.TryTakeAsync("a") is null);
        }

        var wait = await budget.TryTakeAsync("a");
        var otherKey = await budget.TryTakeAsync("b") is null;
        Time.Advance(TimeSpan.FromMinutes(14));
        var early = await budget.TryTakeAsync("a") is null;
        Time.Advance(TimeSpan.FromMinutes(1));
        var refilled = await budget.TryTakeAsync("a") is null;
        var again = await budget.TryTakeAsync("a") is null;

        burst.Should().Equal(true, true, true, true, false);
        wait.Should().Be(TimeSpan.FromMinutes(15));
        otherKey.Should().BeTrue("each key has its own bucket");
        (early, refilled, again).Should().Be((false, true, false));
    }

    [Fact]
    public async Task A_token_given_back_can_be_taken_again()
    {
        var budget = new Budget("test", permits: 2, period: TimeSpan.FromMinutes(1), Time, NewStore());

        await budget.TryTakeAsync("a");
        await budget.TryTakeAsync("a");
        var empty = await budget.TryTakeAsync("a");
        await budget.GiveBackAsync("a");
        var again = await budget.TryTakeAsync("a") is null;
        var emptyAgain = await budget.TryTakeAsync("a") is null;

        empty.Should().Be(TimeSpan.FromSeconds(30));
        (again, emptyAgain).Should().Be((true, false));
    }

    [Fact]
    public async Task Budgets_of_the_same_name_on_one_store_are_one_budget_and_other_names_are_not()
    {
        var store = NewStore();
        var holds = new Budget("holds", permits: 1, period: TimeSpan.FromMinutes(1), Time, store);
        var sameName = new Budget("holds", permits: 1, period: TimeSpan.FromMinutes(1), Time, store);
        var payments = new Budget("payments", permits: 1, period: TimeSpan.FromMinutes(1), Time, store);

        (await holds.TryTakeAsync("a")).Should().BeNull();
        (await sameName.TryTakeAsync("a")).Should().NotBeNull("the same budget, as it is on another instance");
        (await payments.TryTakeAsync("a")).Should().BeNull("another budget of the same client");
    }

    /// <summary>
    /// Two instances' stores (on PostgreSQL each with its own pool on the shared table; on SQLite the one process's
    /// memory, two budgets on it) take from one client's budget from many threads at once: exactly the permits are taken.
    /// </summary>
    [Fact]
    public async Task Takes_racing_from_two_instances_never_take_more_than_the_budget()
    {
        var shared = provider == StorageProvider.Sqlite ? new LocalBudgetStore() : null;
        var instances = new[] { shared ?? NewStore(), shared ?? NewStore() }
            .Select(store => new Budget("holds", permits: 25, period: TimeSpan.FromMinutes(1), Time, store))
            .ToArray();
        var taken = 0;

        await Parallel.ForEachAsync(Enumerable.Range(0, 200), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (attempt, _) =>
        {
            if (await instances[attempt % 2].TryTakeAsync("client") is null)
            {
                Interlocked.Increment(ref taken);
            }
        });

        taken.Should().Be(25);
    }
}

public sealed class BudgetOnSqliteTests() : BudgetTests(StorageProvider.Sqlite);

public sealed class BudgetOnPostgresTests() : BudgetTests(StorageProvider.Postgres);
