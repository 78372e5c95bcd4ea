using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TicketBooking.Core.Diagnostics;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Hosting;
using TicketBooking.Web.Limits;

namespace TicketBooking.Tests.Hosting;

public sealed class MemoryTrimmerTests
{
    [Fact]
    public async Task Memory_is_given_back_once_a_crowd_has_left_and_the_count_has_settled_and_not_again_soon()
    {
        await using var engine = TestEngine.Start();
        var fairUse = new FairUse(Options.Create(new RateLimitOptions()), Options.Create(new LimitOptions()),
            engine.Services.GetService(typeof(TicketBookingMetrics)) as TicketBookingMetrics ?? throw new InvalidOperationException(), engine.Time, NullLogger<FairUse>.Instance);
        var circuits = new CircuitSlots(Options.Create(new LimitOptions { MaxCircuits = 5_000 }), engine.Time);
        var trimmer = new MemoryTrimmer(circuits, fairUse, engine.Time, NullLogger<MemoryTrimmer>.Instance);

        Enumerable.Range(0, 2_000).ToList().ForEach(_ => circuits.TryTake(null).Should().BeTrue());
        var busy = trimmer.Check();
        Enumerable.Range(0, 1_500).ToList().ForEach(_ => circuits.Release());
        var dropping = trimmer.Check();
        var settled = trimmer.Check();
        var again = trimmer.Check();
        Enumerable.Range(0, 2_000).ToList().ForEach(_ => circuits.TryTake(null).Should().BeTrue());
        trimmer.Check();
        Enumerable.Range(0, 2_000).ToList().ForEach(_ => circuits.Release());
        trimmer.Check();
        var tooSoon = trimmer.Check();
        engine.Time.Advance(MemoryTrimmer.MinimumSpacing);
        var later = trimmer.Check();

        (busy, dropping, settled, again).Should().Be((false, false, true, false));
        (tooSoon, later).Should().Be((false, true));
    }
}
