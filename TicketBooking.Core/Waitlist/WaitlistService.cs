using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Holds;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Waitlist;

/// <summary>
/// Waiting lists (docs/architecture.md, "The waiting list"): joining a sold-out tier's line, leaving it, and where one
/// stands. Offers are not made here: after every write command the writer serves the lines of the concerts it changed
/// (<see cref="WaitlistServing"/>).
/// </summary>
public sealed partial class WaitlistService(
    GroupCommitWriter writer,
    ConnectionFactory connections,
    TimeProvider time,
    TicketLimits limits,
    IOptions<WaitlistOptions> options,
    IOptions<OnSale.WaitingRoomOptions> room,
    OnSale.AdmissionTokens admissions,
    ILogger<WaitlistService> logger)
{
    /// <summary>
    /// Puts the buyer in a sold-out tier's line. <paramref name="client"/> is the caller's network (an IPv4 address or an
    /// IPv6 /64): offers made later hold their tickets from there, within the per-address cap.
    /// </summary>
    public async Task<JoinResult> JoinAsync(BuyerId buyer, JoinRequest request, string? client = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (Validate(request) is { } invalid)
        {
            return invalid;
        }

        // The signature is checked here, off the writer's thread; the writer checks the entry is still admitted.
        var admission = request.Admission is null ? null : admissions.Verify(request.Admission, buyer, request.ConcertId, time.GetUtcNow());
        var join = new WaitlistCommands.WaitlistJoin(buyer, request, client, limits, options.Value.MaxEntriesPerTier, room.Value, admission);
        var outcome = await writer.ExecuteAsync(context => WaitlistCommands.Join(context, join)).ConfigureAwait(false);
        if (outcome.Refusal is { } refusal)
        {
            return refusal;
        }

        // Read after commit: the entry may already hold an offer (seats set aside for the line fitted it).
        var entry = await GetAsync(buyer, outcome.EntryId!.Value).ConfigureAwait(false);
        LogJoined(request.ConcertId, request.Tier, request.Quantity, entry!.Position);
        return new JoinResult.Joined(entry);
    }

    /// <summary>Leaves the buyer's entry; an offer it holds passes to the next in line.</summary>
    public Task<LeaveResult> LeaveAsync(BuyerId buyer, Guid entryId) =>
        writer.ExecuteAsync(context => WaitlistCommands.Leave(context, entryId, buyer, null));

    /// <summary>Leaves an entry by the token of its e-mail link, from any browser.</summary>
    public Task<LeaveResult> LeaveWithTokenAsync(Guid entryId, string token) =>
        string.IsNullOrWhiteSpace(token)
            ? Task.FromResult<LeaveResult>(new LeaveResult.NotFound())
            : writer.ExecuteAsync(context => WaitlistCommands.Leave(context, entryId, null, token));

    /// <summary>The buyer's entries, newest first, for one concert or all.</summary>
    public async Task<IReadOnlyList<WaitlistEntry>> ListAsync(BuyerId buyer, Guid? concertId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return WaitlistQueries.ForBuyer(connection, buyer, concertId);
    }

    public async Task<WaitlistEntry?> GetAsync(BuyerId buyer, Guid entryId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return WaitlistQueries.Entry(connection, null, entryId, buyer);
    }

    /// <summary>The entry an e-mail's leave link names, when the token is its own.</summary>
    public async Task<WaitlistEntry?> GetWithTokenAsync(Guid entryId, string? token, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(token))
        {
            return null;
        }

        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return WaitlistQueries.Entry(connection, null, entryId, token: token);
    }

    /// <summary>Each tier's line for the organizer: people and tickets waiting, set aside, offers out, paid, expired.</summary>
    public async Task<IReadOnlyList<TierWaitlist>> SummaryAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        return WaitlistQueries.Summary(connection, concertId);
    }

    private JoinResult.Invalid? Validate(JoinRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ConcertId == Guid.Empty)
        {
            errors["concertId"] = ["Choose a concert."];
        }

        if (string.IsNullOrWhiteSpace(request.Tier))
        {
            errors["tier"] = ["Name the ticket tier, for example VIP."];
        }

        if (limits.CheckWaitlistQuantity(request.Quantity) is { } quantity)
        {
            errors["quantity"] = [quantity];
        }

        var email = request.Email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors["email"] = ["Enter the e-mail address we should write to when tickets come back."];
        }
        else if (!Bookings.ConfirmInput.IsEmail(email))
        {
            errors["email"] = ["Enter a valid e-mail address, like name@example.com."];
        }

        return errors.Count > 0 ? new JoinResult.Invalid(errors) : null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "A buyer joined the waiting list of concert {ConcertId} tier {Tier} for {Quantity} tickets at position {Position}")]
    private partial void LogJoined(Guid concertId, string tier, int quantity, int? position);
}
