using Bunit;
using TicketBooking.Core;
using TicketBooking.Core.Concerts;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages.Concerts;

namespace TicketBooking.Tests.Components.Concerts;

public sealed class ConcertListTests : ComponentTest
{
    [Fact]
    public async Task Cards_show_artist_venue_venue_time_and_the_lowest_price_with_tickets_left()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 2));
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("GA", 2)));

        var cut = Render<ConcertList>();

        var card = cut.WaitForElement(".concert-card");
        card.QuerySelector("h2")!.TextContent.Trim().Should().Be("Test Artist");
        card.TextContent.Should().Contain("Test Hall, Testville").And.Contain("(Testville time)");
        card.TextContent.Should().Contain("from $100.00", "GA is sold out, so the lowest price on sale is VIP's");
        cut.Find("[role=status]").TextContent.Should().Be("1 of 1 concerts");
        card.QuerySelector("a[href$='" + concert.Id + "'].mud-button-root")!.TextContent.Should().Be("Tickets");
    }

    [Fact]
    public async Task Each_card_carries_what_the_page_script_needs_to_keep_it_live()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 10));
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 9), ("GA", 9)));
        var current = (await Engine.Catalog.GetAsync(concert.Id))!;

        var cut = Render<ConcertList>();

        var card = cut.Find(".concert-card");
        card.GetAttribute("data-concert-id").Should().Be(concert.Id.ToString());
        card.GetAttribute("data-version").Should().Be(current.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        card.GetAttribute("data-tiers").Should().Be("""{"VIP":10000,"GA":1000}""");
        card.QuerySelector("[data-badge=sold-out]")!.HasAttribute("hidden").Should().BeTrue();
        card.QuerySelector("[data-badge=selling-fast]")!.HasAttribute("hidden").Should().BeFalse("2 of 20 left is selling fast; both chips are there for the script to switch");
        cut.Find("[data-concert-list]").GetAttribute("data-known").Should().Be(concert.Id.ToString());
        cut.Find("[data-new-concerts]").HasAttribute("hidden").Should().BeTrue();
    }

    [Fact]
    public async Task Html_in_names_is_shown_as_text_and_never_becomes_markup()
    {
        const string Hostile = "<script>alert('x')</script><img src=x onerror=alert(1)>";
        await Engine.Admin.CreateAsync(new ConcertDraft(Hostile, Hostile, Hostile, "Oslo", "Europe/Oslo", Engine.Time.GetUtcNow().AddDays(5), Hostile, [new TierDraft("GA", Hostile[..50], 500, 10)]));

        var cut = Render<ConcertList>();

        var card = cut.WaitForElement(".concert-card");
        card.QuerySelectorAll("script, img").Should().BeEmpty();
        card.QuerySelector("h2")!.TextContent.Trim().Should().Be(Hostile);
        cut.Markup.Should().Contain("&lt;script&gt;");
    }

    [Fact]
    public async Task The_city_filter_narrows_the_list()
    {
        await ConcertAsync(("VIP", 10_000, 10));
        await Engine.Admin.CreateAsync(new ConcertDraft("Elsewhere", "Other Artist", "Hall", "Oslo", "Europe/Oslo", Engine.Time.GetUtcNow().AddDays(5), null, [new TierDraft("GA", "GA", 500, 10)]));
        Navigation.NavigateTo("?city=Oslo");
        var cut = Render<ConcertList>();

        cut.FindAll(".concert-card").Should().ContainSingle().Which.TextContent.Should().Contain("Other Artist");
        cut.Find("[role=status]").TextContent.Should().Be("1 of 2 concerts");
        cut.Find("#city-filter option[selected]").TextContent.Should().Be("Oslo");
        Navigation.NavigateTo("?city=Atlantis");
        Render<ConcertList>().FindAll(".concert-card").Should().HaveCount(2, "an unknown city shows them all");
    }
}

public sealed class ConcertPageTests : ComponentTest
{
    public ConcertPageTests()
        : base(holds => holds.MaxPerTier = 4)
    {
    }

    [Fact]
    public async Task Tiers_show_name_price_and_live_available_count()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 100), ("FRONT_ROW", 5_000, 200), ("GA", 1_000, 1_000));

        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));

        cut.WaitForElements("[data-tier]");
        cut.FindAll("tbody tr").Select(r => (r.QuerySelector("[data-tier]")!.TextContent, r.QuerySelector(".price")!.TextContent, r.QuerySelector(".available")!.TextContent))
            .Should().Equal(("VIP", "$100.00", "100"), ("FRONT_ROW", "$50.00", "200"), ("GA", "$10.00", "1,000"));
    }

    [Fact]
    public async Task Pickers_stop_at_what_is_left_and_at_the_per_tier_limit()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 2), ("GA", 1_000, 100));
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElements("[data-tier]");

        for (var i = 0; i < 5; i++)
        {
            cut.Find("button[aria-label='More VIP tickets']").Click();
            cut.Find("button[aria-label='More GA tickets']").Click();
        }

        cut.Find("#qty-VIP").GetAttribute("value").Should().Be("2", "only 2 VIP tickets exist");
        cut.Find("#qty-GA").GetAttribute("value").Should().Be("4", "MaxPerTier is 4");
        cut.Find("button[aria-label='More GA tickets']").HasAttribute("disabled").Should().BeTrue();
        cut.Markup.Should().Contain("6 tickets · <span class=\"price\">$240.00</span>");
    }

    [Fact]
    public async Task Pickers_leave_out_what_the_buyer_already_bought_under_the_per_buyer_maximum()
    {
        var concert = await ConcertAsync(("GA", 1_000, 100));
        foreach (var key in new[] { "first", "second" })
        {
            await HoldAsync(concert.Id, ("GA", 4)); // two orders of four: 8 of the 10 a buyer may have
            (await Engine.Bookings.ConfirmAsync(Buyer, new TicketBooking.Core.Bookings.ConfirmRequest(concert.Id,
                new TicketBooking.Core.Bookings.BuyerDetails("Ada", "ada@example.com"), new TicketBooking.Core.Payments.CardDetails("4242424242424242", "12/39", "123")), key))
                .Should().BeOfType<TicketBooking.Core.Bookings.ConfirmResult.Booked>();
        }

        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElements("[data-tier]");

        for (var i = 0; i < 10; i++)
        {
            cut.Find("button[aria-label='More GA tickets']").Click();
        }

        cut.WaitForAssertion(() => cut.Find("#qty-GA").GetAttribute("value").Should().Be("2", "10 per buyer, 8 bought, although an order may have 4"));
    }

    [Fact]
    public async Task Checkout_holds_the_chosen_tickets_and_goes_to_the_checkout_page()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10), ("GA", 1_000, 100));
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElements("[data-tier]");
        cut.Find("button[aria-label='More VIP tickets']").Click();
        cut.Find("button[aria-label='More GA tickets']").Click();
        cut.Find("button[aria-label='More GA tickets']").Click();

        await cut.Find("form").SubmitAsync();

        Navigation.Uri.Should().EndWith($"/checkout/{concert.Id}");
        var hold = await Engine.Holds.GetAsync(Buyer, concert.Id);
        hold!.Items.Select(i => (i.Tier, i.Quantity)).Should().BeEquivalentTo([("VIP", 1), ("GA", 2)]);
    }

    [Fact]
    public async Task Not_enough_tickets_shows_what_is_left_and_keeps_the_buyers_choice()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 3));
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElements("[data-tier]");
        cut.Find("button[aria-label='More VIP tickets']").Click();
        cut.Find("button[aria-label='More VIP tickets']").Click();
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 2)));

        await cut.Find("form").SubmitAsync();

        cut.WaitForAssertion(() => cut.Find("[role=alert]").TextContent.Should().Contain("VIP: you asked for 2, 1 is left."));
        cut.Find("#qty-VIP").GetAttribute("value").Should().Be("2");
        Navigation.Uri.Should().NotContain("checkout");
    }

    [Fact]
    public async Task A_published_snapshot_rerenders_the_count_and_after_disposal_nothing_arrives()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 10));
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForElements("[data-tier]");
        cut.WaitForAssertion(() => Engine.Broadcaster.SubscriberCountFor(concert.Id).Should().Be(1));

        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 3)));
        cut.WaitForAssertion(() => cut.Find("[data-testid=available-VIP]").TextContent.Should().Be("7"));

        await DisposeComponentsAsync();
        var renders = cut.RenderCount;
        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 3)));

        Engine.Broadcaster.SubscriberCountFor(concert.Id).Should().Be(0);
        cut.RenderCount.Should().Be(renders);
    }

    [Fact]
    public async Task A_change_in_counts_alone_redraws_the_tier_table_in_place_and_a_sell_out_the_whole_page()
    {
        var concert = await ConcertAsync(("VIP", 10_000, 9), ("GA", 1_000, 100));
        await HoldAsync(concert.Id, ("VIP", 1));
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, concert.Id));
        cut.WaitForAssertion(() => cut.Find("#qty-VIP").GetAttribute("value").Should().Be("1", "the page starts from the buyer's hold, its last step after subscribing"));
        Engine.Broadcaster.SubscriberCountFor(concert.Id).Should().Be(1);
        var header = cut.FindComponent<TicketBooking.Web.Components.Shared.PageTrail>(); // renders whenever the page does
        var pageRenders = header.RenderCount;
        var picker = cut.FindComponents<TicketBooking.Web.Components.Shared.QuantityPicker>().Single(p => p.Instance.Id == "qty-VIP").Instance;

        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 4)));
        cut.WaitForAssertion(() => cut.Find("[data-testid=available-VIP]").TextContent.Should().Be("4"));
        header.RenderCount.Should().Be(pageRenders, "only the tier table shows the new count");
        cut.Find("#qty-VIP").GetAttribute("value").Should().Be("1", "the buyer's choice survives a redraw of the table");
        cut.Find("#qty-VIP").GetAttribute("max").Should().Be("4");
        cut.FindComponents<TicketBooking.Web.Components.Shared.QuantityPicker>().Should().Contain(p => ReferenceEquals(p.Instance, picker),
            "the row is redrawn, not rebuilt, so the buyer's focus on its picker survives a sale");

        await Engine.Holds.PlaceAsync(BuyerId.New(), TestEngine.Request(concert.Id, ("VIP", 4)));
        cut.WaitForAssertion(() => cut.Find("[data-testid=available-VIP]").TextContent.Should().Be("0"));
        header.RenderCount.Should().BeGreaterThan(pageRenders, "a tier selling out changes more than its row");
        cut.Find("[data-testid=available-GA]").TextContent.Should().Be("100");
    }

    [Fact]
    public void An_unknown_concert_says_so()
    {
        var cut = Render<ConcertPage>(p => p.Add(x => x.ConcertId, Guid.NewGuid()));

        cut.WaitForAssertion(() => cut.Find("h1").TextContent.Should().Be("Concert not found"));
    }
}
