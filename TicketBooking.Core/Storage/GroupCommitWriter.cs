using System.Threading.Channels;
using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Availability;

namespace TicketBooking.Core.Storage;

/// <summary>
/// The single writer. Every write that can change availability is queued here and run on one thread
/// and one connection; whatever is queued when the writer becomes free is run together in one
/// write transaction (group commit), up to <see cref="StorageOptions.MaxWriteBatch"/>: <c>BEGIN IMMEDIATE</c> on SQLite,
/// a transaction holding the database's writer lock on PostgreSQL, where other instances' writers commit too
/// (<see cref="PostgresConnectionFactory"/>).
/// A command's result is released only after its transaction commits, and the concerts it changed get a
/// new availability snapshot published right after.
/// </summary>
/// <remarks>
/// SQLite admits one writer at a time; competing connections only add lock hand-offs and busy waits.
/// One writer thread that batches keeps the lock busy doing useful work. On PostgreSQL the same batching turns many
/// small commits into one and takes the database-wide writer lock once per batch instead of once per command.
/// </remarks>
public sealed partial class GroupCommitWriter : IDisposable
{
    private readonly ConnectionFactory _connections;
    private readonly AvailabilityBroadcaster _broadcaster;
    private readonly TimeProvider _time;
    private readonly ILogger<GroupCommitWriter> _logger;
    private readonly int _maxBatch;
    private readonly IReadOnlyList<IAfterCommand> _afterCommands;
    private readonly Waitlist.WaitlistNotices _notices;
    private readonly Email.OutboxSignal _outbox;
    private readonly Cluster.ClusterFeed _feed;
    private readonly Channel<IWriteItem> _queue;
    private readonly int _capacity;
    private int _queued;
    private readonly Thread _thread;
    private DbConnection? _connection;

    internal GroupCommitWriter(
        ConnectionFactory connections,
        AvailabilityBroadcaster broadcaster,
        TimeProvider time,
        IOptions<StorageOptions> options,
        IEnumerable<IAfterCommand> afterCommands,
        Waitlist.WaitlistNotices notices,
        Email.OutboxSignal outbox,
        Cluster.ClusterFeed feed,
        ILogger<GroupCommitWriter> logger)
    {
        _feed = feed;
        ArgumentNullException.ThrowIfNull(options);
        _afterCommands = [.. afterCommands];
        _notices = notices;
        _outbox = outbox;
        _connections = connections;
        _broadcaster = broadcaster;
        _time = time;
        _logger = logger;
        _maxBatch = options.Value.MaxWriteBatch;
        // An unbounded single-reader channel queues without a lock (a bounded one takes its lock for every write and every
        // read, and the request threads and the writer fought over it: 8 % of the hold profile); the bound is a counter.
        _capacity = options.Value.WriteQueueCapacity;
        _queue = Channel.CreateUnbounded<IWriteItem>(new UnboundedChannelOptions { SingleReader = true });
        _thread = new Thread(Run) { IsBackground = true, Name = "ticket-writer" };
        _thread.Start();
    }

    /// <summary>How many commands wait for the writer right now.</summary>
    public int QueueLength => Volatile.Read(ref _queued);

    /// <summary>
    /// Queues <paramref name="work"/> to run inside a write transaction and returns its result once committed.
    /// Throws <see cref="StoreUnavailableException"/> when the queue is full or the database refused the write.
    /// </summary>
    internal Task<T> ExecuteAsync<T>(Func<WriteContext, T> work)
    {
        if (Interlocked.Increment(ref _queued) > _capacity)
        {
            Interlocked.Decrement(ref _queued);
            throw new StoreUnavailableException("The booking system is busy; please try again in a moment.");
        }

        var item = new WriteItem<T>(work);
        if (!_queue.Writer.TryWrite(item))
        {
            Interlocked.Decrement(ref _queued);
            throw new StoreUnavailableException("The booking system is shutting down; please try again in a moment.");
        }

        return item.Task;
    }

    private void Run()
    {
        var batch = new List<IWriteItem>(_maxBatch);
        var reader = _queue.Reader;
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (batch.Count < _maxBatch && reader.TryRead(out var item))
            {
                batch.Add(item);
            }

            Interlocked.Add(ref _queued, -batch.Count);
            ExecuteBatch(batch);
            batch.Clear();
        }

        _connection?.Dispose();
    }

    private void ExecuteBatch(List<IWriteItem> batch)
    {
        Committed committed;
        try
        {
            committed = Commit(batch);
        }
        catch (Exception exception) when (_connections.Classify(exception) is StoreFault.Environmental or StoreFault.Conflict)
        {
            // The database itself refused (locked by another process, unwritable, gone) or other instances kept winning
            // the same rows past every retry: every command in the batch would fail the same way. Drop the connection
            // so the next batch reopens it.
            ResetConnection();
            LogStoreUnavailable(exception, batch.Count);
            var unavailable = new StoreUnavailableException("The ticket database is unavailable; nothing was changed. Please try again.", exception);
            foreach (var item in batch)
            {
                item.Fail(unavailable);
            }

            return;
        }
#pragma warning disable CA1031 // One command's fault must not fail the others that shared its transaction.
        catch (Exception exception) when (batch.Count > 1)
#pragma warning restore CA1031
        {
            LogBatchRetried(exception, batch.Count);
            foreach (var item in batch)
            {
                ExecuteBatch([item]);
            }

            return;
        }
#pragma warning disable CA1031 // The fault belongs to the caller that queued the command.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            batch[0].Fail(exception);
            return;
        }

        // Announce before answering: a caller that awaited its write then finds its own change in Broadcaster.Latest.
        // Publishing only drops snapshots into mailboxes, so it never holds the callers up.
        foreach (var snapshot in committed.Snapshots)
        {
            _broadcaster.Publish(snapshot);
        }

        foreach (var notice in committed.Notices)
        {
            _notices.Publish(notice);
        }

        if (committed.MailQueued)
        {
            _outbox.Notify();
        }

        foreach (var item in batch)
        {
            item.Complete();
        }
    }

    private Committed Commit(List<IWriteItem> batch)
    {
        if (_connection is not null && !_connections.StoreExists)
        {
            // The file was removed under us: drop every handle on the old file, then fail to reopen (CANTOPEN).
            ResetConnection();
        }

        var connection = _connection ??= _connections.OpenWriter();
        return WriteTransaction.Run(_connections, connection, _time.GetUtcNow(), [.. batch.Select(item => (Action<WriteContext>)item.Run)], _afterCommands, _feed);
    }

    private void ResetConnection()
    {
        try
        {
            _connection?.Dispose();
        }
#pragma warning disable CA1031 // Closing a broken connection may fail too; there is nothing left to do with it.
        catch (Exception)
#pragma warning restore CA1031
        {
        }

        _connection = null;
        _connections.ClearPools();
    }

    public void Dispose()
    {
        _queue.Writer.TryComplete();
        _thread.Join();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The database refused a write batch of {Count} commands; they failed and the connection will be reopened")]
    private partial void LogStoreUnavailable(Exception exception, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A write batch of {Count} commands failed; running each in its own transaction")]
    private partial void LogBatchRetried(Exception exception, int count);

    private interface IWriteItem
    {
        void Run(WriteContext context);

        void Complete();

        void Fail(Exception exception);
    }

    private sealed class WriteItem<T>(Func<WriteContext, T> work) : IWriteItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public void Run(WriteContext context) => _result = work(context);

        public void Complete() => _completion.TrySetResult(_result!);

        public void Fail(Exception exception) => _completion.TrySetException(exception);
    }
}
