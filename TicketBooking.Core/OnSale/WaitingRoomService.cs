using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.OnSale;

/// <summary>
/// The on-sale waiting room (docs/architecture.md, "The on-sale and its waiting room"): getting in line, where a buyer stands, and the beat that shuffles the early
/// arrivals at <c>onSaleAt</c> and admits buyers at the configured pace. Every change goes through the single writer;
/// watchers get a <see cref="RoomSnapshot"/> from <see cref="Hub"/> after each beat that changed the room.
/// </summary>
public sealed partial class WaitingRoomService(
    GroupCommitWriter writer,
    ConnectionFactory connections,
    AdmissionTokens tokens,
    WaitingRoomHub hub,
    Cluster.ClusterFeed feed,
    TimeProvider time,
    IOptions<WaitingRoomOptions> options,
    ILogger<WaitingRoomService> logger)
{
    private readonly WaitingRoomOptions _options = options.Value;

    public WaitingRoomOptions Options => _options;

    public WaitingRoomHub Hub => hub;

    /// <summary>
    /// Gets the buyer in line for the concert; joining again keeps their place (it belongs to the buyer).
    /// <paramref name="client"/> is the caller's network (an IPv4 address or an IPv6 /64): one network has at most
    /// <see cref="WaitingRoomOptions.PlacesPerAddress"/> places in a room.
    /// </summary>
    public async Task<JoinRoomResult> JoinAsync(BuyerId buyer, Guid concertId, string? client = null)
    {
        var joined = await writer.ExecuteAsync(context => WaitingRoomCommands.Join(context, buyer, concertId, client, _options)).ConfigureAwait(false);
        if (joined.Refusal is { } refusal)
        {
            return refusal;
        }

        var status = await GetAsync(buyer, concertId).ConfigureAwait(false);
        LogJoined(concertId, status!.State, status.Position);
        return new JoinRoomResult.InLine(status);
    }

    /// <summary>
    /// The buyer's place in the concert's room (their newest entry), with a fresh admission when it is their turn;
    /// <c>null</c> when they never got in line.
    /// </summary>
    public async Task<QueueStatus?> GetAsync(BuyerId buyer, Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        using var transaction = connection.BeginSnapshot();
        if (WaitingRoomCommands.Status(connection, buyer, concertId) is not { } row)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var onSaleAt = DateTimeOffset.FromUnixTimeMilliseconds(row.OnSaleAt);
        // The room's counts as last pushed (at most one beat old) spare every poll a count over the whole line; the
        // buyer's own entry is always read.
        RoomSnapshot Counted() => WaitingRoomCommands.Snapshot(connection, transaction, concertId, onSaleAt, now, _options);
        // Only a snapshot taken since the buyer got in line counts them (a joiner is never told nobody is in line).
        var room = hub.Latest(concertId) is { } latest && latest.OnSaleAt == onSaleAt && latest.TakenAt.ToUnixTimeMilliseconds() >= row.ArrivedAt ? latest : Counted();
        // Until the buyer first holds, their turn ends at the first-hold deadline; the admission itself is good for the
        // whole turn, so it still works after that first hold.
        var expiresAt = (row.HoldBy ?? row.AdmissionExpiresAt) is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : (DateTimeOffset?)null;
        var state = row.State switch
        {
            "waiting" => QueueState.Waiting,
            "admitted" when expiresAt > now => QueueState.Admitted,
            "admitted" or "lapsed" => QueueState.Expired,
            _ => QueueState.Done,
        };
        var status = new QueueStatus(concertId, row.EntryId, state, row.Seq, null, null, expiresAt, null, onSaleAt, room.Waiting, now);
        return state switch
        {
            QueueState.Admitted => status with
            {
                Admission = tokens.Issue(buyer, concertId, row.EntryId, DateTimeOffset.FromUnixTimeMilliseconds(row.AdmissionExpiresAt!.Value)),
                HoldFirst = row.HoldBy is not null,
            },
            // A pushed snapshot newer than the row read here (it already counts this buyer admitted): count in this read.
            QueueState.Waiting => room.Project(status) ?? Counted().Project(status) ?? status,
            _ => status,
        };
    }

    /// <summary>The room's counts now (for the organizer), or <c>null</c> when the concert has no on-sale.</summary>
    public async Task<RoomSnapshot?> GetRoomAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return WaitingRoomCommands.ReadSchedule(connection, null, concertId)?.OnSaleAt is { } ms
            ? WaitingRoomCommands.Snapshot(connection, null, concertId, DateTimeOffset.FromUnixTimeMilliseconds(ms), time.GetUtcNow(), _options)
            : null;
    }

    /// <summary><paramref name="mine"/> after a room change: worked out from the snapshot, or read again when only the database knows.</summary>
    public async Task<QueueStatus> RefreshAsync(BuyerId buyer, QueueStatus mine, RoomSnapshot room, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(room);
        return room.Project(mine) is { } projected ? projected : await GetAsync(buyer, mine.ConcertId, cancellationToken).ConfigureAwait(false) ?? mine;
    }

    /// <summary>Checks the signature of an admission a hold request carries; the writer then checks its entry is still admitted.</summary>
    public VerifiedAdmission Verify(string? admission, BuyerId buyer, Guid concertId) => tokens.Verify(admission, buyer, concertId, time.GetUtcNow());

    /// <summary>
    /// One beat of every open room (shuffle at the sale, lapses, admissions), then the changed rooms' snapshots published.
    /// Returns how many rooms changed.
    /// </summary>
    public async Task<int> PumpAsync()
    {
        // Most beats find no room open: a read says so without taking the write lock.
        await using (var connection = await connections.OpenAsync().ConfigureAwait(false))
        {
            if (!WaitingRoomCommands.AnyOpenRoom(connection, time.GetUtcNow(), _options))
            {
                return 0;
            }
        }

        var snapshots = await writer.ExecuteAsync(context => WaitingRoomCommands.Pump(context, _options)).ConfigureAwait(false);
        var changed = snapshots.Where(hub.Publish).ToList();
        await feed.AnnounceRoomsAsync(changed).ConfigureAwait(false);
        return changed.Count;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "A buyer got in line for concert {ConcertId}: {State}, position {Position}")]
    private partial void LogJoined(Guid concertId, QueueState state, int? position);
}
