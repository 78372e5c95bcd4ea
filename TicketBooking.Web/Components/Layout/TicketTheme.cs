using MudBlazor;

namespace TicketBooking.Web.Components.Layout;

/// <summary>
/// The one theme: the TicketBooking purple, light and dark. Contrast texts are chosen so every filled button and chip
/// passes WCAG AA on both palettes (checked with axe in the browser tests); the light success green is dark enough for a
/// snackbar's white text on its slightly translucent fill (#2e7d32 measured 4.4:1 there).
/// </summary>
public static class TicketTheme
{
    public static MudTheme Theme { get; } = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#4a2a8a",
            PrimaryContrastText = "#ffffff",
            Secondary = "#ad1457",
            SecondaryContrastText = "#ffffff",
            Tertiary = "#00695c",
            AppbarBackground = "#3b1f6b",
            AppbarText = "#ffffff",
            Background = "#f6f4fa",
            Surface = "#ffffff",
            DrawerBackground = "#ffffff",
            TextPrimary = "#1d1a24",
            TextSecondary = "#55506a",
            Success = "#1b5e20",
            Warning = "#b45309",
            WarningContrastText = "#ffffff",
            Error = "#b3261e",
            Info = "#1565c0",
        },
        PaletteDark = new PaletteDark
        {
            Primary = "#c4b0f5",
            PrimaryContrastText = "#1b0f33",
            Secondary = "#f48fb1",
            SecondaryContrastText = "#3a0a1f",
            Tertiary = "#80cbc4",
            AppbarBackground = "#241440",
            AppbarText = "#f3eefc",
            Background = "#15121c",
            Surface = "#211c2b",
            DrawerBackground = "#211c2b",
            TextPrimary = "#ece8f4",
            TextSecondary = "#bdb6cc",
            Success = "#81c784",
            SuccessContrastText = "#0d2b10",
            Warning = "#ffb74d",
            WarningContrastText = "#2b1700",
            Error = "#f2b8b5",
            ErrorContrastText = "#410e0b",
            Info = "#90caf9",
            InfoContrastText = "#0b2545",
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "10px" },
    };
}
