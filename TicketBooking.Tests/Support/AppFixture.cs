namespace TicketBooking.Tests.Support;

/// <summary>One app (own database, rate limits off) shared by the tests of one class; each test makes its own concerts.</summary>
public sealed class AppFixture : IAsyncLifetime
{
    public TicketBookingApp App { get; } = new();

    public Task InitializeAsync()
    {
        _ = App.Services;
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await App.DisposeAsync();
}
