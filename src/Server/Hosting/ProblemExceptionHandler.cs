using Gantry.Server.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Hosting;

/// <summary>Turns unhandled exceptions into problem+json without stack traces or exception texts (they may hold secrets).</summary>
internal sealed class ProblemExceptionHandler(IProblemDetailsService problems, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException bad => (
                bad.StatusCode,
                bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Bad request",
                bad.Message),
            _ => (
                StatusCodes.Status500InternalServerError,
                "Internal server error",
                "The server failed to handle the request; the error is in the server's log."),
        };
        if (status == StatusCodes.Status500InternalServerError)
        {
            ServerLog.RequestFailed(logger, httpContext.Request.Path, exception);
        }

        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        }).ConfigureAwait(false);
    }
}
