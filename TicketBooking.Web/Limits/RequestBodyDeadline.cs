using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using TicketBooking.Web.Api;

namespace TicketBooking.Web.Limits;

/// <summary>
/// An API request's body must arrive within <see cref="LimitOptions.RequestBodyTimeout"/>, and it is read in full
/// before the request takes one of the API's concurrency slots: a client trickling bytes (slower than the body
/// timeout, faster than Kestrel's minimum data rate) holds no slot and is cut with 408 when the time is up.
/// </summary>
internal static partial class RequestBodyDeadline
{
    public static IApplicationBuilder UseRequestBodyDeadline(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.IsApi() && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true, api => api.Use(async (context, next) =>
        {
            var timeout = context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value.RequestBodyTimeout;
            var time = context.RequestServices.GetRequiredService<TimeProvider>();
            context.Request.EnableBuffering(bufferThreshold: (int)ApiSetup.MaxRequestBodyBytes, bufferLimit: ApiSetup.MaxRequestBodyBytes);
            using (var deadline = new CancellationTokenSource(timeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted))
            {
                try
                {
                    await context.Request.Body.DrainAsync(linked.Token);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !context.RequestAborted.IsCancellationRequested)
                {
                    LogSlowBody(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestBodyDeadline).FullName!), ClientAddress.Of(context), timeout.TotalSeconds);
                    context.Response.Headers.Connection = "close";
                    await Problems.Write(context, TypedResults.Problem(
                        $"The request body did not arrive within {timeout.TotalSeconds:0.#} seconds. Nothing was changed; please try again.",
                        statusCode: StatusCodes.Status408RequestTimeout,
                        title: "Request too slow"));
                    return;
                }
            }

            context.Request.Body.Position = 0;
            await next(context);
        }));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cut a request from {Client}: its body took longer than {Seconds} s")]
    private static partial void LogSlowBody(ILogger logger, string client, double seconds);
}
