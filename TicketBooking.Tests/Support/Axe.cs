using System.Text.Json;
using Microsoft.Playwright;

namespace TicketBooking.Tests.Support;

/// <summary>Runs axe-core (restored from npm by the test project's build) inside a page.</summary>
public static class Axe
{
    private static readonly Lazy<string> Script = new(() => File.ReadAllText(FindScript()));

    /// <summary>One rule broken, with the first few elements that break it (CSS selectors), so a failure says where.</summary>
    public sealed record Violation(string Id, string Impact, string Help, int Nodes, string Where);

    /// <summary>The page's serious and critical accessibility violations.</summary>
    public static async Task<IReadOnlyList<Violation>> SeriousViolationsAsync(IPage page)
    {
        await page.AddScriptTagAsync(new() { Content = Script.Value });
        var json = await page.EvaluateAsync<JsonElement>("""
            async () => {
                const result = await axe.run(document, { resultTypes: ["violations"] });
                return result.violations.map(v => ({
                    id: v.id, impact: v.impact ?? "", help: v.help, nodes: v.nodes.length,
                    where: v.nodes.slice(0, 3).map(n => n.target.join(" ") + ": " + (n.failureSummary ?? "").replace(/\s+/g, " ")).join(" | "),
                }));
            }
            """);
        return [.. json.EnumerateArray()
            .Select(v => new Violation(
                v.GetProperty("id").GetString()!, v.GetProperty("impact").GetString()!, v.GetProperty("help").GetString()!,
                v.GetProperty("nodes").GetInt32(), v.GetProperty("where").GetString()!))
            .Where(v => v.Impact is "serious" or "critical")];
    }

    private static string FindScript()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "TicketBooking.Tests", "node_modules", "axe-core", "axe.min.js");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("axe-core is missing: run `npm ci` in TicketBooking.Tests (the build does this when npm is installed).");
    }
}
