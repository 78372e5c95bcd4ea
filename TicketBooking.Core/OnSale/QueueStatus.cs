namespace TicketBooking.Core.OnSale;

/// <summary>Where a buyer's place in a concert's waiting room stands.</summary>
public enum QueueState
{
    /// <summary>In line (before the sale opens, not yet given a place).</summary>
    Waiting,

    /// <summary>Their turn: they may hold tickets until the admission expires.</summary>
    Admitted,

    /// <summary>They booked or released, which ended their turn.</summary>
    Done,

    /// <summary>Their turn ran out.</summary>
    Expired,
}

/// <summary>
/// A buyer's place in a concert's waiting room, as of <see cref="AsOf"/> (when the room was in that state). <see cref="Position"/> is 1 for the next to be admitted and is
/// <c>null</c> before the sale opens (everyone in the room is then shuffled). <see cref="Admission"/> is the signed
/// proof a hold request carries while <see cref="State"/> is <see cref="QueueState.Admitted"/>, until
/// <see cref="AdmissionExpiresAt"/>; while <see cref="HoldFirst"/>, that is the first-hold deadline, and the turn lasts its
/// whole window once the buyer holds tickets.
/// </summary>
public sealed record QueueStatus(
    Guid ConcertId,
    Guid EntryId,
    QueueState State,
    long? Seq,
    int? Position,
    int? EstimatedWaitSeconds,
    DateTimeOffset? AdmissionExpiresAt,
    string? Admission,
    DateTimeOffset OnSaleAt,
    int InLine,
    DateTimeOffset AsOf,
    int? TicketsLeft = null,
    bool HoldFirst = false)
{
    public int? AheadOfYou => Position - 1;
}

/// <summary>
/// A waiting room's counts after a change, pushed to every page and stream watching it. Each computes its own position
/// from it: admission runs in place order, so a waiting entry at place <c>seq</c> is <c>seq − AdmittedThrough</c>th in line.
/// </summary>
public sealed record RoomSnapshot(
    Guid ConcertId,
    DateTimeOffset OnSaleAt,
    bool Shuffled,
    long AdmittedThrough,
    int Waiting,
    int Active,
    double AdmitPerSecond,
    int TicketsLeft,
    DateTimeOffset TakenAt)
{
    /// <summary>Whether the room's counts are those of <paramref name="other"/>, whenever each was taken.</summary>
    public bool SameAs(RoomSnapshot? other) => other is not null && this with { TakenAt = other.TakenAt } == other;

    /// <summary>Seconds until the entry at <paramref name="position"/> is admitted at the room's current pace.</summary>
    public int EstimatedWaitSeconds(int position) => (int)Math.Ceiling(position / Math.Max(AdmitPerSecond, 1 / 60d));

    /// <summary>
    /// <paramref name="mine"/> as of this snapshot, or <c>null</c> when it changed in a way only the database knows (the
    /// shuffle gave it a place, it was admitted, its turn may have ended): then read it again.
    /// </summary>
    public QueueStatus? Project(QueueStatus mine)
    {
        ArgumentNullException.ThrowIfNull(mine);
        switch (mine.State)
        {
            case QueueState.Admitted:
                return null; // a booking, a release or the clock may have ended the turn: the few admitted read again
            case QueueState.Done or QueueState.Expired:
                return mine;
        }

        if (mine.Seq is not { } seq)
        {
            return Shuffled ? null : mine with { InLine = Waiting, AsOf = TakenAt, TicketsLeft = TicketsLeft };
        }

        if (seq <= AdmittedThrough)
        {
            return null;
        }

        var position = (int)(seq - AdmittedThrough);
        return mine with { Position = position, EstimatedWaitSeconds = EstimatedWaitSeconds(position), InLine = Waiting, AsOf = TakenAt, TicketsLeft = TicketsLeft };
    }
}

/// <summary>The outcome of getting in line.</summary>
public abstract record JoinRoomResult
{
    private JoinRoomResult()
    {
    }

    /// <summary>In line (or already there: joining again keeps the place), or admitted at once when nobody waits.</summary>
    public sealed record InLine(QueueStatus Status) : JoinRoomResult;

    public sealed record ConcertNotFound : JoinRoomResult;

    /// <summary>This concert sells without a waiting room (no scheduled on-sale, or the room is switched off).</summary>
    public sealed record NoRoom : JoinRoomResult;

    /// <summary>The room opens at <see cref="OpensAt"/>.</summary>
    public sealed record NotOpenYet(DateTimeOffset OpensAt, DateTimeOffset OnSaleAt) : JoinRoomResult;

    /// <summary>The concert has started.</summary>
    public sealed record SalesClosed : JoinRoomResult;

    /// <summary>The caller's address already has <see cref="Max"/> places in this room (<c>WaitingRoom:PlacesPerAddress</c>).</summary>
    public sealed record AddressFull(int Max) : JoinRoomResult
    {
        public string Message => $"{Max} people from your network are already in line for this concert, as many as one network may have. When one of them has had their turn, another can get in line.";
    }
}
