using System.Net.Http.Json;
using Microsoft.Playwright;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Api;
using static Microsoft.Playwright.Assertions;

namespace TicketBooking.Tests.EndToEnd;

/// <summary>From a booking's QR code on the buyer's screen to the door letting the holder in, once, in real browsers.</summary>
[Collection(ChromiumTests.Name)]
public sealed class DoorTests(Chromium chromium)
{
    [ChromiumFact]
    public async Task The_qr_on_the_booking_page_reads_as_the_tickets_code_and_the_door_camera_admits_it_once()
    {
        await using var app = new TicketBookingApp();
        var url = app.StartKestrel();
        var concert = await app.FirstConcertAsync();
        await using var buyer = await chromium.NewBuyerAsync(url);
        var page = await buyer.OpenAsync($"/concerts/{concert.Id}");
        await page.CheckOutAsync(("VIP", 2));
        await BuyerJourneyTests.PayAsync(page, "4242 4242 4242 4242");
        await page.WaitForPathAsync("/bookings/[^/]+");
        var bookingId = page.Url.Split('/')[^1];
        var tickets = (await (await buyer.APIRequest.GetAsync($"/api/bookings/{bookingId}")).JsonAsync<BookingResponse>(ApiBuyer.Json))!.Tickets;

        // What a scanner reads off the buyer's screen is exactly the ticket's code (once the page has settled: the
        // interactive render replaces the prerendered one, and MudBlazor fades cards in).
        await page.Locator("main[data-interactive=true]").WaitForAsync();
        await page.EvaluateAsync("() => Promise.all(document.getAnimations().map(a => a.finished.catch(() => {})))");
        var shown = await page.Locator("[data-ticket]").First.Locator(".ticket-qr").ScreenshotAsync();
        for (var look = 1; look < 5 && QrImages.Decode(shown) is null; look++)
        {
            // As a scanner looks again: a frame caught while the page repainted can read as nothing (seen once on CI).
            await page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");
            shown = await page.Locator("[data-ticket]").First.Locator(".ticket-qr").ScreenshotAsync();
        }

        if (QrImages.Decode(shown) is null)
        {
            await File.WriteAllBytesAsync(Path.Combine(Path.GetTempPath(), "unreadable-ticket-qr.png"), shown);
        }

        QrImages.Decode(shown).Should().Be(tickets[0].Code, "the picture is kept in the temp folder as unreadable-ticket-qr.png when it is not");

        var feed = Path.Combine(app.Database.Directory, "camera.y4m");
        QrImages.WriteCameraFeed(tickets[0].Code, feed);
        await using var cameraBrowser = await chromium.LaunchWithCameraAsync(feed);
        await using var doorContext = await chromium.NewBuyerAsync(url, phone: true, on: cameraBrowser);
        var door = await doorContext.NewPageAsync();
        await OrganizerTests.SignInAsync(door);
        await door.GotoInteractiveAsync($"/organizer/concerts/{concert.Id}/door");
        var result = door.GetByTestId("door-result");

        await door.GetByRole(AriaRole.Button, new() { Name = "Scan with camera" }).ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-state", "admitted");
        await Expect(result).ToContainTextAsync("VIP · Ada Lovelace");
        await Screenshots.SaveAsync(door, "door-admitted-phone");
        await door.GetByRole(AriaRole.Button, new() { Name = "Scan next ticket" }).ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-state", "refused");
        await Expect(result).ToContainTextAsync("Already admitted");
        await Expect(result).ToContainTextAsync("at Door 1");
        await Screenshots.SaveAsync(door, "door-already-admitted-phone");

        // The typed path, for a ticket whose QR will not scan.
        await door.GetByLabel("Ticket code").FillAsync(TicketBooking.Core.Tickets.TicketCode.Display(tickets[1].Code));
        await door.GetByRole(AriaRole.Button, new() { Name = "Check ticket" }).ClickAsync();
        await Expect(result).ToHaveAttributeAsync("data-state", "admitted");
        await Expect(door.GetByTestId("admitted-VIP")).ToHaveTextAsync("2");
        await page.ReloadAsync();
        await Expect(page.Locator("[data-ticket]").First).ToContainTextAsync("Admitted");
    }
}
