using Microsoft.Extensions.Logging.Abstractions;
using TicketBooking.Core.Cluster;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Cluster;

public sealed class ClusterLeaderTests
{
    [Fact]
    public async Task One_instance_leads_and_when_it_goes_the_next_one_to_ask_takes_over()
    {
        using var database = new TempDatabase(StorageProvider.Postgres);
        using var firstConnections = (PostgresConnectionFactory)database.NewConnectionFactory(TimeSpan.FromSeconds(5));
        using var secondConnections = (PostgresConnectionFactory)database.NewConnectionFactory(TimeSpan.FromSeconds(5));
        var first = new ClusterLeader(firstConnections, NullLogger<ClusterLeader>.Instance);
        using var second = new ClusterLeader(secondConnections, NullLogger<ClusterLeader>.Instance);

        (await first.IsLeaderAsync()).Should().BeTrue();
        (await second.IsLeaderAsync()).Should().BeFalse();
        (await first.IsLeaderAsync()).Should().BeTrue("it keeps the lead while its connection lives");
        (await second.IsLeaderAsync()).Should().BeFalse();

        // The instance dies: its connection goes, and the server frees the lock once it has ended that session (a moment
        // later); the next background tick that asks after that takes over.
        first.Dispose();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!await second.IsLeaderAsync())
        {
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the server frees a dead session's lock");
            await Task.Yield();
        }
    }

    /// <summary>What start-up recovery asks before it voids every unfinished payment rather than only stale ones.</summary>
    [Fact]
    public async Task An_instance_sees_another_alive_while_that_one_has_connections_and_not_after_it_is_gone()
    {
        using var database = new TempDatabase(StorageProvider.Postgres);
        using var first = (PostgresConnectionFactory)database.NewConnectionFactory(TimeSpan.FromSeconds(5));
        var second = (PostgresConnectionFactory)database.NewConnectionFactory(TimeSpan.FromSeconds(5));
        await using (var connection = await first.OpenAsync())
        {
            (await first.OthersAliveAsync()).Should().BeFalse("its own pooled connections are not another instance's");
        }

        var secondsConnection = await second.OpenAsync();
        (await first.OthersAliveAsync()).Should().BeTrue();
        (await second.OthersAliveAsync()).Should().BeTrue();

        await secondsConnection.DisposeAsync();
        second.Dispose(); // the process is gone: its pool with it
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (await first.OthersAliveAsync())
        {
            clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the server ends the closed sessions");
            await Task.Yield();
        }
    }

    [Fact]
    public async Task On_sqlite_the_one_process_always_leads()
    {
        await using var engine = TestEngine.Start();

        (await Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ClusterLeader>(engine.Services).IsLeaderAsync()).Should().BeTrue();
    }
}
