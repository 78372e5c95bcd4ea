namespace TicketBooking.Web.Hosting;

public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>
    /// The concerts loaded into an empty database, relative to the app's folder (the build copies the
    /// repository's <c>seed/concerts.json</c> there). Empty: start with no concerts.
    /// </summary>
    public string? Path { get; set; } = "seed/concerts.json";
}
