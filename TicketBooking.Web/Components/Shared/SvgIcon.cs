using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Rendering;

namespace TicketBooking.Web.Components.Shared;

/// <summary>
/// A MudBlazor icon (one of <c>Icons.Material…</c>) drawn as MudIcon draws it, without a component: the app bar and menu
/// are on every page of every circuit, where a component per icon costs each visitor memory.
/// </summary>
public static class SvgIcon
{
    /// <summary>MudIcon's classes for a medium icon in the text colour.</summary>
    public const string Medium = "mud-icon-root mud-svg-icon mud-icon-size-medium";

    public static RenderFragment Of(string icon, string classes = Medium) => builder => Draw(builder, icon, classes);

    private static void Draw(RenderTreeBuilder builder, string icon, string classes)
    {
        builder.OpenElement(0, "svg");
        builder.AddAttribute(1, "class", classes);
        builder.AddAttribute(2, "focusable", "false");
        builder.AddAttribute(3, "viewBox", "0 0 24 24");
        builder.AddAttribute(4, "aria-hidden", "true");
        builder.AddAttribute(5, "role", "img");
        builder.AddMarkupContent(6, icon);
        builder.CloseElement();
    }
}
