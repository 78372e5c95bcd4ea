using System.Data.Common;

namespace TicketBooking.Core.Storage;

/// <summary>
/// What a write command sees while it runs: the writer's connection inside an open write transaction
/// (<see cref="ConnectionFactory.BeginWrite"/>), the one "now" of that transaction, and what it must announce after commit.
/// </summary>
internal sealed class WriteContext(DbConnection connection, DbTransaction transaction, DateTimeOffset now, Waitlist.OfferRules? offerRules = null)
{
    private readonly HashSet<Guid> _changedConcerts = [];
    private readonly HashSet<Guid> _unserved = [];
    private readonly List<Waitlist.WaitlistNotice> _notices = [];

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public DateTimeOffset Now { get; } = now;

    public long NowMs { get; } = now.ToUnixTimeMilliseconds();

    /// <summary>What a waiting-list offer made in this transaction must respect: its window and the ticket maximums.</summary>
    public Waitlist.OfferRules OfferRules { get; } = offerRules ?? Waitlist.OfferRules.Default;

    public IReadOnlyCollection<Guid> ChangedConcerts => _changedConcerts;

    /// <summary>Changes to buyers' places in line (offers above all), told to their open pages after commit.</summary>
    public IReadOnlyList<Waitlist.WaitlistNotice> Notices => _notices;

    /// <summary>Whether this transaction wrote e-mail to the outbox, so the sender is woken after commit.</summary>
    public bool MailQueued { get; private set; }

    /// <summary>Marks a concert whose availability this transaction changed, so a new snapshot is published after commit.</summary>
    public void AvailabilityChanged(Guid concertId)
    {
        _changedConcerts.Add(concertId);
        _unserved.Add(concertId);
    }

    /// <summary>The concerts changed since this was last asked: their waiting lines are due to be served.</summary>
    public List<Guid> TakeUnserved()
    {
        var concerts = _unserved.ToList();
        _unserved.Clear();
        return concerts;
    }

    public void Offered(Waitlist.WaitlistOffer offer) => _notices.Add(new Waitlist.WaitlistNotice(offer.Buyer, offer.ConcertId, offer));

    /// <summary>The buyer joined or left a line of the concert.</summary>
    public void WaitlistChanged(BuyerId buyer, Guid concertId) => _notices.Add(new Waitlist.WaitlistNotice(buyer, concertId));

    public void QueuedMail() => MailQueued = true;
}
