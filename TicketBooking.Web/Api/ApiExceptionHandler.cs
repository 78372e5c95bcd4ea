using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using TicketBooking.Core.Storage;

namespace TicketBooking.Web.Api;

/// <summary>
/// Turns what escapes an API endpoint into a problem response: malformed requests into a 400 that says what
/// is wrong, a busy or missing database into a 503, anything else into a 500 without internals.
/// Pages keep the HTML error page.
/// </summary>
internal sealed partial class ApiExceptionHandler(ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        // By now the exception handler has switched the request path to the error page; judge by the original one.
        var path = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path is { } original ? new PathString(original) : httpContext.Request.Path;
        var isApi = path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase);
        ProblemHttpResult? problem = exception switch
        {
            BadHttpRequestException bad => FromBadRequest(bad),
            StoreUnavailableException => Problems.Unavailable(),
            _ when isApi => TypedResults.Problem(
                "Something went wrong on our side. Nothing was charged twice; please try again.",
                statusCode: StatusCodes.Status500InternalServerError,
                title: "Unexpected error"),
            _ => null,
        };
        if (problem is null)
        {
            return false;
        }

        if (exception is BadHttpRequestException)
        {
            LogRejected(httpContext.Request.Method, path, exception.Message);
        }
        else
        {
            LogFailed(exception, httpContext.Request.Method, path);
        }

        if (exception is StoreUnavailableException)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        await problem.ExecuteAsync(httpContext);
        return true;
    }

    private static ProblemHttpResult FromBadRequest(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TypedResults.Problem("The request body is too large.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");
        }

        var detail = exception.InnerException switch
        {
            JsonException { Path: { Length: > 1 } path } json when json.Message.Contains("could not be mapped", StringComparison.Ordinal) =>
                $"The field '{Field(path)}' is not part of this request.",
            JsonException { Path: { Length: > 1 } path } json when json.Message.StartsWith("The JSON value could not be converted", StringComparison.Ordinal) =>
                $"The field '{Field(path)}' has a value of the wrong type or out of range.",
            JsonException { LineNumber: { } line, BytePositionInLine: { } position } =>
                $"The request body is not valid JSON (line {line + 1}, position {position + 1}).",
            JsonException => "The request body is not valid JSON.",
            _ when exception.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase) => "A JSON request body is required.",
            _ when exception.Message.Contains("Failed to bind parameter", StringComparison.OrdinalIgnoreCase) => "A value in the URL or headers has the wrong format.",
            _ => "The request could not be read. Send a JSON body with Content-Type: application/json.",
        };
        return TypedResults.Problem(detail, statusCode: exception.StatusCode, title: "The request is not valid.");
    }

    /// <summary>"$.items[0].quantity" → "items[0].quantity".</summary>
    private static string Field(string path) => path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');

    [LoggerMessage(Level = LogLevel.Information, Message = "Rejected {Method} {Path}: {Reason}")]
    private partial void LogRejected(string method, PathString path, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private partial void LogFailed(Exception exception, string method, PathString path);
}
