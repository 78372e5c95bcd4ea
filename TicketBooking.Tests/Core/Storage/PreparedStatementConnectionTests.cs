using Dapper;
using Microsoft.Data.Sqlite;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Storage;

/// <summary>The writer's connection keeps its statements compiled; what Dapper asks of it must still come out right.</summary>
public sealed class PreparedStatementConnectionTests : IDisposable
{
    private readonly TempDatabase _database = new();
    private readonly PreparedStatementConnection _connection;

    public PreparedStatementConnectionTests()
    {
        var inner = new SqliteConnection(_database.ConnectionString);
        inner.Open();
        _connection = new PreparedStatementConnection(inner);
        _connection.Execute("CREATE TABLE numbers (n INTEGER PRIMARY KEY, square INTEGER NOT NULL)");
    }

    [Fact]
    public void A_statement_run_again_with_new_values_is_kept_once_and_answers_for_the_values_of_each_run()
    {
        using (var transaction = _connection.BeginTransaction())
        {
            for (var n = 1; n <= 200; n++)
            {
                _connection.Execute("INSERT INTO numbers (n, square) VALUES (@n, @square)", new { n, square = n * n }, transaction);
            }

            transaction.Commit();
        }

        var kept = _connection.KeptCount;
        for (var n = 1; n <= 200; n++)
        {
            _connection.QuerySingle<long>("SELECT square FROM numbers WHERE n = @n", new { n }).Should().Be(n * n);
        }

        _connection.KeptCount.Should().Be(kept + 1, "two hundred runs of one query are one kept statement");
        _connection.ExecuteScalar<long>("SELECT count(*) FROM numbers").Should().Be(200, "every insert ran, each with its own values");
    }

    [Fact]
    public void A_list_parameter_expanded_by_dapper_binds_every_value_whatever_the_lists_length()
    {
        for (var n = 1; n <= 10; n++)
        {
            _connection.Execute("INSERT INTO numbers (n, square) VALUES (@n, @square)", new { n, square = n * n });
        }

        foreach (var wanted in new[] { new[] { 2, 3 }, [4], [1, 5, 9, 10], [2, 3] })
        {
            _connection.Query<long>("SELECT square FROM numbers WHERE n IN @wanted AND square > @least ORDER BY n", new { wanted, least = 0 })
                .Should().Equal(wanted.Select(n => (long)n * n));
        }
    }

    [Fact]
    public void The_same_statement_run_while_its_first_reader_is_still_open_gets_a_command_of_its_own()
    {
        for (var n = 1; n <= 3; n++)
        {
            _connection.Execute("INSERT INTO numbers (n, square) VALUES (@n, @square)", new { n, square = n * n });
        }

        const string Sql = "SELECT n FROM numbers WHERE n >= @from ORDER BY n";
        var outer = new List<long>();
        var inner = new List<long>();
        foreach (var n in _connection.Query<long>(Sql, new { from = 1 }, buffered: false))
        {
            outer.Add(n);
            inner.AddRange(_connection.Query<long>(Sql, new { from = 3 }));
        }

        outer.Should().Equal(1, 2, 3);
        inner.Should().Equal(3, 3, 3);
    }

    [Fact]
    public void A_failing_statement_leaves_the_kept_command_ready_for_the_next_run()
    {
        _connection.Execute("INSERT INTO numbers (n, square) VALUES (@n, @square)", new { n = 1, square = 1 });
        var duplicate = () => _connection.Execute("INSERT INTO numbers (n, square) VALUES (@n, @square)", new { n = 1, square = 1 });

        duplicate.Should().Throw<SqliteException>().Which.SqliteErrorCode.Should().Be(SQLitePCL.raw.SQLITE_CONSTRAINT);
        _connection.Execute("INSERT INTO numbers (n, square) VALUES (@n, @square)", new { n = 2, square = 4 });

        _connection.Query<long>("SELECT square FROM numbers ORDER BY n").Should().Equal(1, 4);
    }

    public void Dispose()
    {
        _connection.Dispose();
        _database.Dispose();
    }
}
