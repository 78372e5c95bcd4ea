using Bunit;
using TicketBooking.Core;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Layout;
using TicketBooking.Web.Components.Pages.Organizer;

namespace TicketBooking.Tests.Components.Organizer;

public sealed class OrganizerPagesTests : ComponentTest
{
    public OrganizerPagesTests() => SignInAs(Buyer, organizer: true);

    [Fact]
    public void The_sign_in_form_posts_to_the_server_and_explains_a_wrong_password()
    {
        Navigation.NavigateTo("organizer/sign-in?failed=true&returnUrl=%2Forganizer%2Fconcerts%2Fnew");

        var cut = Render<SignInPage>();

        cut.Find("[role=alert]").TextContent.Should().Be("That password is not correct.");
        var form = cut.Find("form");
        (form.GetAttribute("method"), form.GetAttribute("action")).Should().Be(("post", "organizer/sign-in"));
        cut.Find("input[name=returnUrl]").GetAttribute("value").Should().Be("/organizer/concerts/new");
        cut.Find("label[for=organizer-password]").TextContent.Should().Be("Password");
    }

    [Fact]
    public async Task The_home_lists_concerts_with_their_live_totals()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10));
        var cut = Render<OrganizerHome>();
        cut.WaitForAssertion(() => cut.Find("tbody tr").TextContent.Should().Contain("Test Artist").And.Contain("10 of 10"));
        var rows = RowsOf(cut);

        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 4)));

        cut.WaitForAssertion(() => cut.Find("tbody tr").TextContent.Should().Contain("6 of 10"));
        RowsOf(cut).Should().Equal(rows, ReferenceEquals, "a sale redraws the row (and keeps focus on its link); it does not rebuild it");
    }

    /// <summary>The table's row components: the same instances after a change means the rows were redrawn in place.</summary>
    private static List<object> RowsOf<TPage>(IRenderedComponent<TPage> cut)
        where TPage : class, Microsoft.AspNetCore.Components.IComponent =>
        [.. cut.FindComponents<MudBlazor.MudTr>().Select(r => (object)r.Instance)];

    [Fact]
    public async Task Creating_a_concert_validates_each_field_and_then_opens_its_dashboard()
    {
        var cut = Render<NewConcertPage>();
        cut.Find("#concert-artist").Change("");
        await cut.Find("form").SubmitAsync();
        FieldErrors().Should().Contain(["Enter the artist.", "Enter the concert name.", "Enter the start date and time."]);

        cut.Find("#concert-artist").Change("New Artist");
        cut.Find("#concert-name").Change("Debut");
        cut.Find("#concert-venue").Change("Club");
        cut.Find("#concert-city").Change("Lisbon");
        cut.Find("#concert-zone").Change("Europe/Lisbon");
        cut.Find("#concert-starts").Change(Engine.Time.GetUtcNow().AddDays(20).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await cut.Find("form").SubmitAsync();

        var created = (await Engine.Catalog.ListAsync()).Should().ContainSingle(c => c.Artist == "New Artist").Subject;
        created.Tiers.Select(t => (t.Code, t.PriceCents, t.Capacity)).Should().Equal(("VIP", 10_000L, 100), ("FRONT_ROW", 5_000L, 200), ("GA", 1_000L, 1_000));
        Navigation.Uri.Should().EndWith($"/organizer/concerts/{created.Id}");
    }

    [Fact]
    public async Task An_on_sale_time_schedules_the_sale_and_one_after_the_start_is_refused_at_the_field()
    {
        var cut = Render<NewConcertPage>();
        var starts = Engine.Time.GetUtcNow().AddDays(20);
        cut.Find("#concert-artist").Change("Scheduled Artist");
        cut.Find("#concert-name").Change("Big Night");
        cut.Find("#concert-venue").Change("Arena");
        cut.Find("#concert-city").Change("London");
        cut.Find("#concert-zone").Change("Europe/London");
        cut.Find("#concert-starts").Change(starts.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        cut.Find("#concert-onsale").Change(starts.AddDays(1).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await cut.Find("form").SubmitAsync();
        FieldErrors().Should().Contain("Tickets must go on sale before the concert starts.");
        (await Engine.Catalog.ListAsync()).Should().BeEmpty();

        var onSale = new DateTimeOffset(Engine.Time.GetUtcNow().AddDays(2).UtcDateTime.Date.AddHours(10), TimeSpan.Zero); // London is on UTC in January
        cut.Find("#concert-onsale").Change(onSale.ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await cut.Find("form").SubmitAsync();

        (await Engine.Catalog.ListAsync()).Should().ContainSingle().Which.OnSaleAt.Should().Be(onSale);
    }

    [Fact]
    public async Task A_concert_in_the_past_is_refused_with_the_engines_message()
    {
        var cut = Render<NewConcertPage>();
        cut.Find("#concert-artist").Change("Late Artist");
        cut.Find("#concert-name").Change("Yesterday");
        cut.Find("#concert-venue").Change("Club");
        cut.Find("#concert-city").Change("Lisbon");
        cut.Find("#concert-starts").Change(Engine.Time.GetUtcNow().AddDays(-2).ToString("yyyy-MM-ddTHH:mm", System.Globalization.CultureInfo.InvariantCulture));

        await cut.Find("form").SubmitAsync();

        FieldErrors().Should().Contain("The concert must start in the future.");
        (await Engine.Catalog.ListAsync(includePast: true)).Should().BeEmpty();
    }

    [Fact]
    public async Task The_dashboard_moves_when_buyers_hold_and_buy_and_capacity_cannot_go_below_sold_plus_held()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        var cut = Render<ManageConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=held-VIP]").TextContent.Should().Be("0"));
        var rows = RowsOf(cut);

        var buyer = BuyerId.New();
        await Engine.Holds.PlaceAsync(buyer, TestEngine.Request(concert.Id, ("VIP", 3)));
        cut.WaitForAssertion(() => cut.Find("[data-testid=held-VIP]").TextContent.Should().Be("3"));
        cut.Find("[data-testid=available-VIP]").TextContent.Should().Be("7");
        RowsOf(cut).Should().Equal(rows, ReferenceEquals, "a sale redraws the rows; it does not rebuild them");

        cut.Find("#capacity-value").Change("2");
        await cut.FindAll("form")[0].SubmitAsync();
        cut.Find("[data-testid=tier-edit-message][role=alert]").TextContent.Should().Contain("cannot go below 3");

        cut.Find("#capacity-value").Change("25");
        await cut.FindAll("form")[0].SubmitAsync();
        cut.WaitForAssertion(() => cut.Find("[data-testid=capacity-VIP]").TextContent.Should().Be("25"));
    }

    [Fact]
    public async Task The_dashboard_shows_each_waiting_line_offers_out_and_offers_paid_live()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 3));
        var seller = BuyerId.New();
        await Engine.Holds.PlaceAsync(seller, TestEngine.Request(concert.Id, ("GA", 3)));
        var fans = Enumerable.Range(0, 3).Select(_ => BuyerId.New()).ToList();
        foreach (var (fan, quantity) in fans.Zip([2, 2, 4]))
        {
            await Engine.Waitlist.JoinAsync(fan, new TicketBooking.Core.Waitlist.JoinRequest(concert.Id, "GA", quantity, "fan@example.com"));
        }

        var cut = Render<ManageConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("[data-testid=waiting-GA]").TextContent.Should().Be("3 people · 8 tickets"));

        await Engine.Holds.ReleaseAsync(seller, concert.Id);

        cut.WaitForAssertion(() => cut.Find("[data-testid=waiting-GA]").TextContent.Should().Be("2 people · 6 tickets"));
        cut.Find("[data-testid=offers-GA]").TextContent.Should().Be("1 · 2 tickets");
        cut.Markup.Should().Contain("1 set aside for them");
        await BookAsync(fans[0], concert.Id, "Fan One", ("GA", 2));
        cut.WaitForAssertion(() => cut.Find("[data-testid=converted-GA]").TextContent.Should().Be("1 paid · 2 tickets"));
    }

    [Fact]
    public async Task A_tier_can_be_renamed_and_repriced_and_buyers_see_it()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        var cut = Render<ManageConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElement("#edit-tier");
        await ChooseAsync("Tier", "GA");
        cut.Find("#edit-tier-name").GetAttribute("value").Should().Be("GA");

        cut.Find("#edit-tier-name").Change("Standing");
        cut.Find("#edit-tier-price").Change("12.50");
        await cut.FindAll("form")[0].SubmitAsync();

        cut.Find("[data-testid=tier-edit-message][role=status]").TextContent.Trim().Should().Be("Standing saved: $12.50, 100 seats.");
        (await Engine.Catalog.GetAsync(concert.Id))!.Tier("GA").Should().Match<TicketBooking.Core.Concerts.Tier>(t => t.Name == "Standing" && t.PriceCents == 1_250);
    }

    [Fact]
    public void The_menu_offers_organizer_pages_only_to_organizers()
    {
        var organizerMenu = Render<NavMenu>();
        organizerMenu.Markup.Should().Contain("Sign out").And.Contain("href=\"organizer\"");

        SignInAs(BuyerId.New());
        Authorization.SetRoles();
        Authorization.SetPolicies();
        var buyerMenu = Render<NavMenu>();

        buyerMenu.Markup.Should().Contain("Organizer sign-in").And.NotContain("Sign out");
    }
}
