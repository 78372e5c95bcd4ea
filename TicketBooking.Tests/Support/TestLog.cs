using Microsoft.Extensions.Logging;

namespace TicketBooking.Tests.Support;

/// <summary>Captures log entries so a test can assert what was logged (and what was not).</summary>
public sealed class TestLog : ILoggerProvider
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];
    private readonly List<(Func<Entry, bool> Match, TaskCompletionSource<Entry> Found)> _waiters = [];

    public List<Entry> Entries
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries];
            }
        }
    }

    /// <summary>Completes with the first entry, logged before or after the call, that matches.</summary>
    public Task<Entry> WaitForAsync(Func<Entry, bool> match)
    {
        lock (_gate)
        {
            if (_entries.FirstOrDefault(match) is { } entry)
            {
                return Task.FromResult(entry);
            }

            var found = new TaskCompletionSource<Entry>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task.WaitAsync(TimeSpan.FromSeconds(30));
        }
    }

    private void Add(Entry entry)
    {
        List<TaskCompletionSource<Entry>> found;
        lock (_gate)
        {
            _entries.Add(entry);
            found = [.. _waiters.Where(w => w.Match(entry)).Select(w => w.Found)];
            _waiters.RemoveAll(w => found.Contains(w.Found));
        }

        found.ForEach(f => f.TrySetResult(entry));
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public sealed record Entry(string Category, LogLevel Level, string Message, Exception? Exception);

    private sealed class Logger(TestLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            log.Add(new Entry(category, logLevel, formatter(state, exception), exception));
    }
}
