using Gantry.Engine.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gantry.Server.Apis;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (the store answers too).</summary>
internal static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/readyz", ReadyAsync).AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> ReadyAsync(IRunStore runs, CancellationToken cancellationToken)
    {
        try
        {
            await runs.ListRunsAsync(new RunQuery { Limit = 1 }, cancellationToken).ConfigureAwait(false);
            return TypedResults.Text("ready");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Problems.Status(StatusCodes.Status503ServiceUnavailable, "Not ready", "the run store does not answer");
        }
    }
}
