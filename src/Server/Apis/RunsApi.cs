using System.Security.Claims;
using System.Text.Json;
using Gantry.Engine.Documents;
using Gantry.Engine.Runtime;
using Gantry.Server.Runs;
using Gantry.Server.Security;
using Gantry.Server.Telemetry;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Gantry.Server.Apis;

/// <summary>Runs: start (202 + Location, Idempotency-Key), list with filters and paging, show, cancel, signal, live events.</summary>
internal static class RunsApi
{
    public const string IdempotencyHeader = "Idempotency-Key";

    public static IEndpointRouteBuilder MapRunsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/workflows/{id}/runs", StartAsync).RequireAuthorization(Policies.Operate).WithTags("Runs");
        var group = app.MapGroup("/runs").WithTags("Runs");
        group.MapGet("/", ListAsync).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}", ShowAsync).RequireAuthorization(Policies.Read);
        group.MapGet("/{id}/events", EventsAsync).RequireAuthorization(Policies.Read);
        group.MapPost("/{id}/cancel", CancelAsync).RequireAuthorization(Policies.Operate);
        group.MapPost("/{id}/signals/{name}", SignalAsync).RequireAuthorization(Policies.Operate);
        return app;
    }

    public static async Task<Results<Accepted<RunView>, ProblemHttpResult>> StartAsync(
        string id,
        [FromBody] StartRunBody? body,
        [FromHeader(Name = IdempotencyHeader)] string? idempotencyKey,
        ClaimsPrincipal user,
        RunLauncher launcher,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        var inputs = (body?.Inputs ?? []).ToDictionary(kv => kv.Key, kv => Plain(kv.Value), StringComparer.Ordinal);
        return await LaunchAsync(
                launcher,
                new LaunchRequest(id, body?.Environment, inputs, "http", Policies.Actor(user), idempotencyKey),
                response,
                cancellationToken)
            .ConfigureAwait(false);
    }

    internal static async Task<Results<Accepted<RunView>, ProblemHttpResult>> LaunchAsync(
        RunLauncher launcher,
        LaunchRequest request,
        HttpResponse response,
        CancellationToken cancellationToken)
    {
        try
        {
            var (run, created) = await launcher.StartAsync(request, cancellationToken).ConfigureAwait(false);
            if (!created)
            {
                response.Headers["Idempotent-Replayed"] = "true";
            }

            return TypedResults.Accepted($"/api/runs/{run.Id}", RunView.From(run));
        }
        catch (RunStartException ex)
        {
            return Problems.Status(ex.Status, ex.Title, ex.Message);
        }
    }

    public static async Task<Results<Ok<RunPage>, ProblemHttpResult>> ListAsync(
        IRunStore runs,
        string? workflow,
        string? environment,
        string? trigger,
        string? status,
        int? limit,
        int? offset,
        CancellationToken cancellationToken)
    {
        var statuses = new List<RunStatus>();
        foreach (var name in (status ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (!Enum.TryParse<RunStatus>(name, ignoreCase: true, out var parsed) || int.TryParse(name, out _))
            {
                return Problems.BadRequest(
                    "Invalid status",
                    $"unknown run status '{name}'; valid values are "
                    + $"{string.Join(", ", Enum.GetNames<RunStatus>().Select(n => n.ToLowerInvariant()))}");
            }

            statuses.Add(parsed);
        }

        var take = Math.Clamp(limit ?? 50, 1, 500);
        var skip = Math.Max(offset ?? 0, 0);
        var page = await runs.ListRunsAsync(new RunQuery
        {
            WorkflowId = workflow,
            EnvironmentId = environment,
            Trigger = trigger,
            Statuses = statuses.Count == 0 ? null : statuses,
            Limit = take,
            Offset = skip,
        }, cancellationToken).ConfigureAwait(false);
        return TypedResults.Ok(new RunPage(page.Select(RunView.From).ToList(), skip, take));
    }

    public static async Task<Results<Ok<RunDetail>, ProblemHttpResult>> ShowAsync(string id, IRunStore runs, CancellationToken cancellationToken)
    {
        if (await runs.GetRunAsync(id, cancellationToken).ConfigureAwait(false) is not { } run)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }

        var journal = await runs.ReadJournalAsync(id, 0, cancellationToken).ConfigureAwait(false);
        var waiting = JournalState
            .Replay(journal)
            .Waiting.Select(w => new WaitingStep(
                w.Key,
                w.Value.StepId,
                w.Value.Wait?.Signal ?? "",
                w.Value.Wait?.Kind ?? "",
                w.Value.Wait?.Description ?? ""))
            .ToList();
        return TypedResults.Ok(new RunDetail(RunView.From(run), journal, waiting));
    }

    public static async Task<Results<Accepted<RunView>, ProblemHttpResult>> CancelAsync(
        string id,
        ClaimsPrincipal user,
        WorkflowEngine engine,
        CancellationToken cancellationToken)
    {
        try
        {
            var run = await engine.CancelAsync(id, Policies.Actor(user), cancellationToken).ConfigureAwait(false);
            if (run.IsFinished)
            {
                return Problems.Conflict($"run {id} has already {run.Status.ToString().ToLowerInvariant()}");
            }

            if (run.Status is RunStatus.Waiting or RunStatus.Pending)
            {
                // Nothing is executing it: run it so that its cancellation (and on_failure) happens now.
                engine.RunInBackground(id);
            }

            return TypedResults.Accepted($"/api/runs/{id}", RunView.From(run));
        }
        catch (KeyNotFoundException)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }
    }

    /// <summary>
    /// Delivers a signal with the JSON body as payload; the token's name is recorded as who sent it (who approved).
    /// A merge-gate signal (<c>pull_request</c>) counts only from an approver or admin token (or the signed
    /// webhook): an operator's is refused with 403 and journaled nowhere, so the run keeps waiting.
    /// </summary>
    public static async Task<Results<Accepted<RunView>, ProblemHttpResult>> SignalAsync(
        string id,
        string name,
        HttpRequest request,
        ClaimsPrincipal user,
        WorkflowEngine engine,
        ILogger<RunView> logger,
        CancellationToken cancellationToken)
    {
        var mergeGate = name == MergeGateHook.Signal;
        if (mergeGate && !Policies.MaySatisfyMergeGate(user))
        {
            ServerLog.MergeGateSignalRefused(logger, id, Policies.Actor(user) ?? "anonymous", Policies.RoleOf(user).ToString().ToLowerInvariant());
            return Problems.Status(
                StatusCodes.Status403Forbidden,
                "Not allowed to satisfy a merge gate",
                $"token '{Policies.Actor(user)}' is an {Policies.RoleOf(user).ToString().ToLowerInvariant()}; a {MergeGateHook.Signal} signal "
                + $"counts only from the signed GitHub webhook (POST /api/hooks/github) or a token with role approver or admin. Run {id} keeps "
                + "waiting.");
        }

        // The body is read only for a run that exists: a payload for nothing costs nothing to refuse.
        if (await engine.Store.GetRunAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }

        object? payload;
        try
        {
            payload = RequestBody.ParsePlain(await RequestBody.ReadTextAsync(request, cancellationToken).ConfigureAwait(false), "signal payload");
        }
        catch (DocumentSyntaxException ex)
        {
            return Problems.BadRequest(
                "Invalid payload",
                $"the signal payload is not valid JSON (line {ex.Location.Line}, column {ex.Location.Column}): {ex.Reason}");
        }

        try
        {
            var sender = mergeGate ? Policies.MergeGateActor(user) : Policies.Actor(user);
            var run = await engine.SignalAndWakeAsync(id, name, payload, sender, cancellationToken).ConfigureAwait(false);
            return TypedResults.Accepted($"/api/runs/{id}", RunView.From(run));
        }
        catch (KeyNotFoundException)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }
        catch (InvalidOperationException ex)
        {
            return Problems.Conflict(ex.Message);
        }
    }

    /// <summary>Server-sent events: each journal event as <c>id/event/data</c>, resumable with Last-Event-ID; ends when the run finishes.</summary>
    public static async Task<Results<RunEventStream, ProblemHttpResult>> EventsAsync(
        string id, [FromHeader(Name = "Last-Event-ID")] string? lastEventId, long? after, IRunStore runs, CancellationToken cancellationToken)
    {
        if (await runs.GetRunAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            return Problems.NotFound($"no run with id '{id}'");
        }

        long start = after ?? 0;
        if (lastEventId is not null && !long.TryParse(lastEventId, out start))
        {
            return Problems.BadRequest("Invalid Last-Event-ID", $"Last-Event-ID must be an event sequence number, not '{lastEventId}'");
        }

        return new RunEventStream(id, start);
    }

    internal static object? Plain(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var l) ? l : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Array => value.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.Object => value.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value), StringComparer.Ordinal),
        _ => null,
    };
}
