using Microsoft.Extensions.Options;
using TicketBooking.Core.Limits;
using TicketBooking.Core.Storage;

namespace TicketBooking.Core.Waitlist;

/// <summary>
/// The waiting list's step after every write command (registered in <see cref="WaitlistSetup.AddWaitlist"/>): whatever
/// a command changed, tickets it freed go to the people waiting before anyone else can have them — right after it, so
/// no code path can forget, and before the next command of the batch (a stranger's hold) or any reader can see them
/// free. A command that frees tickets and then hands tickets out itself serves the line at once instead
/// (<see cref="Holds.HoldCommands.Reclaim"/> through <see cref="WriteContext.SettleNow"/>).
/// </summary>
internal sealed class WaitlistServing(IOptions<WaitlistOptions> waitlist, TicketLimits limits) : IAfterCommand
{
    private readonly OfferRules _rules = new(waitlist.Value.OfferWindow, limits);

    public void Run(WriteContext context, Guid concertId) => WaitlistCommands.Serve(context, concertId, _rules);
}
