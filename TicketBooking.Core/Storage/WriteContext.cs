using System.Data.Common;

namespace TicketBooking.Core.Storage;

/// <summary>
/// What a write command sees while it runs: the writer's connection inside an open write transaction
/// (<see cref="ConnectionFactory.BeginWrite"/>), the one "now" of that transaction, and what it must announce after commit.
/// </summary>
internal sealed class WriteContext(DbConnection connection, DbTransaction transaction, DateTimeOffset now, IReadOnlyList<IAfterCommand> afterCommands)
{
    private readonly IReadOnlyList<IAfterCommand> _afterCommands = afterCommands;
    private readonly HashSet<Guid> _changedConcerts = [];
    private readonly HashSet<Guid> _unserved = [];
    private readonly List<Waitlist.WaitlistNotice> _notices = [];

    public DbConnection Connection { get; } = connection;

    public DbTransaction Transaction { get; } = transaction;

    public DateTimeOffset Now { get; } = now;

    public long NowMs { get; } = now.ToUnixTimeMilliseconds();

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

    /// <summary>
    /// Tickets of the concert were freed without anyone's view of availability changing (only expired rows went): the
    /// after-command steps still run for it.
    /// </summary>
    public void TicketsFreed(Guid concertId) => _unserved.Add(concertId);

    /// <summary>
    /// Runs the after-command steps (<see cref="IAfterCommand"/>) for the concert now, in the middle of a command: for one
    /// that freed tickets and goes on to hand tickets out itself, so the waiting list takes what was freed first.
    /// </summary>
    public void SettleNow(Guid concertId)
    {
        foreach (var step in _afterCommands)
        {
            step.Run(this, concertId);
        }
    }

    /// <summary>After a command: runs the after-command steps for every concert it changed (what they change in turn needs no second round).</summary>
    internal void FinishCommand()
    {
        foreach (var concertId in _unserved.ToList())
        {
            SettleNow(concertId);
        }

        _unserved.Clear();
    }

    public void Offered(Waitlist.WaitlistOffer offer) => _notices.Add(new Waitlist.WaitlistNotice(offer.Buyer, offer.ConcertId, offer));

    /// <summary>The buyer joined or left a line of the concert.</summary>
    public void WaitlistChanged(BuyerId buyer, Guid concertId) => _notices.Add(new Waitlist.WaitlistNotice(buyer, concertId));

    public void QueuedMail() => MailQueued = true;
}
