using System.Collections.Concurrent;
using System.Diagnostics;
using Gantry.Engine.Runtime;

namespace Gantry.Server.Telemetry;

/// <summary>
/// Turns journal events into spans (one per run execution, one per step), counters, the step
/// duration histogram and log lines. Like every observer it never fails a run: the engine logs what it throws, masked.
/// </summary>
internal sealed class TelemetryObserver(ILogger<TelemetryObserver> logger) : IJournalObserver
{
    private readonly ConcurrentDictionary<string, Activity> _runs = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Activity? Span, long Started)> _steps = new(StringComparer.Ordinal);

    public void OnEvent(RunRecord run, JournalEvent journalEvent)
    {
        // Spans are ended from other events, so starting one must not change the engine's current activity.
        // A failure is left to the engine, which logs it masked with the run's secrets and goes on with the run.
        var current = Activity.Current;
        try
        {
            Observe(run, journalEvent);
        }
        finally
        {
            // A run started over HTTP carries the request's span, stopped once the 202 went out. The setter
            // refuses a stopped activity by throwing and catching an exception inside, once per journal event
            // (a few percent of the server's CPU in a burst of starts): it would change nothing, so skip it.
            if (current is not { IsStopped: true })
            {
                Activity.Current = current;
            }
        }
    }

    private void Observe(RunRecord run, JournalEvent e)
    {
        switch (e.Type)
        {
            case JournalEventTypes.RunStarted or JournalEventTypes.RunResumed:
                if (e.Type == JournalEventTypes.RunStarted)
                {
                    GantryTelemetry.RunsStarted.Add(1, new KeyValuePair<string, object?>("workflow", run.WorkflowId));
                    ServerLog.RunStarted(logger, run.Id, run.WorkflowId);
                }

                if (GantryTelemetry.Source.StartActivity($"run {run.WorkflowId}", ActivityKind.Internal, parentContext: default) is { } span)
                {
                    span.SetTag("gantry.run.id", run.Id).SetTag("gantry.workflow", run.WorkflowId).SetTag("gantry.environment", run.EnvironmentId);
                    _runs[run.Id] = span;
                }

                break;
            case JournalEventTypes.StepStarted when e.Path is not null:
                var parent = _runs.TryGetValue(run.Id, out var runSpan) ? runSpan.Context : default;
                var step = GantryTelemetry.Source.StartActivity($"step {e.StepId ?? e.Path}", ActivityKind.Internal, parent);
                step?.SetTag("gantry.run.id", run.Id).SetTag("gantry.step.id", e.StepId).SetTag("gantry.activity", e.Activity);
                _steps[run.Id + "|" + e.Path] = (step, Stopwatch.GetTimestamp());
                break;
            case JournalEventTypes.StepSucceeded or JournalEventTypes.StepFailed or JournalEventTypes.StepWaiting when e.Path is not null:
                EndStep(run, e);
                break;
            case JournalEventTypes.RunFinished:
                var status = e.Status ?? RunStatus.Failed;
                var counter =
                    status == RunStatus.Succeeded ? GantryTelemetry.RunsSucceeded
                    : status == RunStatus.Failed ? GantryTelemetry.RunsFailed
                    : null;
                counter?.Add(1, new KeyValuePair<string, object?>("workflow", run.WorkflowId));
                ServerLog.RunFinished(logger, run.Id, status.ToString().ToLowerInvariant());
                EndRun(run.Id, status == RunStatus.Succeeded ? ActivityStatusCode.Ok : ActivityStatusCode.Error);
                break;
        }

        if (e.Type == JournalEventTypes.StepWaiting)
        {
            // A waiting run holds no worker; its span ends here and a resume starts a new one.
            EndRun(run.Id, ActivityStatusCode.Unset);
        }
    }

    private void EndStep(RunRecord run, JournalEvent e)
    {
        if (!_steps.TryRemove(run.Id + "|" + e.Path, out var step))
        {
            return;
        }

        var outcome = e.Type[(e.Type.IndexOf('.', StringComparison.Ordinal) + 1)..];
        GantryTelemetry.StepDuration.Record(
            Stopwatch.GetElapsedTime(step.Started).TotalSeconds,
            new KeyValuePair<string, object?>("activity", e.Activity ?? "unknown"),
            new KeyValuePair<string, object?>("outcome", outcome));
        step.Span?.SetStatus(e.Type == JournalEventTypes.StepFailed ? ActivityStatusCode.Error : ActivityStatusCode.Ok, e.Error?.Message);
        step.Span?.Dispose();
        ServerLog.StepEnded(logger, run.Id, e.StepId ?? e.Path!, e.Activity ?? "block", outcome);
    }

    private void EndRun(string runId, ActivityStatusCode status)
    {
        if (_runs.TryRemove(runId, out var span))
        {
            span.SetStatus(status);
            span.Dispose();
        }
    }
}
