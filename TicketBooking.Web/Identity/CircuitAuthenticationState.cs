using System.Security.Claims;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Server;

namespace TicketBooking.Web.Identity;

/// <summary>
/// A circuit's user, as the cookie said when the page opened, re-checked while it stays open: if the user is an
/// organizer, every <see cref="Interval"/> the session is looked up again, and once it has ended (signed out in another
/// tab, password changed) the circuit keeps the buyer identity and loses the organizer role.
/// </summary>
internal sealed partial class CircuitAuthenticationState : ServerAuthenticationStateProvider, IDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly OrganizerSession _organizer;
    private readonly TimeProvider _time;
    private readonly ILogger<CircuitAuthenticationState> _logger;
    private readonly CancellationTokenSource _stop = new();
    private int _watching;

    public CircuitAuthenticationState(OrganizerSession organizer, TimeProvider time, ILogger<CircuitAuthenticationState> logger)
    {
        _organizer = organizer;
        _time = time;
        _logger = logger;
        AuthenticationStateChanged += OnChanged;
    }

    private void OnChanged(Task<AuthenticationState> state)
    {
        // Buyers' circuits cost nothing here: only an organizer's circuit is watched.
        if (state.IsCompletedSuccessfully && state.Result.User.IsInRole(OrganizerSession.Role) && Interlocked.Exchange(ref _watching, 1) == 0)
        {
            _ = WatchAsync();
        }
    }

    private async Task WatchAsync()
    {
        var stopping = _stop.Token; // read once: Dispose may dispose the source while a check is under way
        using var timer = new PeriodicTimer(Interval, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stopping))
            {
                try
                {
                    var user = (await GetAuthenticationStateAsync()).User;
                    if (user.IsInRole(OrganizerSession.Role) && !await _organizer.IsValidAsync(user, stopping))
                    {
                        LogRoleDropped();
                        SetAuthenticationState(Task.FromResult(new AuthenticationState(WithoutRole(user))));
                        return;
                    }
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
#pragma warning disable CA1031 // One failed check (the database busy) must not end the watch; the next tick checks again.
                catch (Exception exception)
#pragma warning restore CA1031
                {
                    LogCheckFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    private static ClaimsPrincipal WithoutRole(ClaimsPrincipal user) =>
        user.FindBuyerId() is { } buyer ? BuyerSession.CreatePrincipal(buyer) : new ClaimsPrincipal(new ClaimsIdentity());

    public void Dispose()
    {
        AuthenticationStateChanged -= OnChanged;
        _stop.Cancel();
        _stop.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "An open page lost the organizer role: its session has ended")]
    private partial void LogRoleDropped();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-checking a circuit's organizer session failed")]
    private partial void LogCheckFailed(Exception exception);
}
