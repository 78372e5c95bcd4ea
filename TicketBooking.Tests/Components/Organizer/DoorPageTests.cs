using Bunit;
using Microsoft.Extensions.DependencyInjection;
using TicketBooking.Core;
using TicketBooking.Core.Bookings;
using TicketBooking.Core.Tickets;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Organizer;

namespace TicketBooking.Tests.Components.Organizer;

public sealed class DoorPageTests : ComponentTest
{
    public DoorPageTests() => SignInAs(Buyer, organizer: true);

    private async Task<(TicketBooking.Core.Concerts.Concert Concert, Booking Booking)> SoldAsync(int quantity)
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        return (concert, await BookAsync(BuyerId.New(), concert.Id, "Grace Hopper", ("GA", quantity)));
    }

    private static async Task TypeAsync(IRenderedComponent<DoorPage> cut, string code)
    {
        cut.Find("#door-code").Input(code);
        await cut.Find("form").SubmitAsync();
    }

    [Fact]
    public async Task A_typed_code_admits_once_then_says_when_and_where_and_the_count_moves()
    {
        var (concert, booking) = await SoldAsync(2);
        var cut = Render<DoorPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=door-result]").GetAttribute("data-state").Should().Be("idle"));
        cut.Find("[data-testid=admitted-GA]").TextContent.Should().Be("0");
        cut.Find("#door-name").Change("East gate");

        await TypeAsync(cut, booking.Tickets[0].DisplayCode.ToLowerInvariant());
        var admitted = cut.Find("[data-testid=door-result]");
        admitted.GetAttribute("data-state").Should().Be("admitted");
        admitted.TextContent.Should().Contain("Admitted").And.Contain("GA · Grace Hopper");
        cut.Find("[data-testid=admitted-GA]").TextContent.Should().Be("1");

        await TypeAsync(cut, booking.Tickets[0].Code);
        var again = cut.Find("[data-testid=door-result]");
        again.GetAttribute("data-state").Should().Be("refused");
        again.TextContent.Should().Contain("Already admitted").And.Contain("at East gate");
        cut.Find("[data-testid=admitted-GA]").TextContent.Should().Be("1");
    }

    [Fact]
    public async Task Unknown_codes_and_another_concerts_tickets_are_refused_with_the_reason_and_admit_nobody()
    {
        var (concert, _) = await SoldAsync(1);
        var (other, elsewhere) = await SoldAsync(1);
        var cut = Render<DoorPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElement("#door-code");

        await TypeAsync(cut, TicketCode.New());
        cut.Find("[data-testid=door-result]").TextContent.Should().Contain("Unknown code");
        await TypeAsync(cut, "not a code");
        cut.Find("[data-testid=door-result]").TextContent.Should().Contain("Unknown code");
        await TypeAsync(cut, elsewhere.Tickets[0].Code);
        cut.Find("[data-testid=door-result]").TextContent.Should().Contain("Wrong concert").And.Contain(elsewhere.Concert.Artist);

        (await Services.GetRequiredService<CheckInService>().GetAdmissionsAsync(other.Id)).Single(t => t.Tier == "GA").Admitted.Should().Be(0,
            "a ticket for another concert stays valid for its own door");
    }
}
