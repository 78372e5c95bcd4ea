using Microsoft.Playwright;

namespace TicketBooking.Tests.Support;

/// <summary>
/// Debian's Chromium driven by Playwright (never <c>playwright install</c>: there are no downloads here).
/// One browser per test collection; each test opens its own contexts, so cookies never leak between buyers.
/// </summary>
public sealed class Chromium : IAsyncLifetime
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private static readonly string[] LaunchArgs =
    [
        "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    public static bool IsInstalled => File.Exists(ExecutablePath);

    /// <summary>On CI a missing browser is a failure, not a reason to skip.</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    public IBrowser Browser => _browser ?? throw new InvalidOperationException(
        $"Chromium is not available at {ExecutablePath}. Install it with `apt-get install -y chromium` (.ci/run does).");

    public async Task InitializeAsync()
    {
        if (!IsInstalled && !IsCi)
        {
            return;
        }

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = LaunchArgs,
        });
    }

    /// <summary>
    /// A fresh browser profile (its own cookies: its own buyer) on the app at <paramref name="baseUrl"/>.
    /// Dispose it before the app, or the app's shutdown waits for the open circuit.
    /// </summary>
    /// <param name="bypassContentSecurityPolicy">Only for tools injected by the test (axe-core), never to hide the app's own violations.</param>
    /// <param name="colorScheme">The system's light or dark setting, which the app follows.</param>
    /// <param name="phone">
    /// A 390×844 touch screen instead of a 1366×900 desktop. Not Chromium's mobile emulation: that zooms out to fit a page
    /// that is too wide, which would hide the very overflow the phone tests look for.
    /// </param>
    /// <param name="on">Another browser than this fixture's (one from <see cref="LaunchWithCameraAsync"/>).</param>
    public async Task<IBrowserContext> NewBuyerAsync(
        Uri baseUrl, bool bypassContentSecurityPolicy = false, ColorScheme colorScheme = ColorScheme.Light, bool phone = false, IBrowser? on = null)
    {
        var context = await (on ?? Browser).NewContextAsync(new BrowserNewContextOptions
        {
            BypassCSP = bypassContentSecurityPolicy,
            BaseURL = baseUrl.ToString(),
            Locale = "en-US",
            TimezoneId = "America/New_York",
            ColorScheme = colorScheme,
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1366, Height = 900 },
            HasTouch = phone,
        });
        context.SetDefaultTimeout(10_000);
        return context;
    }

    /// <summary>
    /// Another Chromium whose camera shows <paramref name="videoFile"/> (a .y4m, absolute path) and which grants camera
    /// access without asking. Dispose it in the test.
    /// </summary>
    public Task<IBrowser> LaunchWithCameraAsync(string videoFile)
    {
        _ = Browser; // the same "Chromium is missing" message as every browser test
        return _playwright!.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = [.. LaunchArgs, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream", $"--use-file-for-fake-video-capture={Path.GetFullPath(videoFile)}"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class ChromiumTests : ICollectionFixture<Chromium>
{
    public const string Name = "Chromium";
}

/// <summary>A test that needs the real browser: skipped (with the reason) where Chromium is missing, except on CI.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (!Chromium.IsInstalled && !Chromium.IsCi)
        {
            Skip = $"Chromium not found at {Chromium.ExecutablePath}: install it with `apt-get install -y chromium`. With CI=true this test fails instead.";
        }
    }
}

/// <summary>A browser test over several cases: skipped like <see cref="ChromiumFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumTheoryAttribute : TheoryAttribute
{
    public ChromiumTheoryAttribute()
    {
        if (!Chromium.IsInstalled && !Chromium.IsCi)
        {
            Skip = $"Chromium not found at {Chromium.ExecutablePath}: install it with `apt-get install -y chromium`. With CI=true this test fails instead.";
        }
    }
}

/// <summary>Helpers for pages of a Blazor Server app.</summary>
public static class BlazorPage
{
    /// <summary>
    /// Picks <paramref name="quantity"/> tickets of a tier (by its display name) and waits until the server shows the
    /// choice: up to 15 s, as a server that has just started (a cluster's instance) answers its first events slowly.
    /// </summary>
    public static async Task ChooseTicketsAsync(this IPage page, string tierName, int quantity)
    {
        var more = page.GetByRole(AriaRole.Button, new() { Name = $"More {tierName} tickets", Exact = true });
        var field = page.GetByRole(AriaRole.Spinbutton, new() { Name = $"{tierName} tickets", Exact = true });
        for (var i = 1; i <= quantity; i++)
        {
            await more.ClickAsync();
            await Assertions.Expect(field).ToHaveValueAsync(i.ToString(System.Globalization.CultureInfo.InvariantCulture), new() { Timeout = 15_000 });
        }
    }

    /// <summary>Chooses tickets and checks out, arriving on the checkout page with the hold made.</summary>
    public static async Task CheckOutAsync(this IPage page, params (string TierName, int Quantity)[] tickets)
    {
        foreach (var (tierName, quantity) in tickets)
        {
            await page.ChooseTicketsAsync(tierName, quantity);
        }

        await page.GetByRole(AriaRole.Button, new() { Name = "Checkout" }).ClickAsync();
        await page.WaitForPathAsync("/checkout/[^/]+");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await page.GetByRole(AriaRole.Timer).WaitForAsync();
    }

    /// <summary>Chooses <paramref name="option"/> in the MudSelect labelled <paramref name="label"/>: opens its list and picks from it.</summary>
    public static async Task ChooseAsync(this IPage page, string label, string option)
    {
        await page.GetByRole(AriaRole.Combobox, new() { Name = label, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option, Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Combobox, new() { Name = label, Exact = true })).ToHaveTextAsync(option);
    }

    /// <summary>Cancels checkout and confirms in the dialog that the tickets are to be released; back on the concert page.</summary>
    public static async Task CancelCheckoutAsync(this IPage page, Guid concertId)
    {
        await page.GetByRole(AriaRole.Button, new() { Name = "Cancel", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Release tickets" }).ClickAsync();
        await page.WaitForPathAsync($"/concerts/{concertId}");
        await page.Locator("main[data-interactive=true]").WaitForAsync();
    }

    /// <summary>
    /// Waits until the address path matches <paramref name="pathPattern"/> (a regex over the whole path). Blazor navigates
    /// with pushState, which WaitForURLAsync can miss when it raced the page's own load; this polls the address instead.
    /// </summary>
    /// <remarks>
    /// Up to 15 s: the navigation waits on a server round trip (a payment, a booking) that a fully loaded two-core
    /// machine running the rest of the suite can stretch past Playwright's default 5 s.
    /// </remarks>
    public static Task WaitForPathAsync(this IPage page, string pathPattern) =>
        Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"^https?://[^/]+{pathPattern}$"), new() { Timeout = 15_000 });

    /// <summary>A new tab of this buyer on <paramref name="path"/>, once its circuit is up.</summary>
    public static async Task<IPage> OpenAsync(this IBrowserContext buyer, string path)
    {
        var page = await buyer.NewPageAsync();
        await page.GotoInteractiveAsync(path);
        return page;
    }

    /// <summary>Navigates and waits until the circuit is up, so clicks reach the server.</summary>
    public static async Task GotoInteractiveAsync(this IPage page, string path)
    {
        await page.GotoAsync(path);
        await page.Locator("main[data-interactive=true]").WaitForAsync();
    }
}
