using TicketBooking.Core.Limits;

namespace TicketBooking.Core.Waitlist;

/// <summary>
/// What an offer must respect when the writer serves a waiting line: how long it holds its tickets, and the same
/// per-buyer and per-address maximums a hold is held to (<see cref="TicketLimits"/>). An offer that would take its
/// buyer or its address past them is not made; the tickets go to the next entry that fits.
/// </summary>
internal sealed record OfferRules(TimeSpan OfferWindow, TicketLimits Limits);
