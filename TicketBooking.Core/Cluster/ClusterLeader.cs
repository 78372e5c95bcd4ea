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
    private NpgsqlConnection? _connection;
    private bool _leading;

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
            // One connection of its own, kept open: the leader's holds the lock; the others ask again on it each time.
            // A connection that broke has lost the lock with it (the query fails), and is opened afresh next time.
            _connection ??= postgres.OpenUnpooled();
            try
            {
                if (_leading)
                {
                    await using var ping = new NpgsqlCommand("SELECT 1", _connection);
                    await ping.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                    return true;
                }

                await using var take = new NpgsqlCommand($"SELECT pg_try_advisory_lock({LeaderLock})", _connection);
                _leading = await take.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true;
                if (_leading)
                {
                    LogTaken();
                }

                return _leading;
            }
            catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException)
            {
                if (_leading)
                {
                    LogLost(exception);
                }

                await DropAsync().ConfigureAwait(false);
                throw;
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task DropAsync()
    {
        _leading = false;
        if (_connection is { } connection)
        {
            _connection = null;
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        _connection?.Dispose();
        _gate.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "This instance now runs the background work for the database (sweeps, the waiting room's beat, e-mail)")]
    private partial void LogTaken();

    [LoggerMessage(Level = LogLevel.Warning, Message = "This instance lost its leader connection; another instance may take over")]
    private partial void LogLost(Exception exception);
}
