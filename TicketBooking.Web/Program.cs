using TicketBooking.Web.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddTicketBooking();

var app = builder.Build();
if (!app.ConfigurationIsValid())
{
    return 1;
}

await app.InitializeDatabaseAsync();
app.UseTicketBooking();
await app.RunAsync();
return 0;

/// <summary>The web host's entry point; public so tests can host the app.</summary>
public partial class Program;
