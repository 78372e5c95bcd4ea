using TicketBooking.Bench;

namespace TicketBooking.Tests.Bench;

/// <summary>The regression guard reads the recorded report and flags a rate that dropped, not noise in a tail.</summary>
public sealed class ComparisonTests
{
    private const string Recorded = """
        # TicketBooking benchmark

        ## holds

        | figure | median | runs |
        |---|---:|---|
        | decisions/s | 10,000 /s | 10,000 /s · 9,000 /s |
        | hold p99 | 40.0 ms | 40.0 ms · 41.0 ms |
        | attempts | 100,000 | 100,000 |
        | check: 0 errors | ✅ passed | 0 errors |

        ## holds (pinned)

        | figure | median | runs |
        |---|---:|---|
        | decisions/s | 4,000 /s | 4,000 /s |
        """;

    [Fact]
    public void The_recorded_medians_are_read_per_scenario_and_figure_and_checks_are_left_out()
    {
        var figures = Comparison.Parse(Recorded);

        figures[("holds", "decisions/s")].Should().Be(10_000);
        figures[("holds", "hold p99")].Should().Be(40.0);
        figures[("holds (pinned)", "decisions/s")].Should().Be(4_000);
        figures.Keys.Should().NotContain(k => k.Figure.StartsWith("check:", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(8_400, 60.0, true, "**dropped**")] // the rate fell 16 %: flagged, whatever the tail did
    [InlineData(8_600, 60.0, false, "ok")] // the rate fell 14 %, the tail rose 50 %: marked slower, not failed
    [InlineData(12_000, 30.0, false, "better")]
    public void A_rate_down_by_more_than_fifteen_percent_fails_the_comparison_and_a_slower_tail_does_not(double decisions, double p99, bool regressed, string verdict)
    {
        var now = new Dictionary<string, List<RunResult>>
        {
            ["holds"] = [new RunResult().Figure("decisions/s", decisions, "/s").Figure("hold p99", p99, "ms").Figure("attempts", 1, "")],
        };

        var (table, flagged) = Comparison.Render(now, values => values.Single(), Recorded);

        flagged.Should().Be(regressed);
        var rows = table.Split('\n');
        rows.Single(r => r.StartsWith("| holds | decisions/s |", StringComparison.Ordinal)).Should().EndWith($"| {verdict} |");
        rows.Single(r => r.StartsWith("| holds | hold p99 |", StringComparison.Ordinal)).Should().EndWith(p99 > 40 * 1.15 ? "| slower |" : "| better |");
        rows.Single(r => r.StartsWith("| holds | attempts |", StringComparison.Ordinal)).Should().EndWith("|  |", "counts are shown, not judged");
    }
}
