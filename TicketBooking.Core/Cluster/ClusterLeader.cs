using Microsoft.Extensions.Logging;
using Npgsql;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Cluster;

/// <summary>
/// Which instance runs the once-per-database background work (the hold sweeper, the waiting room's beat, refund
/// recovery, the e-mail sender). On SQLite there is one process, so it always does. On PostgreSQL the leader is the
/// instance whose dedicated connection holds a session-level advisory lock; when that instance dies its connection
/// closes, the lock is free, and the next instance to ask takes over — within one tick of its background work.
/// </summary>
public sealed partial class ClusterLeader(ConnectionFactory connections, ILogger<ClusterLeader> logger) : IDisposable
{
    /// <summary>The advisory lock the leader holds ("leader").</summary>
    internal const long LeaderLock = 0x6c6561646572;

    private readonly SemaphoreSlim _gate = new(1, 1);
    private NpgsqlConnection? _held;

    /// <summary>Whether this instance holds the leadership now, taking it if it is free.</summary>
    public async Task<bool> IsLeaderAsync(CancellationToken cancellationToken = default)
    {
        if (connections is not PostgresConnectionFactory postgres)
        {
            return true;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_held is not null)
            {
                try
                {
                    // A connection that broke has lost the lock with it; one round trip says which.
                    await using var ping = new NpgsqlCommand("SELECT 1", _held);
                    await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }
                catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
                {
                    LogLost(exception);
                    await DropAsync().ConfigureAwait(false);
                }
            }

            var connection = postgres.OpenUnpooled();
            try
            {
                await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaderLock})", connection);
                if (await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
                {
                    _held = connection;
                    LogTaken();
                    return true;
                }
            }
            catch
            {
                await connection.DisposeAsync().ConfigureAwait(false);
                throw;
            }

            await connection.DisposeAsync().ConfigureAwait(false);
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DropAsync()
    {
        if (_held is { } held)
        {
            _held = null;
            await held.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _held?.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This instance now runs the background work for the database (sweeps, the waiting room's beat, e-mail)")]
    private partial void LogTaken();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This instance lost its leader connection; another instance may take over")]
    private partial void LogLost(Exception exception);
}
