namespace TicketBooking.Tests.Support;

/// <summary>
/// Tests that load the machine (a thousand concurrent requests) or bound a latency run in this collection,
/// after the parallel ones and one at a time, so neither disturbs the others.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialTests
{
    public const string Name = "Serial";
}
