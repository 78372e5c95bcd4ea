using Microsoft.Extensions.Options;
using Npgsql;
using TicketBooking.Core.Storage;

namespace TicketBooking.Tests.Core.Storage;

/// <summary>The connection settings an instance adds to the configured PostgreSQL connection string, and that it never overrides.</summary>
public sealed class PostgresConnectionFactoryTests
{
    [Fact]
    public void An_instance_prepares_statements_skips_the_reset_on_return_and_keeps_its_pool_small_unless_told_otherwise()
    {
        var settings = Settings("Host=127.0.0.1;Username=tickets");

        (settings.MaxAutoPrepare, settings.NoResetOnClose, settings.MaxPoolSize).Should().Be((64, true, 40));
        settings.ApplicationName.Should().MatchRegex("^TicketBooking/[0-9a-f]{16}$", "each instance's connections carry its own name");
        settings.Options.Should().Be("-c lock_timeout=5000");
    }

    [Fact]
    public void What_the_connection_string_sets_itself_stays_as_it_is()
    {
        var settings = Settings("Host=127.0.0.1;Username=tickets;Max Auto Prepare=0;No Reset On Close=false;Maximum Pool Size=100;Application Name=Box Office");

        (settings.MaxAutoPrepare, settings.NoResetOnClose, settings.MaxPoolSize).Should().Be((0, false, 100));
        settings.ApplicationName.Should().StartWith("Box Office/");
    }

    private static NpgsqlConnectionStringBuilder Settings(string connectionString)
    {
        using var factory = new PostgresConnectionFactory(Options.Create(new StorageOptions
        {
            Provider = StorageProvider.Postgres, ConnectionString = connectionString, BusyTimeout = TimeSpan.FromSeconds(5),
        }));
        return new NpgsqlConnectionStringBuilder(factory.ConnectionString);
    }
}
