using System.Diagnostics;
using System.Globalization;

namespace TicketBooking.Bench;

/// <summary>Many SSE readers on one concert, each noting when it first sees the version the driver waits for.</summary>
internal sealed class Fanout(int subscribers)
{
    private readonly long[] _seenAt = new long[subscribers];
    private long _expected = long.MaxValue;
    private int _seen;
    private long _latestVersion;
    private TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Connects every subscriber and returns once each has its initial snapshot; the returned tasks end on <paramref name="stop"/>.</summary>
    public async Task<Task[]> ConnectAsync(TicketApi api, Guid concertId, CancellationToken stop)
    {
        var ready = new CountdownEvent(subscribers);
        using var gate = new SemaphoreSlim(256);
        var readers = new Task[subscribers];
        for (var i = 0; i < subscribers; i++)
        {
            await gate.WaitAsync(stop);
            var index = i;
            readers[i] = Task.Run(async () =>
            {
                var signalled = false;
                try
                {
                    using var response = await api.Http.GetAsync(new Uri($"/api/concerts/{concertId}/availability/stream", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop);
                    using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(stop));
                    while (await reader.ReadLineAsync(stop) is { } line)
                    {
                        if (!line.StartsWith("id: ", StringComparison.Ordinal))
                        {
                            continue;
                        }

                        var version = long.Parse(line.AsSpan(4), CultureInfo.InvariantCulture);
                        Atomic.Max(ref _latestVersion, version);
                        if (!signalled)
                        {
                            signalled = true;
                            gate.Release();
                            ready.Signal();
                        }

                        Saw(index, version);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    if (!signalled)
                    {
                        gate.Release();
                        ready.Signal();
                    }
                }
            }, CancellationToken.None);
        }

        await Task.Run(() => ready.Wait(stop), stop);
        return readers;
    }

    /// <summary>Arms the next wait: for the next published version.</summary>
    public void Expect()
    {
        Array.Clear(_seenAt);
        _seen = 0;
        _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var next = Interlocked.Read(ref _latestVersion) + 1;
        Interlocked.Exchange(ref _expected, next);
    }

    public async Task<bool> AllSeenAsync(TimeSpan timeout)
    {
        try
        {
            await _all.Task.WaitAsync(timeout);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    public IEnumerable<long> Arrivals() => _seenAt.Where(t => t != 0);

    private void Saw(int index, long version)
    {
        if (version >= Interlocked.Read(ref _expected) && Interlocked.CompareExchange(ref _seenAt[index], Stopwatch.GetTimestamp(), 0) == 0
            && Interlocked.Increment(ref _seen) == _seenAt.Length)
        {
            _all.TrySetResult();
        }
    }
}
