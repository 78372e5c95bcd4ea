using System.Data;
using Dapper;

namespace TicketBooking.Tests.Support;

/// <summary>SQLite's plan for a statement, one <c>detail</c> line per step (EXPLAIN QUERY PLAN).</summary>
public static class QueryPlan
{
    public static IReadOnlyList<string> Of(IDbConnection connection, string sql, object parameters) =>
        connection.Query($"EXPLAIN QUERY PLAN {sql}", parameters)
            .Select(step => (string)((IDictionary<string, object>)step)["detail"])
            .ToList();
}
