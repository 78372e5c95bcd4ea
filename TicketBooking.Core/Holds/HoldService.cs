using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Holds;

/// <summary>
/// Holds tickets while a buyer checks out (docs/architecture.md, "Holds"). Writes go through the single writer; a result
/// is returned only after its transaction has committed.
/// </summary>
public sealed partial class HoldService(
    GroupCommitWriter writer,
    ConnectionFactory connections,
    TimeProvider time,
    IOptions<HoldOptions> options,
    TicketLimits limits,
    IOptions<Seating.SeatingOptions> seating,
    IOptions<OnSale.WaitingRoomOptions> room,
    OnSale.AdmissionTokens admissions,
    Diagnostics.TicketBookingMetrics metrics,
    ILogger<HoldService> logger)
{
    private readonly HoldOptions _options = options.Value;
    private readonly bool _preventOrphans = seating.Value.PreventOrphans;
    private readonly OnSale.WaitingRoomOptions _room = room.Value;

    public HoldOptions Options => _options;

    /// <summary>How many tickets an order, a buyer and a network may take.</summary>
    public TicketLimits Limits => limits;

    /// <summary>
    /// Creates the buyer's checkout for a concert, or replaces its quantities. All items are held or none;
    /// only the difference from what the buyer already holds is checked against availability.
    /// <paramref name="client"/> is the caller's network (an IPv4 address or an IPv6 /64): checkouts from one
    /// network together hold at most <see cref="TicketLimits.HeldPerAddress"/> tickets of a concert.
    /// </summary>
    public async Task<HoldResult> PlaceAsync(BuyerId buyer, HoldRequest request, string? client = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The signature is checked here, off the writer's thread; the writer checks the entry is still admitted.
        var admission = request.Admission is null ? null : admissions.Verify(request.Admission, buyer, request.ConcertId, time.GetUtcNow());
        var placement = new HoldCommands.HoldPlacement(buyer, request, client, _options, limits, _preventOrphans, _room, admission);
        var result = Validate(request) ?? await writer.ExecuteAsync(context => HoldCommands.Place(context, placement)).ConfigureAwait(false);
        if (result is HoldResult.Held held)
        {
            metrics.HoldCreated();
            LogHeld(request.ConcertId, held.Hold.Quantity, held.Hold.ExpiresAt);
        }
        else
        {
            var reason = result.GetType().Name;
            metrics.HoldRejected(reason);
            LogRefused(request.ConcertId, reason);
        }

        return result;
    }

    /// <summary>Reports whether the buyer was active and whether the checkout is visible; renews or shrinks the hold.</summary>
    public Task<HeartbeatResult> HeartbeatAsync(BuyerId buyer, Guid concertId, bool active, bool visible) =>
        writer.ExecuteAsync(context => HoldCommands.Heartbeat(context, buyer, concertId, active, visible, _options));

    /// <summary>
    /// Releases the buyer's checkout for a concert at once. Releasing ends the buyer's turn in the concert's waiting room
    /// unless <paramref name="endTurn"/> is false (leaving checkout to change tickets). True when it still held tickets or
    /// ended a turn.
    /// </summary>
    public Task<bool> ReleaseAsync(BuyerId buyer, Guid concertId, bool endTurn = true) =>
        writer.ExecuteAsync(context => HoldCommands.Release(context, buyer, concertId, endTurn));

    /// <summary>The buyer's connection is gone: shrink all their active holds to <see cref="HoldOptions.HiddenGrace"/>.</summary>
    public Task<int> ShrinkAllAsync(BuyerId buyer) =>
        writer.ExecuteAsync(context => HoldCommands.ShrinkAll(context, buyer, _options));

    /// <summary>Deletes expired holds and publishes a snapshot for every concert that had any.</summary>
    public Task<SweepResult> SweepExpiredAsync() => writer.ExecuteAsync(HoldCommands.Sweep);

    /// <summary>True when the buyer holds tickets of any concert now (a checkout in progress).</summary>
    public async Task<bool> HoldsAnythingAsync(BuyerId buyer, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM holds WHERE buyer_id = @buyer AND expires_at > @now",
            new { buyer = buyer.Value, now = time.GetUtcNow() },
            cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    private const string ActiveHoldSql = """
        SELECT h.hold_id AS HoldId, h.tier_id AS TierId, t.code AS Tier, t.name AS TierName, h.quantity AS Quantity,
               t.price_cents AS UnitPriceCents, h.created_at AS CreatedAt, h.expires_at AS ExpiresAt
        FROM holds h JOIN tiers t ON t.id = h.tier_id
        WHERE h.buyer_id = @buyer AND h.concert_id = @concertId AND h.expires_at > @now
        ORDER BY t.sort_order
        """;

    /// <summary>The buyer's active checkout for a concert, or <c>null</c> when nothing is held.</summary>
    public async Task<Hold?> GetAsync(BuyerId buyer, Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<HoldRow>(new CommandDefinition(
            ActiveHoldSql,
            new { buyer = buyer.Value, concertId, now = time.GetUtcNow() },
            cancellationToken: cancellationToken)).ConfigureAwait(false));
        if (rows.Count == 0)
        {
            return null;
        }

        var seats = Seating.SeatCommands.HeldBy(connection, null, buyer, concertId);
        return new Hold(
            rows[0].HoldId,
            concertId,
            [.. rows.Select(r => new HeldItem(r.Tier, r.TierName, (int)r.Quantity, r.UnitPriceCents, seats.GetValueOrDefault(r.TierId)?.Labels, seats.GetValueOrDefault(r.TierId)?.Together ?? true))],
            rows[0].CreatedAt,
            rows.Min(r => r.ExpiresAt));
    }

    /// <summary>
    /// Null when the request is well formed and within the order's limits; else the refusal. <see cref="PlaceAsync"/>
    /// checks it too; callers that spend something before placing (a rate budget) ask first.
    /// </summary>
    public HoldResult? Validate(HoldRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new Dictionary<string, string[]>();
        if (request.ConcertId == Guid.Empty)
        {
            errors["concertId"] = ["Choose a concert."];
        }

        if (request.Items is not { Count: > 0 })
        {
            errors["items"] = ["Choose at least one ticket."];
            return new HoldResult.Invalid(errors);
        }

        for (var i = 0; i < request.Items.Count; i++)
        {
            var item = request.Items[i];
            if (item is null || string.IsNullOrWhiteSpace(item.Tier))
            {
                errors[$"items[{i}].tier"] = ["Name the ticket tier, for example VIP."];
            }
            else if (item.Seats is { } labels && (labels.Count == 0 || labels.Any(string.IsNullOrWhiteSpace)))
            {
                errors[$"items[{i}].seats"] = ["Name each seat by its label, for example A-C-12."];
            }
            else if (item.Quantity < 1)
            {
                errors[$"items[{i}].quantity"] = ["The quantity must be at least 1."];
            }
            else if (item.Seats is { } seats && seats.Count != item.Quantity)
            {
                errors[$"items[{i}].seats"] = [$"{seats.Count} seats were named for a quantity of {item.Quantity}."];
            }
        }

        var named = request.Items.Where(i => i?.Seats is not null).SelectMany(i => i.Seats!).ToList();
        if (named.Count != named.Distinct(StringComparer.Ordinal).Count())
        {
            errors["items"] = ["Each seat may be named once."];
        }

        var repeated = request.Items
            .Where(i => !string.IsNullOrWhiteSpace(i?.Tier))
            .GroupBy(i => i.Tier, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1)
            .Select(g => g.Key)
            .ToList();
        if (repeated.Count > 0)
        {
            errors["items"] = [$"Each tier may appear once; {string.Join(", ", repeated)} appears more than once."];
        }

        return errors.Count > 0 ? new HoldResult.Invalid(errors) : limits.CheckOrder(request.Items);
    }

    private sealed record HoldRow(Guid HoldId, long TierId, string Tier, string TierName, long Quantity, long UnitPriceCents, DateTimeOffset CreatedAt, DateTimeOffset ExpiresAt);

    // Debug: at on-sale rates these are thousands a second; turn on with Logging:LogLevel:TicketBooking.Core.Holds=Debug.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Held {Tickets} tickets for concert {ConcertId} until {ExpiresAt}")]
    private partial void LogHeld(Guid concertId, int tickets, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Hold for concert {ConcertId} refused: {Reason}")]
    private partial void LogRefused(Guid concertId, string reason);
}
