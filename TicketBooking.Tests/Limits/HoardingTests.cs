using System.Net;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Limits;

/// <summary>One buyer, or one address with many identities, cannot take a tier away from everybody else.</summary>
public sealed class HoardingTests
{
    [Fact]
    public async Task One_buyer_holds_at_most_the_per_buyer_maximum_counting_what_they_already_bought()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["Limits:MaxTicketsPerBuyer"] = "6" });
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 100));
        using var buyer = ApiBuyer.For(app);

        (await buyer.HoldAsync(concert.Id, ("VIP", 7))).StatusCode.Should().Be(HttpStatusCode.Conflict, "more than six in one go");
        (await buyer.HoldAsync(concert.Id, ("VIP", 4))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await buyer.ConfirmAsync(concert.Id, "first")).StatusCode.Should().Be(HttpStatusCode.Created);
        var third = await buyer.HoldAsync(concert.Id, ("VIP", 3));
        var problem = await third.ShouldBeProblemAsync(HttpStatusCode.Conflict);
        var two = await buyer.HoldAsync(concert.Id, ("VIP", 2));

        problem["title"]!.GetValue<string>().Should().Be("Ticket limit reached.");
        problem["detail"]!.GetValue<string>().Should().Be("You already have 4 VIP tickets; at most 6 per buyer, so you can add 2 more.");
        two.StatusCode.Should().Be(HttpStatusCode.Created);
        (await buyer.AvailabilityAsync(concert.Id)).Tiers.Single().Should().Match<TierAvailabilityResponse>(t => t.Sold == 4 && t.Held == 2);
    }

    [Fact]
    public async Task Releasing_and_re_holding_with_fresh_identities_from_one_address_leaves_real_buyers_able_to_buy()
    {
        // The attack of issue 10: a script on one address takes a new identity for every hold and, before the hard cap,
        // releases and holds again. Rates are generous here, so only the cap on what one address holds is in the way.
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(
            ("Limits:NewBuyersPerMinute", "1000"), ("Limits:HoldsPerMinutePerAddress", "1000"), ("Limits:MaxHeldTicketsPerAddress", "40")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 100));
        const string Attacker = "203.0.113.66";

        var held = new List<ApiBuyer>();
        var refusedAtTheCap = 0;
        for (var round = 0; round < 30; round++)
        {
            if (round % 3 == 2 && held.Count > 0)
            {
                // Let one identity go and come back as a fresh one, as the script did just before the hard cap.
                (await held[0].ReleaseAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.NoContent);
                held[0].Dispose();
                held.RemoveAt(0);
            }

            var identity = new ApiBuyer(app.CreateClientAt(Attacker));
            using var response = await identity.HoldAsync(concert.Id, ("VIP", 10));
            if (response.StatusCode == HttpStatusCode.Created)
            {
                held.Add(identity);
                continue;
            }

            var problem = await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
            problem["limit"]!.GetValue<string>().Should().Be("held-per-address");
            response.Headers.RetryAfter.Should().NotBeNull();
            refusedAtTheCap++;
            identity.Dispose();
        }

        var realBuyers = Enumerable.Range(1, 6).Select(i => new ApiBuyer(app.CreateClientAt($"198.51.100.{i}"))).ToList();
        var bought = new List<HttpStatusCode>();
        foreach (var buyer in realBuyers)
        {
            (await buyer.HoldAsync(concert.Id, ("VIP", 10))).StatusCode.Should().Be(HttpStatusCode.Created);
            bought.Add((await buyer.ConfirmAsync(concert.Id, "pay")).StatusCode);
        }

        held.Count.Should().Be(4, "one address holds at most 40 tickets, whatever identities it uses");
        refusedAtTheCap.Should().BeGreaterThan(0);
        bought.Should().AllBeEquivalentTo(HttpStatusCode.Created);
        (await realBuyers[0].AvailabilityAsync(concert.Id)).Tiers.Single()
            .Should().Match<TierAvailabilityResponse>(t => t.Sold == 60 && t.Held == 40 && t.Available == 0);
        realBuyers.ForEach(b => b.Dispose());
        held.ForEach(b => b.Dispose());
    }
}
