using Microsoft.Playwright;

namespace TicketBooking.Tests.Support;

/// <summary>Pictures of the real app for the README, saved only when SCREENSHOTS_DIR is set.</summary>
public static class Screenshots
{
    public static string? Directory { get; } = Environment.GetEnvironmentVariable("SCREENSHOTS_DIR");

    public static async Task SaveAsync(IPage page, string name)
    {
        if (Directory is null)
        {
            return;
        }

        await page.EvaluateAsync("() => window.scrollTo(0, 0)"); // the app bar is fixed: a full-page picture starts at the top
        await page.ScreenshotAsync(new() { Path = Path.Combine(Directory, $"{name}.png"), FullPage = true });
    }
}
