using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using TicketBooking.Web.Api;

namespace TicketBooking.Web.Limits;

/// <summary>
/// An API request's body must arrive within <see cref="LimitOptions.RequestBodyTimeout"/>, and it is read in full
/// before the request takes one of the API's concurrency slots: a client trickling bytes (slower than the body
/// timeout, faster than Kestrel's minimum data rate) holds no slot and is cut with 408 when the time is up. A body
/// larger than its route allows (<see cref="ApiSetup.MaxBodyBytes"/>: 4 MB for a layout upload, 32 KB otherwise) is
/// cut with 413. The pipeline runs this after authorization, so a request that may not reach its endpoint is refused
/// before a byte of its body is read.
/// </summary>
internal static partial class RequestBodyDeadline
{
    public static IApplicationBuilder UseRequestBodyDeadline(this IApplicationBuilder app) =>
        app.UseWhen(context => context.Request.IsApi() && context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true, api => api.Use(async (context, next) =>
        {
            var timeout = context.RequestServices.GetRequiredService<IOptions<LimitOptions>>().Value.RequestBodyTimeout;
            var time = context.RequestServices.GetRequiredService<TimeProvider>();
            var max = context.Request.MaxBodyBytes();
            var body = context.Request.Body;
            context.Request.Body = new BoundedBody(body, max);
            context.Request.EnableBuffering(bufferThreshold: (int)max);
            using (var deadline = new CancellationTokenSource(timeout, time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, context.RequestAborted))
            {
                try
                {
                    await context.Request.Body.DrainAsync(linked.Token);
                }
                catch (BodyTooLargeException)
                {
                    // A body without a Content-Length went past its route's limit. What a client sends a little past it is
                    // read and thrown away (within the same deadline and Kestrel's limit, half as much again), so it gets
                    // this answer instead of a connection reset while it is still writing; a bigger one is cut by Kestrel.
                    await DiscardAsync(body, linked.Token);
                    await Problems.Write(context, ApiSetup.BodyTooLarge(max));
                    return;
                }
                catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
                {
                    await Problems.Write(context, ApiSetup.BodyTooLarge(max));
                    return;
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

    private static async Task DiscardAsync(Stream body, CancellationToken cancellationToken)
    {
        try
        {
            await body.DrainAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is BadHttpRequestException or OperationCanceledException or IOException)
        {
            // Too much, too slow or gone: Kestrel closes the connection after the answer.
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cut a request from {Client}: its body took longer than {Seconds} s")]
    private static partial void LogSlowBody(ILogger logger, string client, double seconds);

    private sealed class BodyTooLargeException() : IOException("The request body is larger than its route allows.");

    /// <summary>A request body that refuses to be read past <paramref name="max"/> bytes, whatever server is underneath.</summary>
    private sealed class BoundedBody(Stream inner, long max) : Stream
    {
        private long _read;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _read; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(inner.Read(buffer, offset, count));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private int Count(int read)
        {
            _read += read;
            return _read > max ? throw new BodyTooLargeException() : read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
