using System.Diagnostics;
using TicketBooking.Bench;

namespace TicketBooking.Tests.Support;

/// <summary>
/// TicketBooking.Web as its users deploy it: <c>dotnet publish --no-build</c> of the build the tests run against, once
/// per test run, into a temporary folder deleted when the run ends. A build output started outside Development serves
/// no framework static assets (no blazor.web.js, no MudBlazor), so anything that opens pages in a browser on an app
/// started as its own process needs the published one.
/// </summary>
public static class PublishedApp
{
    private static readonly Lazy<Task<string>> s_folder = new(PublishAsync);

    /// <summary>The published folder (holding TicketBooking.Web.dll).</summary>
    public static Task<string> FolderAsync() => s_folder.Value;

    private static async Task<string> PublishAsync()
    {
        var folder = Path.Combine(Path.GetTempPath(), "ticketbooking-tests", $"published-{Guid.NewGuid():N}");
        var start = new ProcessStartInfo("dotnet",
            ["publish", Path.Combine(AppUnderTest.RepositoryRoot(), "TicketBooking.Web"), "-c", BuiltApp.Configuration, "--no-build", "-o", folder, "--nologo", "-v", "quiet"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var publish = Process.Start(start)!;
        var output = publish.StandardOutput.ReadToEndAsync();
        var errors = publish.StandardError.ReadToEndAsync();
        await publish.WaitForExitAsync();
        if (publish.ExitCode != 0 || !File.Exists(Path.Combine(folder, "TicketBooking.Web.dll")))
        {
            throw new InvalidOperationException($"dotnet publish --no-build failed ({publish.ExitCode}): {await output}{await errors}");
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (IOException)
            {
                // An instance still shutting down; the temp folder is cleaned by the OS eventually.
            }
        };
        return folder;
    }
}
