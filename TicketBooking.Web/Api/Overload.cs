using TicketBooking.Core;
using System.ComponentModel.DataAnnotations;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace TicketBooking.Web.Api;

/// <summary>
/// Load shedding for the API, bound from <c>Overload</c>: at most this many API requests run at once, a bounded queue
/// waits behind them (oldest first), and anything beyond is answered 503 with Retry-After at once instead of piling up
/// memory and latency. Event streams are long-lived and not counted. Stays on when <c>RateLimits:Enabled</c> is off.
/// </summary>
public sealed class OverloadOptions
{
    public const string Section = "Overload";

    [Range(1, 100_000)]
    public int MaxConcurrentRequests { get; set; } = 256;

    [Range(0, 1_000_000)]
    public int QueueLimit { get; set; } = 1_024;
}

/// <summary>The server-wide concurrency limit on the API. Per-client limits are <see cref="Limits.FairUse"/>'s.</summary>
internal static partial class Overload
{
    public static IServiceCollection AddTicketBookingOverloadShedding(this IServiceCollection services)
    {
        services.BindValidated<OverloadOptions>(OverloadOptions.Section);
        services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                if (!context.Request.IsApi() || context.Request.Path.Value?.EndsWith("/stream", StringComparison.Ordinal) == true)
                {
                    return RateLimitPartition.GetNoLimiter("not-api");
                }

                var overload = context.RequestServices.GetRequiredService<IOptions<OverloadOptions>>().Value;
                return RateLimitPartition.GetConcurrencyLimiter("api", _ => new ConcurrencyLimiterOptions
                {
                    PermitLimit = overload.MaxConcurrentRequests,
                    QueueLimit = overload.QueueLimit,
                    QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                });
            });
            limiter.OnRejected = async (rejected, _) =>
            {
                var log = rejected.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Overload).FullName!);
                LogShed(log, rejected.HttpContext.Request.Method, rejected.HttpContext.Request.Path);
                rejected.HttpContext.Response.Headers.RetryAfter = "1";
                await Problems.Write(rejected.HttpContext, TypedResults.Problem(
                    "The booking system is very busy. Nothing was changed; please try again in a moment.",
                    statusCode: StatusCodes.Status503ServiceUnavailable,
                    title: "Busy"));
            };
        });
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shed {Method} {Path}: the server is at its concurrency limit")]
    private static partial void LogShed(ILogger logger, string method, PathString path);
}
