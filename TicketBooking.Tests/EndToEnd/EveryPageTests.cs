using Microsoft.Playwright;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>
/// Every page (<see cref="PageTour"/>) on a desktop and a 390×844 phone, in light and dark: no serious or critical axe-core
/// violation, nothing wider than the screen, no browser errors. With SCREENSHOTS_DIR set it also saves the README's pictures.
/// </summary>
[Collection(ChromiumTests.Name)]
public sealed class EveryPageTests(Chromium chromium)
{
    // The pictures the README shows, per screen and scheme.
    private static readonly HashSet<string> Pictured = ["busy", "concerts", "concert", "seat-map", "waitlist", "waitlist-offer", "onsale", "waiting-room-early", "waiting-room", "onsale-turn", "checkout", "confirmation", "my-bookings", "organizer-dashboard"];

    [ChromiumTheory]
    [InlineData(ColorScheme.Light, false)]
    [InlineData(ColorScheme.Dark, false)]
    [InlineData(ColorScheme.Light, true)]
    [InlineData(ColorScheme.Dark, true)]
    public async Task Every_page_is_accessible_fits_the_screen_and_logs_no_errors(ColorScheme scheme, bool phone)
    {
        // One buyer shopping at a time, so the tour's waiting room shows people ahead.
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["WaitingRoom:MaxActiveBuyers"] = "1" });
        var url = app.StartKestrel();
        await using var browser = await chromium.NewBuyerAsync(url, bypassContentSecurityPolicy: true, scheme, phone); // axe is injected inline
        var errors = new List<string>();
        var violations = new List<string>();
        var tooWide = new List<string>();
        var visited = new List<string>();

        await PageTour.WalkAsync(browser, app, scheme, async (page, name) =>
        {
            if (visited.Count == 0)
            {
                page.Console += (_, m) =>
                {
                    // The one expected error: the browser reports the not-found page's own 404 status.
                    if (m.Type == "error" && !m.Location.Contains(PageTour.MissingPage, StringComparison.Ordinal))
                    {
                        errors.Add(m.Text);
                    }
                };
            }

            visited.Add(name);
            violations.AddRange((await Axe.SeriousViolationsAsync(page)).Select(v => $"{name}: {v.Id} ({v.Impact}) {v.Help} — {v.Where}"));
            var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, innerWidth]");
            widths[1].Should().Be(phone ? 390 : 1366);
            if (widths[0] > widths[1])
            {
                tooWide.Add($"{name}: {widths[0]} px on a {widths[1]} px screen");
            }

            if (Pictured.Contains(name))
            {
                await Screenshots.SaveAsync(page, $"{name}-{(phone ? "phone" : "desktop")}-{scheme.ToString().ToLowerInvariant()}");
            }
        });

        visited.Should().HaveCount(25, "the tour reaches every page");
        violations.Should().BeEmpty();
        tooWide.Should().BeEmpty();
        errors.Should().BeEmpty();
    }

    [ChromiumFact]
    public async Task The_checks_themselves_can_fail()
    {
        await using var app = new TicketBookingApp();
        await using var browser = await chromium.NewBuyerAsync(app.StartKestrel(), bypassContentSecurityPolicy: true, phone: true);
        var page = await browser.NewPageAsync();

        await page.SetContentAsync("<html lang=\"en\"><head><meta name=\"viewport\" content=\"width=device-width\"></head><body><main><button></button><div style=\"width: 600px\">wide</div></main></body></html>");

        (await Axe.SeriousViolationsAsync(page)).Should().Contain(v => v.Id == "button-name");
        (await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth")).Should().BeGreaterThan(await page.EvaluateAsync<int>("() => innerWidth"));
    }
}
