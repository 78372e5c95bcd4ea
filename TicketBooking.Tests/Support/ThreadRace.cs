using System.Collections.Concurrent;

namespace TicketBooking.Tests.Support;

/// <summary>Real parallelism for contention tests: dedicated threads released together, every result kept.</summary>
public static class ThreadRace
{
    /// <summary>Starts <paramref name="count"/> threads that all begin at once; any exception fails the test.</summary>
    public static T[] Run<T>(int count, Func<int, T> work)
    {
        var results = new T[count];
        var errors = new ConcurrentBag<Exception>();
        using var start = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, count).Select(i => new Thread(
            () =>
            {
                start.Wait();
                try
                {
                    results[i] = work(i);
                }
                catch (Exception exception)
                {
                    errors.Add(exception);
                }
            },
            maxStackSize: 256 * 1024)).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        threads.ForEach(t => t.Join());
        errors.Should().BeEmpty();
        return results;
    }
}
