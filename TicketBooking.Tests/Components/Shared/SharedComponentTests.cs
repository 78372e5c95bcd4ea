using System.Globalization;
using Bunit;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Shared;

namespace TicketBooking.Tests.Components.Shared;

public sealed class SharedComponentTests : ComponentTest
{
    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ja-JP")]
    [InlineData("")]
    public void Price_is_usd_in_one_format_whatever_the_culture(string culture)
    {
        var original = (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture);
        CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(culture);
        try
        {
            var cut = Render<Price>(p => p.Add(x => x.Cents, 123_400));

            cut.Find(".price").TextContent.Should().Be("$1,234.00");
            Display.Usd(1_000).Should().Be("$10.00");
            Display.Usd(5).Should().Be("$0.05");
        }
        finally
        {
            (CultureInfo.CurrentCulture, CultureInfo.CurrentUICulture) = original;
        }
    }

    [Theory]
    [InlineData(0, 100, "Sold out")]
    [InlineData(-1, 100, "Sold out")]
    [InlineData(20, 100, "Selling fast")]
    [InlineData(1, 100, "Selling fast")]
    [InlineData(21, 100, "")]
    [InlineData(100, 100, "")]
    public void AvailabilityBadge_says_sold_out_or_selling_fast(int available, int capacity, string expected)
    {
        var cut = Render<AvailabilityBadge>(p => p.Add(x => x.Available, available).Add(x => x.Capacity, capacity));

        cut.Nodes.Select(n => n.TextContent).Aggregate("", string.Concat).Trim().Should().Be(expected);
    }

    [Fact]
    public void QuantityPicker_stays_between_zero_and_its_max_and_reports_changes()
    {
        var reported = new List<int>();
        var cut = Render<QuantityPicker>(p => p
            .Add(x => x.Id, "qty-VIP").Add(x => x.Label, "VIP").Add(x => x.Value, 0).Add(x => x.Max, 2)
            .Add(x => x.ValueChanged, (int v) => reported.Add(v)));
        var fewer = () => cut.Find("button[aria-label='Fewer VIP tickets']");
        var more = () => cut.Find("button[aria-label='More VIP tickets']");

        fewer().HasAttribute("disabled").Should().BeTrue();
        more().Click();
        more().Click();
        more().HasAttribute("disabled").Should().BeTrue("2 is the most this buyer may choose");
        cut.Find("input").Change("50");
        cut.Find("input").Change("-3");
        cut.Find("input").Change("lots");

        reported.Should().Equal(1, 2, 2, 0, 0);
    }

    [Fact]
    public void HoldCountdown_shows_minutes_and_seconds_announces_at_two_minutes_and_thirty_seconds_then_expires()
    {
        var expiredCalls = 0;
        var expiresAt = Engine.Time.GetUtcNow().AddMinutes(10);
        var cut = Render<HoldCountdown>(p => p.Add(x => x.ExpiresAt, expiresAt).Add(x => x.OnExpired, () => expiredCalls++));
        string Timer() => cut.Find("[role=timer]").TextContent;
        string Announcement() => cut.Find("[data-testid=countdown-announcement]").TextContent;

        Timer().Should().Be("10:00");
        Announcement().Should().BeEmpty();

        Engine.Time.Advance(TimeSpan.FromMinutes(7) + TimeSpan.FromSeconds(59));
        cut.WaitForAssertion(() => Timer().Should().Be("02:01"));
        Announcement().Should().BeEmpty();

        Engine.Time.Advance(TimeSpan.FromSeconds(1));
        cut.WaitForAssertion(() => Announcement().Should().Be("2 minutes left to complete your purchase."));
        Timer().Should().Be("02:00");

        Engine.Time.Advance(TimeSpan.FromSeconds(90));
        cut.WaitForAssertion(() => Announcement().Should().Be("30 seconds left to complete your purchase."));

        Engine.Time.Advance(TimeSpan.FromSeconds(30));
        cut.WaitForAssertion(() => cut.Find(".hold-countdown").TextContent.Should().Contain("Hold expired"));
        Announcement().Should().Be("Your hold has expired.");
        expiredCalls.Should().Be(1);
    }

    [Fact]
    public void PageTrail_links_the_way_up_and_marks_this_page_as_current_text()
    {
        var cut = Render<PageTrail>(p => p.Add(x => x.Items, [new MudBlazor.BreadcrumbItem("Organizer", href: "organizer"), new MudBlazor.BreadcrumbItem("New concert", href: null)]));

        cut.FindAll("a").Select(a => (a.TextContent.Trim(), a.GetAttribute("href"))).Should().Equal(("Organizer", "organizer"));
        cut.Find("[aria-current=page]").TextContent.Should().Be("New concert");
    }

    [Fact]
    public void ViewerTime_shows_the_viewers_own_clock_and_nothing_when_it_matches_the_venue()
    {
        JSInterop.SetupModule(BrowserClock.ModulePath).Setup<string?>("timeZone").SetResult("Asia/Tokyo");
        var startsAt = new DateTimeOffset(2027, 3, 13, 1, 0, 0, TimeSpan.Zero);

        var elsewhere = Render<ViewerTime>(p => p.Add(x => x.At, startsAt).Add(x => x.VenueTimeZone, "America/New_York"));
        var sameZone = Render<ViewerTime>(p => p.Add(x => x.At, startsAt).Add(x => x.VenueTimeZone, "Asia/Tokyo"));

        elsewhere.WaitForAssertion(() => elsewhere.Markup.Should().Contain("Sat, Mar 13, 2027 · 10:00 AM your time"));
        sameZone.Markup.Trim().Should().BeEmpty();
        Display.DateTime(startsAt, "America/New_York").Should().Be("Fri, Mar 12, 2027 · 8:00 PM");
    }
}
