using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using TicketBooking.Bench;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;

namespace TicketBooking.Tests.Security;

/// <summary>Buyers keep their identity across restarts and redeploys, and can always find a booking by reference and e-mail.</summary>
public sealed class DataProtectionTests
{
    [Fact]
    public async Task After_a_restart_with_a_different_home_folder_the_old_buyer_cookie_still_lists_its_bookings()
    {
        var database = Directory.CreateTempSubdirectory("ticketbooking-keys-").FullName;
        var firstHome = Directory.CreateTempSubdirectory("ticketbooking-home-").FullName;
        var secondHome = Directory.CreateTempSubdirectory("ticketbooking-home-").FullName;
        try
        {
            string cookie;
            string reference;
            await using (var first = await AppUnderTest.StartAsync(BuiltApp.Configuration, database, environment: new Dictionary<string, string> { ["HOME"] = firstHome }))
            {
                using var api = new TicketApi(first.BaseAddress, 4);
                var concertId = await api.CreateConcertAsync(first.OrganizerPassword, ("VIP", 10_000, 10));
                cookie = await api.NewBuyerAsync();
                (await api.SendAsync(HttpMethod.Post, "/api/holds", TicketApi.HoldJson(concertId, "VIP", 2), cookie)).Status.Should().Be(HttpStatusCode.Created);
                var booked = await api.SendAsync(HttpMethod.Post, "/api/bookings", TicketApi.BookingJson(concertId), cookie, "k1");
                booked.Status.Should().Be(HttpStatusCode.Created);
                reference = JsonNode.Parse(booked.Body)!["reference"]!.GetValue<string>();
            }

            // A new container: same database, a home folder that has never seen the app.
            await using var second = await AppUnderTest.StartAsync(BuiltApp.Configuration, database, environment: new Dictionary<string, string> { ["HOME"] = secondHome });
            using var again = new TicketApi(second.BaseAddress, 4);
            var listed = await again.SendAsync(HttpMethod.Get, "/api/bookings", cookie: cookie);

            listed.Status.Should().Be(HttpStatusCode.OK);
            JsonNode.Parse(listed.Body)!.AsArray().Select(b => b!["reference"]!.GetValue<string>()).Should().Equal(reference);
            Directory.EnumerateFileSystemEntries(secondHome, "*", SearchOption.AllDirectories).Should().NotContain(p => p.Contains("DataProtection", StringComparison.Ordinal), "the keys live in the ticket database");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            foreach (var directory in new[] { database, firstHome, secondHome })
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    [Fact]
    public async Task Find_my_booking_brings_a_booking_into_this_browser_and_a_wrong_email_reveals_nothing()
    {
        await using var app = new TicketBookingApp();
        var concert = await app.CreateConcertAsync(("VIP", 10_000, 10));
        using var lostPhone = ApiBuyer.For(app);
        await lostPhone.HoldAsync(concert.Id, ("VIP", 2));
        var booking = await (await lostPhone.ConfirmAsync(concert.Id, "k1")).ShouldBeAsync<BookingResponse>(HttpStatusCode.Created);
        using var newPhone = ApiBuyer.For(app);
        await newPhone.StartSessionAsync();

        using var wrongEmail = await newPhone.Client.PostAsJsonAsync("/api/bookings/claim", new { reference = booking.Reference, email = "someone@example.com" });
        using var unknown = await newPhone.Client.PostAsJsonAsync("/api/bookings/claim", new { reference = "ZZZZ-9999", email = "ada@example.com" });
        var wrongBody = (await wrongEmail.ShouldBeProblemAsync(HttpStatusCode.NotFound))["detail"]!.GetValue<string>();
        var unknownBody = (await unknown.ShouldBeProblemAsync(HttpStatusCode.NotFound))["detail"]!.GetValue<string>();
        (await newPhone.Client.GetFromJsonAsync<BookingResponse[]>("/api/bookings", ApiBuyer.Json)).Should().BeEmpty();

        using var claimed = await newPhone.Client.PostAsJsonAsync("/api/bookings/claim", new { reference = booking.Reference.ToLowerInvariant().Replace("-", " ", StringComparison.Ordinal), email = "ADA@example.com" });

        wrongBody.Should().Be(unknownBody, "a wrong e-mail and an unknown reference read the same");
        (await claimed.ShouldBeAsync<BookingResponse>(HttpStatusCode.OK)).Id.Should().Be(booking.Id);
        (await newPhone.Client.GetFromJsonAsync<BookingResponse[]>("/api/bookings", ApiBuyer.Json))!.Select(b => b.Id).Should().Equal(booking.Id);
        (await lostPhone.Client.GetFromJsonAsync<BookingResponse[]>("/api/bookings", ApiBuyer.Json))!.Select(b => b.Id).Should().Equal([booking.Id], "the buyer who booked keeps it");
    }

    [Fact]
    public async Task Searching_for_bookings_that_do_not_exist_stops_at_the_limit()
    {
        await using var app = new TicketBookingApp(new Dictionary<string, string?> { ["RateLimits:Enabled"] = "true", ["Limits:ClaimFailuresPerHour"] = "3" });
        using var guesser = ApiBuyer.For(app);
        await guesser.StartSessionAsync();
        var statuses = new List<HttpStatusCode>();
        foreach (var guess in new[] { "AAAA-2222", "AAAA-2223", "AAAA-2224", "AAAA-2225" })
        {
            using var response = await guesser.Client.PostAsJsonAsync("/api/bookings/claim", new { reference = guess, email = "ada@example.com" });
            statuses.Add(response.StatusCode);
        }

        statuses.Should().Equal(HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.NotFound, HttpStatusCode.TooManyRequests);
    }
}
