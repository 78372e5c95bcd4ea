using System.Data.Common;
using System.Text.Json;
using System.Threading.Channels;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;
using TicketBooking.Core.Availability;
using TicketBooking.Core.OnSale;
using TicketBooking.Core.Storage;
using TicketBooking.Core.Waitlist;

namespace TicketBooking.Core.Cluster;

/// <summary>
/// Carries what one instance's writer committed to every other instance on the same PostgreSQL database, over
/// <c>LISTEN/NOTIFY</c> on one channel: availability changes (concert and version; each receiver reads the snapshot
/// itself, once per concert however many changes queued meanwhile), a buyer's waiting-list notices, waiting-room
/// snapshots and "e-mail is waiting". The notifications are sent inside the write transaction, so PostgreSQL delivers
/// them exactly when it commits and never for one that rolled back. On SQLite there is one process and nothing to carry.
/// </summary>
public sealed partial class ClusterFeed(
    ConnectionFactory connections,
    AvailabilityBroadcaster broadcaster,
    WaitlistNotices notices,
    WaitingRoomHub rooms,
    Email.OutboxSignal outbox,
    TimeProvider time,
    ILogger<ClusterFeed> logger)
{
    public const string Channel = "ticketbooking";

    private static readonly JsonSerializerOptions s_json = new(JsonSerializerDefaults.Web);

    private readonly Channel<Message> _received = System.Threading.Channels.Channel.CreateUnbounded<Message>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Tells this instance's own notifications from the others'.</summary>
    public Guid Instance { get; } = Guid.NewGuid();

    public bool Enabled => connections.Provider == StorageProvider.Postgres;

    /// <summary>How many availability snapshots this instance read because another instance changed a concert.</summary>
    public long RemoteSnapshots => Interlocked.Read(ref _remoteSnapshots);

    private long _remoteSnapshots;

    /// <summary>Queues the notifications of a write transaction; PostgreSQL sends them when it commits.</summary>
    internal void Announce(DbConnection connection, DbTransaction transaction, IReadOnlyList<AvailabilitySnapshot> snapshots, IReadOnlyList<WaitlistNotice> waitlist, bool mailQueued)
    {
        if (!Enabled)
        {
            return;
        }

        var payloads = new List<string>(snapshots.Count + waitlist.Count + 1);
        payloads.AddRange(snapshots.Select(s => Serialize(new Message(Instance, Kind.Availability, s.ConcertId, s.Version))));
        payloads.AddRange(waitlist.Select(n => Serialize(new Message(Instance, Kind.Waitlist, n.ConcertId, Notice: n))));
        if (mailQueued)
        {
            payloads.Add(Serialize(new Message(Instance, Kind.Mail, Guid.Empty)));
        }

        if (payloads.Count > 0)
        {
            connection.Execute("SELECT pg_notify(@channel, payload) FROM unnest(@payloads) AS payload", new { channel = Channel, payloads }, transaction);
        }
    }

    /// <summary>Tells the other instances a waiting room's new counts (after the beat that took them committed).</summary>
    internal async Task AnnounceRoomsAsync(IReadOnlyList<RoomSnapshot> snapshots)
    {
        if (!Enabled || snapshots.Count == 0)
        {
            return;
        }

        var payloads = snapshots.Select(s => Serialize(new Message(Instance, Kind.Room, s.ConcertId, Room: s))).ToList();
        await using var connection = await connections.OpenAsync().ConfigureAwait(false);
        await connection.ExecuteAsync("SELECT pg_notify(@channel, payload) FROM unnest(@payloads) AS payload", new { channel = Channel, payloads }).ConfigureAwait(false);
    }

    /// <summary>
    /// Listens until <paramref name="stoppingToken"/> ends, reconnecting after a lost connection; after each (re)connect
    /// every concert someone here is watching is read afresh, so nothing changed while deaf is missed.
    /// </summary>
    public async Task ListenAsync(CancellationToken stoppingToken)
    {
        if (connections is not PostgresConnectionFactory postgres)
        {
            return;
        }

        var apply = ApplyAsync(stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await using var connection = postgres.OpenUnpooled();
                    connection.Notification += (_, e) => _received.Writer.TryWrite(Deserialize(e.Payload));
                    await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken).ConfigureAwait(false);
                    }

                    _received.Writer.TryWrite(new Message(Guid.Empty, Kind.Resync, Guid.Empty));
                    LogListening();
                    while (true)
                    {
                        await connection.WaitAsync(stoppingToken).ConfigureAwait(false);
                    }
                }
                catch (Exception exception) when (exception is NpgsqlException or InvalidOperationException or TimeoutException)
                {
                    LogLost(exception);
                    await Task.Delay(TimeSpan.FromSeconds(1), time, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _received.Writer.TryComplete();
        await apply.ConfigureAwait(false);
    }

    private async Task ApplyAsync(CancellationToken stoppingToken)
    {
        var reader = _received.Reader;
        var due = new Dictionary<Guid, long>();
        try
        {
            while (await reader.WaitToReadAsync(stoppingToken).ConfigureAwait(false))
            {
                // Whatever queued meanwhile is taken together: many changes to one concert cost one read.
                while (reader.TryRead(out var message))
                {
                    if (message.From == Instance)
                    {
                        continue; // this instance published its own already
                    }

                    switch (message.Kind)
                    {
                        case Kind.Availability:
                            due[message.ConcertId] = Math.Max(due.GetValueOrDefault(message.ConcertId), message.Version);
                            break;
                        case Kind.Resync:
                            foreach (var concertId in broadcaster.KnownConcerts())
                            {
                                due.TryAdd(concertId, 0);
                            }

                            break;
                        case Kind.Waitlist when message.Notice is { } notice:
                            notices.Publish(notice);
                            break;
                        case Kind.Room when message.Room is { } room:
                            rooms.Publish(room);
                            break;
                        case Kind.Mail:
                            outbox.Notify();
                            break;
                    }
                }

                foreach (var (concertId, version) in due)
                {
                    await RefreshAsync(concertId, version, stoppingToken).ConfigureAwait(false);
                }

                due.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task RefreshAsync(Guid concertId, long version, CancellationToken cancellationToken)
    {
        if (broadcaster.Latest(concertId) is { } latest && latest.Version >= version && version > 0)
        {
            return;
        }

        try
        {
            await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var transaction = connection.BeginSnapshot();
            var current = await connection.ExecuteScalarAsync<long?>("SELECT availability_version FROM concerts WHERE id = @concertId", new { concertId }, transaction).ConfigureAwait(false);
            if (current is null || broadcaster.Latest(concertId)?.Version >= current)
            {
                return;
            }

            broadcaster.Publish(AvailabilityQueries.Read(connection, transaction, concertId, current.Value, time.GetUtcNow()));
            Interlocked.Increment(ref _remoteSnapshots);
        }
        catch (DbException exception)
        {
            LogRefreshFailed(exception, concertId);
        }
    }

    private static string Serialize(Message message) => JsonSerializer.Serialize(message, s_json);

    private static Message Deserialize(string payload) => JsonSerializer.Deserialize<Message>(payload, s_json)!;

    internal enum Kind
    {
        Availability,
        Waitlist,
        Room,
        Mail,
        Resync,
    }

    internal sealed record Message(Guid From, Kind Kind, Guid ConcertId, long Version = 0, WaitlistNotice? Notice = null, RoomSnapshot? Room = null);

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening for the other instances' changes")]
    private partial void LogListening();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the connection that listens for the other instances' changes; reconnecting")]
    private partial void LogLost(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read concert {ConcertId}'s availability after another instance changed it")]
    private partial void LogRefreshFailed(Exception exception, Guid concertId);
}
