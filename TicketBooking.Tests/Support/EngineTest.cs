using TicketBooking.Core.Holds;
using TicketBooking.Core.Storage;

namespace TicketBooking.Tests.Support;

/// <summary>A test class with its own engine (its own database file and fake clock), disposed after the class's tests.</summary>
public abstract class EngineTest(Action<HoldOptions>? holds = null, Action<StorageOptions>? storage = null, StorageProvider provider = StorageProvider.Sqlite) : IAsyncLifetime
{
    protected TestEngine Engine { get; } = TestEngine.Start(holds, storage, provider: provider);

    public virtual Task InitializeAsync() => Task.CompletedTask;

    public virtual async Task DisposeAsync() => await Engine.DisposeAsync();
}
