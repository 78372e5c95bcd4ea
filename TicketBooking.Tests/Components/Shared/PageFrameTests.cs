using Bunit;
using TicketBooking.Tests.Support;
using TicketBooking.Web.Components.Pages;
using TicketBooking.Web.Components.Shared;

namespace TicketBooking.Tests.Components.Shared;

public sealed class PageFrameTests : ComponentTest
{
    [Fact]
    public void Not_found_points_back_to_the_concerts()
    {
        var cut = Render<NotFound>();

        cut.Find("h1").TextContent.Should().Be("Page not found");
        cut.Find("a").GetAttribute("href").Should().BeEmpty();
    }

    [Fact]
    public void The_error_page_reassures_about_payments_and_shows_no_internals()
    {
        var cut = Render<Error>();

        cut.Find("h1").TextContent.Should().Be("Something went wrong");
        cut.Markup.Should().Contain("Nothing was charged twice").And.NotContain("Development").And.NotContain("Exception");
    }

    [Fact]
    public void An_organizer_page_without_the_role_sends_the_visitor_to_sign_in_and_back()
    {
        Navigation.NavigateTo("organizer/concerts/new");

        Render<RedirectToSignIn>();

        Navigation.Uri.Should().EndWith("/organizer/sign-in?returnUrl=%2Forganizer%2Fconcerts%2Fnew");
    }
}
