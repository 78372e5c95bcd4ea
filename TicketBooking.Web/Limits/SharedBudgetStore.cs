using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Web.Limits;

/// <summary>
/// The budgets of every instance on one PostgreSQL database, in its table <c>rate_budgets</c>: a client whose requests
/// the balancer spreads over three instances has one budget, not three. Each take is one statement; the row's lock makes
/// takes of one key from several instances happen one after another, and a refused take changes nothing.
/// </summary>
/// <remarks>
/// The table is UNLOGGED: after a database crash the budgets start full again, which costs a minute's worth of tolerance
/// and saves every take a WAL write. Keys whose bucket is full again are deleted every few thousand takes.
/// </remarks>
internal sealed class SharedBudgetStore(ConnectionFactory connections) : BudgetStore
{
    // The CTE's second read sees the row as it was before the statement: the instant that refused the take.
    private const string TakeSql = """
        WITH taken AS (
            INSERT INTO rate_budgets AS b (budget, client, full_at) VALUES (@budget, @client, @now + @interval)
            ON CONFLICT (budget, client) DO UPDATE SET full_at = GREATEST(b.full_at, @now) + @interval
                WHERE GREATEST(b.full_at, @now) + @interval - @now <= @period
            RETURNING full_at)
        SELECT (SELECT full_at FROM taken) AS Taken, (SELECT full_at FROM rate_budgets WHERE budget = @budget AND client = @client) AS Known
        """;

    private const string GiveBackSql = "UPDATE rate_budgets SET full_at = full_at - @interval WHERE budget = @budget AND client = @client";

    private const string SweepSql = "DELETE FROM rate_budgets WHERE full_at <= @now";

    private int _sinceSweep;

    internal override async ValueTask<TimeSpan?> TryTakeAsync(Rate rate, string key, long now)
    {
        ArgumentNullException.ThrowIfNull(rate);
        await using var connection = await connections.OpenAsync().ConfigureAwait(false);
        if (Interlocked.Increment(ref _sinceSweep) >= 4_096)
        {
            Interlocked.Exchange(ref _sinceSweep, 0);
            await connection.ExecuteAsync(SweepSql, new { now }).ConfigureAwait(false);
        }

        var arguments = new { budget = rate.Name, client = key, now, interval = rate.Interval, period = rate.Period };
        while (true)
        {
            var (taken, known) = await connection.QuerySingleAsync<(long? Taken, long? Known)>(TakeSql, arguments).ConfigureAwait(false);
            if (taken is not null)
            {
                return null;
            }

            // Refused, unless a sweep deleted the row between the two reads: then there is a token, so take it.
            if (known is { } fullAt && Wait(rate, fullAt, now) is { } wait)
            {
                return wait;
            }
        }
    }

    internal override async ValueTask GiveBackAsync(Rate rate, string key)
    {
        ArgumentNullException.ThrowIfNull(rate);
        await using var connection = await connections.OpenAsync().ConfigureAwait(false);
        await connection.ExecuteAsync(GiveBackSql, new { budget = rate.Name, client = key, interval = rate.Interval }).ConfigureAwait(false);
    }
}
