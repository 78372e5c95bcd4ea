using Dapper;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Tickets;

/// <summary>A ticket as the door sees it: whose, which tier and seat, and when and where it was admitted (if it was).</summary>
public sealed record DoorTicket(
    Guid TicketId, Guid ConcertId, Guid BookingId, string Tier, string TierName, string Holder, DateTimeOffset? CheckedInAt, string? Door, string? Seat = null)
{
    /// <summary>"Section A · Row C, seat 12" on a seated tier; <c>null</c> for general admission.</summary>
    public string? SeatName => Seat is null ? null : Seating.SeatNames.Describe(Seat);
}

public abstract record CheckInResult
{
    private CheckInResult()
    {
    }

    /// <summary>Let them in: this scan admitted the ticket.</summary>
    public sealed record Admitted(DoorTicket Ticket) : CheckInResult;

    /// <summary>Refused: the ticket was admitted before, at <see cref="DoorTicket.CheckedInAt"/> by <see cref="DoorTicket.Door"/>.</summary>
    public sealed record AlreadyAdmitted(DoorTicket Ticket) : CheckInResult;

    /// <summary>Refused: the ticket was cancelled (refunded).</summary>
    public sealed record Cancelled(DoorTicket Ticket) : CheckInResult;

    /// <summary>Refused: a real ticket, for another concert than the one this door admits to.</summary>
    public sealed record OtherConcert(string Concert) : CheckInResult;

    /// <summary>Refused: no ticket has this code (mistyped, altered or made up).</summary>
    public sealed record Unknown : CheckInResult;
}

/// <summary>Per tier of a concert: tickets sold (not cancelled) and how many of them have been admitted.</summary>
public sealed record TierAdmissions(string Tier, string TierName, int Sold, int Admitted);

/// <summary>
/// Door check-in (docs/architecture.md, "Tickets and check-in"). A ticket is admitted by one conditional update (valid → checked in) inside the writer's
/// transaction, so two doors scanning one ticket at the same instant admit it once; every other answer says why not.
/// </summary>
public sealed class CheckInService(GroupCommitWriter writer, ConnectionFactory connections)
{
    public const int MaxDoorLength = 40;

    private const string AdmitSql = """
        UPDATE tickets SET status = 'checkedIn', checked_in_at = @now, door = @door
        WHERE code = @code AND status = 'valid' AND refund_id IS NULL AND (@concertId IS NULL OR concert_id = @concertId)
        """;

    private const string TicketSql = """
        SELECT t.id AS TicketId, t.concert_id AS ConcertId, t.booking_id AS BookingId, tr.code AS Tier, tr.name AS TierName,
               b.buyer_name AS Holder, t.checked_in_at AS CheckedInAt, t.door AS Door, t.status AS Status,
               c.artist || ' · ' || c.name AS Concert, t.refund_id AS RefundId, t.seat_label AS Seat
        FROM tickets t
        JOIN tiers tr ON tr.id = t.tier_id
        JOIN bookings b ON b.id = t.booking_id
        JOIN concerts c ON c.id = t.concert_id
        WHERE t.code = @code
        """;

    /// <summary>
    /// Admits the ticket with <paramref name="code"/> (as typed or scanned) at <paramref name="door"/>. With
    /// <paramref name="concertId"/>, a ticket for another concert is refused and stays valid.
    /// </summary>
    public async Task<CheckInResult> CheckInAsync(string? code, string? door, Guid? concertId = null)
    {
        if (TicketCode.Normalize(code) is not { } normalized)
        {
            return new CheckInResult.Unknown();
        }

        var doorName = string.IsNullOrWhiteSpace(door) ? null : door.Trim()[..Math.Min(door.Trim().Length, MaxDoorLength)];
        return await writer.ExecuteAsync(context =>
        {
            var admitted = context.Connection.Execute(AdmitSql, new { code = normalized, door = doorName, concertId, now = context.NowMs }, context.Transaction) == 1;
            var row = context.Connection.QuerySingleOrDefault<TicketRow>(TicketSql, new { code = normalized }, context.Transaction);
            if (row is null)
            {
                return new CheckInResult.Unknown();
            }

            var ticket = new DoorTicket(row.TicketId, row.ConcertId, row.BookingId, row.Tier, row.TierName, row.Holder, row.CheckedInAt, row.Door, row.Seat);
            if (admitted)
            {
                // The dashboard's admitted counts follow: the concert's snapshot is published after commit.
                context.AvailabilityChanged(row.ConcertId);
                return new CheckInResult.Admitted(ticket);
            }

            return concertId is { } expected && expected != row.ConcertId ? new CheckInResult.OtherConcert(row.Concert)
                // A ticket being refunded right now is as good as cancelled: it must not get in and then be refunded.
                : row.Status == "cancelled" || (row.Status == "valid" && row.RefundId is not null) ? new CheckInResult.Cancelled(ticket)
                : (CheckInResult)new CheckInResult.AlreadyAdmitted(ticket);
        }).ConfigureAwait(false);
    }

    private const string AdmissionsSql = """
        SELECT tr.code AS Tier, tr.name AS TierName,
               COUNT(t.id) FILTER (WHERE t.status <> 'cancelled') AS Sold,
               COUNT(t.id) FILTER (WHERE t.status = 'checkedIn') AS Admitted
        FROM tiers tr LEFT JOIN tickets t ON t.concert_id = tr.concert_id AND t.tier_id = tr.id
        WHERE tr.concert_id = @concertId
        GROUP BY tr.id
        ORDER BY tr.sort_order
        """;

    /// <summary>Sold and admitted per tier, in tier order (empty for an unknown concert).</summary>
    public async Task<IReadOnlyList<TierAdmissions>> GetAdmissionsAsync(Guid concertId, CancellationToken cancellationToken = default)
    {
        await using var connection = await connections.OpenAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string Tier, string TierName, long Sold, long Admitted)>(
            new CommandDefinition(AdmissionsSql, new { concertId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => new TierAdmissions(r.Tier, r.TierName, (int)r.Sold, (int)r.Admitted))];
    }

    private sealed record TicketRow(
        Guid TicketId, Guid ConcertId, Guid BookingId, string Tier, string TierName, string Holder, DateTimeOffset? CheckedInAt, string? Door,
        string Status, string Concert, string? RefundId, string? Seat);
}
