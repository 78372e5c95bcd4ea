namespace TicketBooking.Core.Storage;

/// <summary>
/// A feature's step that follows every write command: the writer runs it inside the same transaction, for each concert
/// the command marked changed (<see cref="WriteContext.AvailabilityChanged"/>), before the next command of the batch or
/// any reader can see the change. Features register theirs with the container; storage knows none of them. The waiting
/// list's (<see cref="Waitlist.WaitlistServing"/>) hands tickets that came back to the people in line first.
/// </summary>
internal interface IAfterCommand
{
    void Run(WriteContext context, Guid concertId);
}
