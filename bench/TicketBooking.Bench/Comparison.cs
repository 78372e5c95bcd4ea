using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace TicketBooking.Bench;

/// <summary>
/// <c>bench -- compare</c>: the regression guard. Runs the quick scenarios and sets each median beside the one recorded in
/// <c>bench/results/latest.md</c> (or <c>--against FILE</c>), flagging every rate that dropped by more than 15 % (and then
/// failing). Times and memory that rose by more than 15 % are marked "slower"/"more" without failing: the tails of the short
/// scenarios (onsale lasts a quarter of a second) move by that much between two runs of one build on this VM. Counts are
/// shown but not judged (the checks judge them).
/// </summary>
internal static partial class Comparison
{
    public const double Tolerance = 0.15;

    public static readonly string[] Scenarios = ["baseline", "onsale", "holds", "confirm"];

    public static (string Table, bool Regressed) Render(Dictionary<string, List<RunResult>> results, Func<IEnumerable<double>, double> median, string reference)
    {
        var recorded = Parse(reference);
        var text = new StringBuilder($"## Compared with the recorded figures (a rate down by more than {Tolerance:0 %} is flagged)\n\n");
        text.AppendLine("| scenario | figure | recorded | now | change | |").AppendLine("|---|---|---:|---:|---:|---|");
        var regressed = false;
        foreach (var (scenario, runs) in results)
        {
            foreach (var (name, _, unit) in runs[0].Figures)
            {
                if (!recorded.TryGetValue((scenario, name), out var before))
                {
                    continue;
                }

                var now = median(runs.Select(r => r.Figures.First(f => f.Name == name).Value));
                var change = before == 0 ? 0 : (now / before) - 1;
                var worse = Better(unit) switch
                {
                    Direction.Higher => -change,
                    Direction.Lower => change,
                    _ => 0,
                };
                var dropped = Better(unit) == Direction.Higher && worse > Tolerance;
                regressed |= dropped;
                var verdict = dropped ? "**dropped**"
                    : Better(unit) == Direction.None ? ""
                    : worse > Tolerance ? (unit is "MB" or "KB" ? "more" : "slower")
                    : worse < -Tolerance ? "better" : "ok";
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {scenario} | {name} | {before:#,0.##} | {now:#,0.##} | {change:+0.0 %;-0.0 %;0.0 %} | {verdict} |");
            }
        }

        return (text.ToString(), regressed);
    }

    private enum Direction
    {
        None,
        Higher,
        Lower,
    }

    private static Direction Better(string unit) => unit switch
    {
        "/s" or "req/s" => Direction.Higher,
        "ms" or "s" or "MB" or "KB" => Direction.Lower,
        _ => Direction.None,
    };

    /// <summary>The medians of a report the bench wrote: scenario heading, then <c>| figure | median | runs |</c> rows.</summary>
    internal static Dictionary<(string Scenario, string Figure), double> Parse(string report)
    {
        var figures = new Dictionary<(string, string), double>();
        string? scenario = null;
        foreach (var line in report.Split('\n'))
        {
            if (line.StartsWith("## ", StringComparison.Ordinal))
            {
                scenario = line[3..].Trim();
            }
            else if (scenario is not null && line.StartsWith("| ", StringComparison.Ordinal) && line.Split('|') is [_, var name, var value, _, ..]
                && !name.Trim().StartsWith("check:", StringComparison.Ordinal) && Number().Match(value.Trim()) is { Success: true } number)
            {
                figures[(scenario, name.Trim())] = double.Parse(number.Value.Replace(",", "", StringComparison.Ordinal), CultureInfo.InvariantCulture);
            }
        }

        return figures;
    }

    [GeneratedRegex(@"^-?[\d,]+(\.\d+)?")]
    private static partial Regex Number();
}
