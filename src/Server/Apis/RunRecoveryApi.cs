using System.Security.Claims;
using Gantry.Engine.Runtime;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Apis;

/// <summary>
/// Going on after a failure: retry a failed or cancelled run in the same run id (<c>POST /runs/{id}/retry</c>),
/// and answer a step that failed under <c>on_error: ask</c> (<c>POST /runs/{id}/answer</c>). Operators only.
/// </summary>
internal static class RunRecoveryApi
{
    public static IEndpointRouteBuilder MapRunRecoveryApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/runs").WithTags("Runs");
        group.MapPost("/{id}/retry", RetryAsync).RequireAuthorization(Policies.Operate);
        group.MapPost("/{id}/answer", AnswerAsync).RequireAuthorization(Policies.Operate);
        return app;
    }

    /// <summary>
    /// Retries the run from <c>from</c> (a step id; absent: the failed step, or the nearest load-balancer step before
    /// it once on_failure ran). 202 with the run (Pending, executed in the background), 404 for no such run, 409 when
    /// it is not failed or cancelled or is being executed, 400 when it cannot go on from that step.
    /// </summary>
    public static async Task<Results<Accepted<RetriedRun>, ProblemHttpResult>> RetryAsync(
        string id,
        [FromBody] RetryBody? body,
        ClaimsPrincipal user,
        WorkflowEngine engine,
        CancellationToken cancellationToken)
    {
        try
        {
            var (run, point) = await engine
                .RetryInBackgroundAsync(id, string.IsNullOrWhiteSpace(body?.From) ? null : body.From.Trim(), Policies.Actor(user), cancellationToken)
                .ConfigureAwait(false);
            return TypedResults.Accepted($"/api/runs/{id}", new RetriedRun(RunView.From(run), point.StepKey, point.StepId, point.Reason));
        }
        catch (KeyNotFoundException)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }
        catch (RetryRefusedException ex)
        {
            return Problems.BadRequest("Cannot retry from there", ex.Message);
        }
        catch (InvalidOperationException ex) when (ex is RunNotRetryableException or RunHeldException)
        {
            return Problems.Conflict(ex.Message);
        }
    }

    /// <summary>Answers retry, skip or abort for the failed step (<c>step</c> picks one when several wait); 202, 404, 409 when nothing waits for an
    /// answer, 400 for another answer.</summary>
    public static async Task<Results<Accepted<RunView>, ProblemHttpResult>> AnswerAsync(
        string id,
        [FromBody] AnswerBody? body,
        ClaimsPrincipal user,
        WorkflowEngine engine,
        CancellationToken cancellationToken)
    {
        try
        {
            var run = await engine
                .AnswerAsync(
                    id,
                    body?.Answer ?? "",
                    string.IsNullOrWhiteSpace(body?.Step) ? null : body.Step,
                    Policies.Actor(user),
                    cancellationToken)
                .ConfigureAwait(false);
            if (run.Status == RunStatus.Waiting)
            {
                engine.RunInBackground(id);
            }

            return TypedResults.Accepted($"/api/runs/{id}", RunView.From(run));
        }
        catch (KeyNotFoundException)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }
        catch (ArgumentException ex)
        {
            return Problems.BadRequest("Invalid answer", ex.Message);
        }
        catch (NoQuestionException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }
}

/// <summary>The body of a retry: the step to go on from (optional).</summary>
public sealed record RetryBody(string? From);

/// <summary>The body of an answer: retry, skip or abort, and the failed step's id when several wait.</summary>
public sealed record AnswerBody(string? Answer, string? Step);

/// <summary>A retried run and where it goes on from.</summary>
public sealed record RetriedRun(RunView Run, string From, string? FromStep, string Reason);
