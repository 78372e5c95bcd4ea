namespace TicketBooking.Web.Hosting;

public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>
    /// The concerts loaded into an empty database, relative to the app's folder (the build copies the
    /// repository's <c>seed/concerts.json</c> there). Empty: start with no concerts.
    /// </summary>
    public string? Path { get; set; } = "seed/concerts.json";

    /// <summary>
    /// The name of a seeded concert that goes on sale <see cref="DemoOnSaleIn"/> after start-up, when nobody has bought
    /// or queued for it yet (set in Development for the waiting-room demo). Empty: none.
    /// </summary>
    public string? DemoOnSale { get; set; }

    public TimeSpan DemoOnSaleIn { get; set; } = TimeSpan.FromMinutes(3);
}
