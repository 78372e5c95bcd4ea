using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using TicketBooking.Web.Identity;

namespace TicketBooking.Web.Api;

/// <summary>Per-buyer limits on creating holds and bookings (DESIGN §10), bound from <c>RateLimits</c>.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    public bool Enabled { get; set; } = true;

    [Range(1, 100_000)]
    public int HoldsPerMinute { get; set; } = 30;

    [Range(1, 100_000)]
    public int BookingsPerMinute { get; set; } = 10;

    /// <summary>Organizer password attempts per client address; not switched off with the others.</summary>
    [Range(1, 1_000)]
    public int SignInsPerMinute { get; set; } = 10;
}

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

internal static partial class RateLimits
{
    public const string HoldsPolicy = "holds";
    public const string BookingsPolicy = "bookings";
    public const string SignInPolicy = "sign-in";

    public static IServiceCollection AddTicketBookingRateLimits(this IServiceCollection services)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<OverloadOptions>().BindConfiguration(OverloadOptions.Section).ValidateDataAnnotations().ValidateOnStart();
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
            limiter.AddPolicy(HoldsPolicy, context => PerBuyer(context, o => o.HoldsPerMinute));
            limiter.AddPolicy(BookingsPolicy, context => PerBuyer(context, o => o.BookingsPerMinute));
            limiter.AddPolicy(SignInPolicy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => Window(context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value.SignInsPerMinute)));
            limiter.OnRejected = async (rejected, _) =>
            {
                var log = rejected.HttpContext.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RateLimits).FullName!);
                LogRejected(log, rejected.HttpContext.Request.Method, rejected.HttpContext.Request.Path,
                    rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out TimeSpan _) ? "per-buyer rate limit" : "server busy");
                // Per-buyer windows say when they reopen; the server-wide concurrency limit does not: that is overload.
                if (!rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                {
                    rejected.HttpContext.Response.Headers.RetryAfter = "1";
                    await Problems.Write(rejected.HttpContext, TypedResults.Problem(
                        "The booking system is very busy. Nothing was changed; please try again in a moment.",
                        statusCode: StatusCodes.Status503ServiceUnavailable,
                        title: "Busy"));
                    return;
                }

                var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(rejected.HttpContext, TypedResults.Problem(
                    $"Too many requests. Please wait {seconds} seconds and try again.",
                    statusCode: StatusCodes.Status429TooManyRequests,
                    title: "Slow down"));
            };
        });
        return services;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected {Method} {Path}: {Reason}")]
    private static partial void LogRejected(ILogger logger, string method, PathString path, string reason);

    private static RateLimitPartition<string> PerBuyer(HttpContext context, Func<RateLimitOptions, int> perMinute)
    {
        var options = context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value;
        if (!options.Enabled)
        {
            return RateLimitPartition.GetNoLimiter("off");
        }

        var buyer = context.User.FindBuyerId()?.ToString() ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetFixedWindowLimiter(buyer, _ => Window(perMinute(options)));
    }

    private static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = permits,
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
