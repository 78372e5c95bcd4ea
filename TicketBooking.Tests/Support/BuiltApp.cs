namespace TicketBooking.Tests.Support;

/// <summary>Which build of the web app sits beside these tests (the process tests start that one).</summary>
public static class BuiltApp
{
    public static string Configuration { get; } =
        AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Release{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Release" : "Debug";
}
