using Dapper;
using Npgsql;
using TicketBooking.Core;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Storage;

/// <summary>
/// The engine's statements reach the database through one door (TicketBooking.Core/Sql.cs) that puts them in the
/// provider's dialect (Storage/Dialect.cs); Dapper's own methods are banned in the engine's project, so the compiler
/// refuses a statement that would go around it.
/// </summary>
public sealed class DialectTests : IAsyncDisposable
{
    private const string ListSql = "SELECT code FROM tiers WHERE concert_id = @concertId AND code IN @codes ORDER BY code";
    private const string NotInListSql = "SELECT code FROM tiers WHERE concert_id = @concertId AND code NOT IN @codes ORDER BY code";

    private readonly TestEngine _engine = TestEngine.Start(provider: StorageProvider.Postgres);

    public async ValueTask DisposeAsync() => await _engine.DisposeAsync();

    [Fact]
    public async Task List_parameters_work_on_PostgreSQL_through_the_one_door()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10), ("FRONT_ROW", 5_000, 10), ("GA", 1_000, 10));
        await using var connection = await _engine.Connections.OpenAsync();
        connection.Should().BeOfType<NpgsqlConnection>();

        var listed = connection.Query<string>(ListSql, new { concertId = concert.Id, codes = new[] { "GA", "VIP" } });
        var unlisted = connection.Query<string>(NotInListSql, new { concertId = concert.Id, codes = new List<string> { "GA", "VIP" } });
        var lower = await connection.QueryAsync<string>(ListSql.Replace("IN @", "in  @", StringComparison.Ordinal), new { concertId = concert.Id, codes = new[] { "FRONT_ROW" } });

        listed.Should().Equal("GA", "VIP");
        unlisted.Should().Equal("FRONT_ROW");
        lower.Should().Equal("FRONT_ROW");
    }

    [Fact]
    public async Task A_list_parameter_that_bypasses_the_rewrite_is_refused_by_the_guard_and_by_PostgreSQL()
    {
        var concert = await _engine.CreateConcertAsync(("VIP", 10_000, 10));
        await using var connection = await _engine.Connections.OpenAsync();

        // The guard, on a statement the rewrite did not touch, names the statement instead of sending it.
        var guarded = () => Dialect.Guard(ListSql);
        guarded.Should().Throw<InvalidOperationException>().WithMessage("*unrewritten*code IN @codes*");
        // A form the rewrite does not know is caught the same way on its first run, on PostgreSQL only — where it would fail.
        var unknownForm = () => connection.Query<string>(ListSql.Replace("IN @", "IN@", StringComparison.Ordinal), new { concertId = concert.Id, codes = new[] { "VIP" } });
        unknownForm.Should().Throw<InvalidOperationException>().WithMessage("*IN@codes*");
        // What the door prevents: sent as written (Dapper's own method, which the engine cannot call), PostgreSQL cannot take the list.
        var raw = () => SqlMapper.Query<string>(connection, ListSql, new { concertId = concert.Id, codes = new[] { "VIP" } });
        raw.Should().Throw<PostgresException>();
        Dialect.Statement(connection, ListSql).Should().Contain("code = ANY(@codes)");
    }
}
