using Microsoft.Data.Sqlite;
using System.Runtime.InteropServices;
using TicketBooking.Core;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Storage;

/// <summary>Each provider's write strategy: a second writer waits for the first and decides on what it committed.</summary>
public sealed class BeginImmediateTests
{
    [Fact]
    public async Task A_second_writer_waits_for_the_first_instead_of_deciding_on_stale_availability()
    {
        await using var engine = TestEngine.Start();
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        var now = engine.Time.GetUtcNow();
        var connections = (SqliteConnectionFactory)engine.Connections;
        using var first = connections.Open();
        using var second = connections.Open();
        using var reader = connections.Open();

        // The first writer takes all ten tickets inside a transaction it has not committed yet.
        var firstTransaction = first.BeginTransaction(deferred: false);
        HoldCommands.Place(new WriteContext(first, firstTransaction, now, []), new(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 10)), null, engine.HoldOptions, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true))
            .Should().BeOfType<HoldResult.Held>();

        // A plain reader still sees the old state: ten free. That is the stale view a writer must not act on.
        using (var snapshot = reader.BeginTransaction(deferred: true))
        {
            Dapper.SqlMapper.ExecuteScalar<long>(reader, "SELECT capacity - sold - in_holds FROM tiers WHERE concert_id = @id", new { id = concert.Id }, snapshot)
                .Should().Be(10);
        }

        // The second writer tells us when SQLite makes it wait for the lock.
        var waiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var busy = BusyHandler.Install(second, () => waiting.TrySetResult());
        var secondHold = Task.Run(() => WriteTransaction.Run(connections, second, now, [], c =>
            HoldCommands.Place(c, new(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 1)), null, engine.HoldOptions, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true))).Result);

        await waiting.Task.WaitAsync(TimeSpan.FromSeconds(30));
        secondHold.IsCompleted.Should().BeFalse("it is blocked at BEGIN IMMEDIATE, before reading anything");
        firstTransaction.Commit();
        firstTransaction.Dispose();

        (await secondHold.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeOfType<HoldResult.NotEnoughTickets>(
            "once the first commits, the second reads the committed state: nothing left");
        var tier = await engine.TierAsync(concert.Id, "VIP");
        (tier.Held, tier.Available).Should().Be((10, 0));
    }

    [Fact]
    public async Task On_postgres_a_second_instances_writer_waits_for_the_database_writer_lock_and_then_reads_the_committed_counts()
    {
        await using var engine = TestEngine.Start(provider: StorageProvider.Postgres);
        var concert = await engine.CreateConcertAsync(("VIP", 10_000, 10));
        var now = engine.Time.GetUtcNow();
        using var otherInstance = (PostgresConnectionFactory)engine.Database.NewConnectionFactory(TimeSpan.FromSeconds(30));
        await using var first = otherInstance.Open();
        await using var second = otherInstance.Open();

        // The first writer takes all ten tickets inside a transaction it has not committed yet.
        var firstTransaction = otherInstance.BeginWrite(first);
        HoldCommands.Place(new WriteContext(first, firstTransaction, now, []), new(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 10)), null, engine.HoldOptions, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true))
            .Should().BeOfType<HoldResult.Held>();

        var secondHold = Task.Run(() => WriteTransaction.Run(otherInstance, second, now, [], c =>
            HoldCommands.Place(c, new(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 1)), null, engine.HoldOptions, TicketBooking.Core.Limits.TicketLimits.Default, PreventOrphans: true))).Result);

        // PostgreSQL shows the second transaction queued for the writer lock, before it has read a count.
        await using (var observer = otherInstance.Open())
        {
            while (Dapper.SqlMapper.ExecuteScalar<long>(observer, "SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted") == 0)
            {
                secondHold.IsCompleted.Should().BeFalse("the second writer cannot finish while the first holds the lock");
                await Task.Yield();
            }
        }

        secondHold.IsCompleted.Should().BeFalse();
        firstTransaction.Commit();
        await firstTransaction.DisposeAsync();

        (await secondHold.WaitAsync(TimeSpan.FromSeconds(30))).Should().BeOfType<HoldResult.NotEnoughTickets>(
            "once the first commits, the second reads the committed state: nothing left");
        var tier = await engine.TierAsync(concert.Id, "VIP");
        (tier.Held, tier.Available).Should().Be((10, 0));
    }
}

/// <summary>
/// SQLite's busy handler, which SQLitePCLRaw 3 does not expose: called each time a statement finds the
/// database locked. Returning 1 makes SQLite try again, so the connection waits as long as needed.
/// </summary>
internal sealed class BusyHandler : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Callback _callback;

    private BusyHandler(SqliteConnection connection, Action onBusy)
    {
        _connection = connection;
        _callback = (_, _) =>
        {
            onBusy();
            Thread.Yield();
            return 1;
        };
        Check(sqlite3_busy_handler(connection.Handle!.DangerousGetHandle(), _callback, IntPtr.Zero));
    }

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int Callback(IntPtr state, int count);

    public static BusyHandler Install(SqliteConnection connection, Action onBusy) => new(connection, onBusy);

    public void Dispose()
    {
        Check(sqlite3_busy_handler(_connection.Handle!.DangerousGetHandle(), null, IntPtr.Zero));
        GC.KeepAlive(_callback);
    }

    private static void Check(int result) => result.Should().Be(0, "sqlite3_busy_handler returns SQLITE_OK");

#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code for the delegate; marshalling is not a hot path in a test.
    [DllImport("e_sqlite3", CallingConvention = CallingConvention.Cdecl)]
    private static extern int sqlite3_busy_handler(IntPtr db, Callback? callback, IntPtr state);
#pragma warning restore SYSLIB1054
}
