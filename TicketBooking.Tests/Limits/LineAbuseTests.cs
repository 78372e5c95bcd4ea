using System.Net;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Limits;

/// <summary>
/// The waiting list and the waiting room against scripts over real HTTP (issue 34): sign-ups limited per address and per
/// e-mail, places in a room limited per address, each client on its own address.
/// </summary>
public sealed class LineAbuseTests
{
    [Fact]
    public async Task Waiting_list_sign_ups_are_limited_per_address_and_per_email_address()
    {
        // Finding 7 of issue 34: 25 addresses made 3,000 entries (3,000 e-mails) on a one-ticket tier.
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(
            ("Limits:NewBuyersPerMinute", "1000"), ("Limits:HoldsPerMinutePerAddress", "1000"),
            ("Limits:WaitlistJoinsPerHourPerAddress", "30"), ("Limits:WaitlistJoinsPerHourPerEmail", "10")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(("GA", 1_000, 1));
        using (var holder = new ApiBuyer(app.CreateClientAt("198.51.100.1")))
        {
            (await holder.HoldAsync(concert.Id, ("GA", 1))).StatusCode.Should().Be(HttpStatusCode.Created);
        }

        var fromOneAddress = new List<HttpStatusCode>();
        for (var i = 0; i < 31; i++)
        {
            using var identity = new ApiBuyer(app.CreateClientAt("203.0.113.9"));
            using var response = await identity.JoinWaitlistAsync(concert.Id, "GA", 1, $"script{i}@example.com");
            fromOneAddress.Add(response.StatusCode);
            if (i == 30)
            {
                (await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests))["limit"]!.GetValue<string>().Should().Be("waitlist-joins-per-address");
            }
        }

        var toOneInbox = new List<HttpStatusCode>();
        for (var i = 0; i < 11; i++)
        {
            using var identity = new ApiBuyer(app.CreateClientAt($"192.0.2.{i + 1}"));
            using var response = await identity.JoinWaitlistAsync(concert.Id, "GA", 1, i % 2 == 0 ? "victim@example.com" : "VICTIM@example.com ");
            toOneInbox.Add(response.StatusCode);
            if (i == 10)
            {
                var problem = await response.ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
                problem["limit"]!.GetValue<string>().Should().Be("waitlist-joins-per-email");
                problem["detail"]!.GetValue<string>().Should().NotContain("victim", "the address is never echoed or logged");
            }
        }

        fromOneAddress.Take(30).Should().AllBeEquivalentTo(HttpStatusCode.Created);
        toOneInbox.Take(10).Should().AllBeEquivalentTo(HttpStatusCode.Created);
        (await ScalarAsync(app, "SELECT COUNT(*) FROM waitlist")).Should().Be(40);
        (await ScalarAsync(app, "SELECT COUNT(*) FROM outbox WHERE kind = 'waitlist-joined'")).Should().Be(31, "one e-mail per address within the hour: 30 scripts' and the victim's one");
        app.Log.Entries.Should().NotContain(e => e.Message.Contains("victim", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_address_gets_four_places_in_a_waiting_room_and_the_fifth_is_told_why()
    {
        await using var app = new TicketBookingApp(TicketBookingApp.LimitsBehindProxy(("Limits:NewBuyersPerMinute", "1000"), ("Limits:HoldsPerMinutePerAddress", "1000")));
        app.StartKestrel();
        var concert = await app.CreateConcertAsync(app.GetService<TimeProvider>().GetUtcNow().AddMinutes(10), ("GA", 1_000, 100));

        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 5; i++)
        {
            using var identity = new ApiBuyer(app.CreateClientAt("203.0.113.50"));
            answers.Add(await identity.JoinQueueAsync(concert.Id));
        }

        using var neighbour = new ApiBuyer(app.CreateClientAt("203.0.113.51"));
        answers.Take(4).Select(a => a.StatusCode).Should().AllBeEquivalentTo(HttpStatusCode.OK);
        var problem = await answers[4].ShouldBeProblemAsync(HttpStatusCode.TooManyRequests);
        problem["limit"]!.GetValue<string>().Should().Be("places-per-address");
        problem["detail"]!.GetValue<string>().Should().StartWith("4 people from your network are already in line");
        (await neighbour.JoinQueueAsync(concert.Id)).StatusCode.Should().Be(HttpStatusCode.OK, "the cap is per address");
        answers.ForEach(a => a.Dispose());
    }

    private static async Task<long> ScalarAsync(TicketBookingApp app, string sql)
    {
        await using var connection = await app.Database.NewConnectionFactory(TimeSpan.FromSeconds(5)).OpenAsync();
        return await Dapper.SqlMapper.ExecuteScalarAsync<long>(connection, sql);
    }
}
