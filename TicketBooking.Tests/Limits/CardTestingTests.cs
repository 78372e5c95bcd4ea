using System.Net;
using TicketBooking.Core.Payments;
using TicketBooking.Tests.Support;

namespace TicketBooking.Tests.Limits;

/// <summary>Card testing: many cards tried through one site. Failures are capped per address and buyer, and say nothing useful.</summary>
public sealed class CardTestingTests
{
    private const string InsufficientFunds = "4000 0000 0000 9995";

    [Fact]
    public async Task Card_testing_from_one_address_stops_at_the_limit_and_no_answer_tells_why_a_card_failed()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(("Limits:PaymentFailuresPerHour", "4")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 100));
        var gateway = app.GetService<SimulatedPaymentGateway>();
        var answers = new List<(HttpStatusCode Status, string Body, string? RetryAfter)>();

        // A fresh identity and checkout per card, as a card tester spreads them.
        for (var i = 0; i < 6; i++)
        {
            using var tester = new ApiBuyer(app.CreateClientAt("203.0.113.77"));
            (await tester.HoldAsync(concert.Id, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
            using var response = await tester.ConfirmAsync(concert.Id, $"try-{i}", i % 2 == 0 ? ApiBuyer.DeclinedCard : InsufficientFunds);
            answers.Add((response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.RetryAfter?.ToString()));
        }

        using var someoneElse = new ApiBuyer(app.CreateClientAt("198.51.100.5"));
        await someoneElse.HoldAsync(concert.Id, ("GA", 1));
        using var unaffected = await someoneElse.ConfirmAsync(concert.Id, "mine");

        answers.Take(4).Should().AllSatisfy(a => a.Status.Should().Be(HttpStatusCode.PaymentRequired));
        answers.Take(4).Select(a => System.Text.Json.Nodes.JsonNode.Parse(a.Body)!["detail"]!.GetValue<string>()).Distinct()
            .Should().ContainSingle("declined and insufficient funds read exactly the same");
        answers[0].Body.Should().Contain("declined").And.NotContainAny("insufficient", "reason", "Declined\"");
        answers.Skip(4).Should().AllSatisfy(a =>
        {
            a.Status.Should().Be(HttpStatusCode.TooManyRequests);
            a.RetryAfter.Should().NotBeNull();
        });
        gateway.Attempts.Should().Be(5, "the two refused attempts never reached the card processor; the other buyer's did");
        unaffected.StatusCode.Should().Be(HttpStatusCode.Created);
    }

    [Fact]
    public async Task Concurrent_attempts_cannot_overrun_the_failure_budget()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(
            ("Limits:PaymentFailuresPerHour", "5"), ("Limits:NewBuyersPerMinute", "1000"), ("Limits:HoldsPerMinutePerAddress", "1000")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 1_000));
        var testers = Enumerable.Range(0, 40).Select(_ => new ApiBuyer(app.CreateClientAt("203.0.113.78"))).ToList();
        foreach (var tester in testers)
        {
            (await tester.HoldAsync(concert.Id, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        using var start = new ManualResetEventSlim();
        var attempts = testers.Select((tester, i) => Task.Run(async () =>
        {
            start.Wait();
            using var response = await tester.ConfirmAsync(concert.Id, $"at-once-{i}", ApiBuyer.DeclinedCard);
            return response.StatusCode;
        })).ToList();
        start.Set();
        var statuses = await Task.WhenAll(attempts);

        statuses.Count(s => s == HttpStatusCode.PaymentRequired).Should().Be(5);
        statuses.Count(s => s == HttpStatusCode.TooManyRequests).Should().Be(35);
        app.GetService<SimulatedPaymentGateway>().Attempts.Should().Be(5);
        testers.ForEach(t => t.Dispose());
    }
}
