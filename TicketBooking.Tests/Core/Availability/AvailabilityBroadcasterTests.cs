using Microsoft.Extensions.Logging.Abstractions;
using TicketBooking.Core.Availability;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Core.Availability;

public sealed class AvailabilityBroadcasterTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly AvailabilityBroadcaster _broadcaster = new(NullLogger<AvailabilityBroadcaster>.Instance);
    private readonly Guid _concert = Guid.NewGuid();

    [Fact]
    public void A_subscriber_gets_the_latest_snapshot_not_a_backlog()
    {
        using var subscription = _broadcaster.Subscribe(_concert);

        _broadcaster.Publish(Snapshot(_concert, 1, available: 9));
        _broadcaster.Publish(Snapshot(_concert, 2, available: 8));
        _broadcaster.Publish(Snapshot(_concert, 3, available: 7));

        subscription.TryRead(out var latest).Should().BeTrue();
        latest!.Version.Should().Be(3);
        subscription.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public void A_snapshot_older_than_one_already_published_is_dropped()
    {
        using var subscription = _broadcaster.Subscribe(_concert);

        _broadcaster.Publish(Snapshot(_concert, 5, available: 5));
        subscription.TryRead(out _).Should().BeTrue();
        _broadcaster.Publish(Snapshot(_concert, 4, available: 6));

        subscription.TryRead(out _).Should().BeFalse();
        _broadcaster.Latest(_concert)!.Version.Should().Be(5);
    }

    [Fact]
    public async Task A_subscriber_that_blocks_does_not_delay_a_publish_or_other_subscribers()
    {
        using var release = new ManualResetEventSlim();
        var blockedEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var blocking = _broadcaster.Subscribe(_concert, _ =>
        {
            blockedEntered.TrySetResult();
            release.Wait();
            return Task.CompletedTask;
        });
        var delivered = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var healthy = _broadcaster.Subscribe(_concert, s =>
        {
            if (s.Version == 2)
            {
                delivered.TrySetResult(s.Version);
            }

            return Task.CompletedTask;
        });

        _broadcaster.Publish(Snapshot(_concert, 1, available: 9));
        await blockedEntered.Task.WaitAsync(Patience);
        // The first subscriber is now stuck inside its handler; publishing must still return at once…
        _broadcaster.Publish(Snapshot(_concert, 2, available: 8));

        // …and the other subscriber still gets it.
        (await delivered.Task.WaitAsync(Patience)).Should().Be(2);
        release.Set();
    }

    [Fact]
    public async Task A_disposed_subscription_receives_nothing_more()
    {
        var received = new List<long>();
        var subscription = _broadcaster.Subscribe(_concert, s =>
        {
            lock (received)
            {
                received.Add(s.Version);
            }

            return Task.CompletedTask;
        });
        using var witness = _broadcaster.Subscribe(_concert);

        subscription.Dispose();
        await subscription.Completion.WaitAsync(Patience);
        _broadcaster.Publish(Snapshot(_concert, 1, available: 9));

        witness.TryRead(out _).Should().BeTrue("the publish happened");
        received.Should().BeEmpty();
        _broadcaster.SubscriberCountFor(_concert).Should().Be(1, "only the witness is left");
        subscription.TryRead(out _).Should().BeFalse();
    }

    [Fact]
    public async Task Reading_all_ends_when_the_subscription_is_disposed()
    {
        var subscription = _broadcaster.Subscribe(_concert);
        var firstRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reading = Task.Run(async () =>
        {
            var count = 0;
            await foreach (var _ in subscription.ReadAllAsync())
            {
                count++;
                firstRead.TrySetResult();
            }

            return count;
        });

        _broadcaster.Publish(Snapshot(_concert, 1, available: 9));
        await firstRead.Task.WaitAsync(Patience);
        subscription.Dispose();

        (await reading.WaitAsync(Patience)).Should().Be(1);
    }

    [Fact]
    public void An_every_concert_subscription_keeps_the_latest_of_each_concert()
    {
        var other = Guid.NewGuid();
        using var all = _broadcaster.SubscribeToAll();

        _broadcaster.Publish(Snapshot(_concert, 1, available: 9));
        _broadcaster.Publish(Snapshot(other, 1, available: 3));
        _broadcaster.Publish(Snapshot(_concert, 2, available: 8));

        all.TryRead(out var first).Should().BeTrue();
        all.TryRead(out var second).Should().BeTrue();
        all.TryRead(out _).Should().BeFalse();
        new[] { (first!.ConcertId, first.Version), (second!.ConcertId, second.Version) }
            .Should().BeEquivalentTo([(_concert, 2L), (other, 1L)]);
    }

    [Fact]
    public async Task A_throwing_subscriber_stays_subscribed()
    {
        var seen = new[] { NewSignal(), NewSignal() };
        using var subscription = _broadcaster.Subscribe(_concert, s =>
        {
            seen[s.Version - 1].TrySetResult();
            throw new InvalidOperationException("subscriber bug");
        });

        _broadcaster.Publish(Snapshot(_concert, 1, available: 9));
        await seen[0].Task.WaitAsync(Patience);
        _broadcaster.Publish(Snapshot(_concert, 2, available: 8));

        await seen[1].Task.WaitAsync(Patience);
    }

    [Fact]
    public void Viewers_joining_and_leaving_while_changes_are_published_leave_exactly_the_ones_still_watching_with_the_latest()
    {
        const int Threads = 8;
        const int EachThread = 500;
        var publisher = new Thread(() =>
        {
            for (var version = 1; version <= 2_000; version++)
            {
                _broadcaster.Publish(Snapshot(_concert, version, available: version % 10));
            }
        });

        publisher.Start();
        var kept = ThreadRace.Run(Threads, _ =>
        {
            var mine = Enumerable.Range(0, EachThread).Select(_ => _broadcaster.Subscribe(_concert)).ToList();
            // Every other one leaves again, in the order it came, while the others stay.
            mine.Where((_, i) => i % 2 == 1).ToList().ForEach(s => s.Dispose());
            return mine.Where((_, i) => i % 2 == 0).ToList();
        }).SelectMany(s => s).ToList();
        publisher.Join();

        _broadcaster.SubscriberCountFor(_concert).Should().Be(Threads * EachThread / 2);
        _broadcaster.Publish(Snapshot(_concert, 2_001, available: 1));
        kept.Should().AllSatisfy(s =>
        {
            s.TryRead(out var latest).Should().BeTrue();
            latest!.Version.Should().Be(2_001);
        });

        kept.ForEach(s => s.Dispose());
        _broadcaster.SubscriberCountFor(_concert).Should().Be(0);
        _broadcaster.SubscriberCount.Should().Be(0);
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static AvailabilitySnapshot Snapshot(Guid concertId, long version, int available) =>
        new(concertId, version, DateTimeOffset.UnixEpoch, [new TierAvailability("GA", 10, 10 - available, 0)]);
}
