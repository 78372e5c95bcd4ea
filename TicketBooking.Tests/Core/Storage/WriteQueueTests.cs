using TicketBooking.Core.Storage;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Storage;

/// <summary>The writer's queue refuses work beyond its capacity, at once and changing nothing, and takes work again when it drains.</summary>
public sealed class WriteQueueTests
{
    [Fact]
    public async Task Commands_beyond_the_queues_capacity_are_refused_as_overload_and_the_queue_takes_work_again_once_it_drains()
    {
        await using var engine = TestEngine.Start(storage: o => o.WriteQueueCapacity = 3);
        var writer = engine.Writer;
        using var running = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();

        // The first command holds the writer, so what comes next waits in the queue.
        var first = writer.ExecuteAsync(_ =>
        {
            running.Set();
            gate.Wait(TimeSpan.FromSeconds(30));
            return 0;
        });
        running.Wait(TimeSpan.FromSeconds(30)).Should().BeTrue();

        var queued = Enumerable.Range(1, 3).Select(i => writer.ExecuteAsync(_ => i)).ToList();
        writer.QueueLength.Should().Be(3);
        Action overflow = () => writer.ExecuteAsync(_ => 4); // refused at once, before anything is queued
        overflow.Should().Throw<StoreUnavailableException>().WithMessage("*busy*");
        writer.QueueLength.Should().Be(3, "the refused command took no place");

        gate.Set();
        (await Task.WhenAll(queued.Prepend(first)).WaitAsync(TimeSpan.FromSeconds(30))).Should().Equal(0, 1, 2, 3);
        writer.QueueLength.Should().Be(0);
        (await writer.ExecuteAsync(_ => 5).WaitAsync(TimeSpan.FromSeconds(30))).Should().Be(5);
    }
}
