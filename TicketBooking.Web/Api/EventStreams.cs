using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Web.Limits;

namespace TicketBooking.Web.Api;

/// <summary>What every server-sent event stream of the API does before it starts.</summary>
internal static class EventStreams
{
    /// <summary>
    /// A place among the open streams for this request: per address, and server-wide below Kestrel's connection limit so
    /// the pages and the API keep answering however many viewers there are. Null when given (held until the response
    /// ends); otherwise the refusal to answer with (429, or 503 when the server is full).
    /// </summary>
    public static ProblemHttpResult? Admit(HttpContext context, FairUse fairUse)
    {
        var lease = fairUse.OpenEventStream(ClientAddress.Of(context), out var refusal, out var serverFull);
        if (lease is null)
        {
            return Problems.TooManyRequests(context, refusal!, serverFull ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status429TooManyRequests);
        }

        context.Response.RegisterForDispose(lease);
        return null;
    }

    /// <summary>The response is a stream: not cached, not buffered by a proxy in front.</summary>
    public static void MarkUnbuffered(HttpResponse response)
    {
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
    }
}
