using System.Text.Json;
using Gantry.Engine.Loading;
using Gantry.Engine.Runtime;
using Gantry.Providers.Git;

namespace Gantry.Server.Apis;

/// <summary>
/// <c>pull_request</c>, <c>pull_request_review</c>, <c>check_suite</c> (completed) and <c>status</c> deliveries are what
/// git.wait-merged waits for: each is delivered as a <c>pull_request</c> signal to every waiting run
/// whose waiting step waits for one and whose environment's repository is the event's
/// (<see cref="GitHubRepositoryMatcher"/>). The step decides from all the events it has seen.
/// </summary>
internal static class MergeGateHook
{
    public const string Signal = "pull_request";
    public const string CheckSuiteEvent = "check_suite";
    public const string StatusEvent = "status";
    public const string ReviewEvent = "pull_request_review";

    public static bool Handles(string eventName) => eventName is Signal or CheckSuiteEvent or StatusEvent or ReviewEvent;

    /// <summary>Why this delivery resumes nothing whatever runs wait (a check suite just requested, a pending status), else null.</summary>
    public static string? Irrelevant(string eventName, JsonElement payload) => eventName switch
    {
        CheckSuiteEvent when GitHubPayload.Text(payload, "action") is var action && action != "completed" =>
            $"check_suite '{action}' resumes nothing; only completed check suites are delivered to waiting runs",
        StatusEvent when GitHubPayload.Text(payload, "state") is "pending" =>
            "a pending status resumes nothing; success, failure and error statuses are delivered to waiting runs",
        _ => null,
    };

    public static async Task<(IReadOnlyList<string> Signalled, string Reason)> DeliverAsync(
        WorkflowEngine engine, string eventName, object? payload, JsonElement json, string sender, CancellationToken cancellationToken)
    {
        var signalled = new List<string>();
        var otherRepository = 0;
        // A run resuming (here or on another node) on an earlier event, a merge, is Running while its
        // step still waits: it gets the event too, and its execution sees it before it waits again.
        // The store narrows the runs to those that waited for pull_request; their journals say whether they still do.
        var candidates = new RunQuery { Statuses = [RunStatus.Waiting, RunStatus.Running], WaitedForSignal = Signal, Limit = 10_000 };
        foreach (var run in await engine.Store.ListRunsAsync(candidates, cancellationToken).ConfigureAwait(false))
        {
            var state = JournalState.Replay(await engine.Store.ReadJournalAsync(run.Id, 0, cancellationToken).ConfigureAwait(false));
            if (!state.Waiting.Values.Any(w => w.Wait?.Signal == Signal))
            {
                continue;
            }

            if (!IsAboutRunsRepository(run, json))
            {
                otherRepository++;
                continue;
            }

            await engine.SignalAndWakeAsync(run.Id, Signal, payload, sender, cancellationToken).ConfigureAwait(false);
            signalled.Add(run.Id);
        }

        var reason =
            signalled.Count > 0 ? $"delivered to {signalled.Count} waiting run(s)"
            : otherRepository > 0
                ? $"{otherRepository} run(s) wait for a pull request, none in repository {GitHubRepositoryMatcher.FullName(json) ?? "(unnamed)"}"
            : $"no run is waiting for a {eventName} event";
        return (signalled, reason);
    }

    private static bool IsAboutRunsRepository(RunRecord run, JsonElement json)
    {
        if (run.EnvironmentText is not { } text)
        {
            return true;
        }

        var environment = DocumentLoader.LoadEnvironment(text, run.EnvironmentPath ?? run.EnvironmentId ?? "environment").Value;
        return environment is null || GitHubRepositoryMatcher.Matches(json, environment.Repository);
    }
}
