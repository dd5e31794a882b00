namespace Gantry.Engine.Runtime;

/// <summary>
/// Where a retried run goes on from, worked out from its journal. The run stopped at a step (the first
/// action that failed, else the last one that started and never ended: a cancel). Step instances that
/// started before the retry point and succeeded (or were skipped) keep their journaled outputs; every
/// later one runs again. When on_failure ran after the stop (for example <c>lb.restore</c> put every
/// group back live), the load balancer is no longer where the steps after the nearest load-balancer
/// step expect it: the default point is then that step (which drives the load balancer to the state it
/// decided the first time, its journaled intent), and a point after it is refused.
/// </summary>
public sealed record RetryPoint(string StepKey, string? StepId, long Before, string Reason)
{
    /// <summary>Works out the point from <paramref name="journal"/>; <paramref name="from"/> is a step id or step key, null for the
    /// default.</summary>
    /// <exception cref="RetryRefusedException">The run cannot be retried from there; the message says why and what to do.</exception>
    public static RetryPoint Resolve(string runId, IReadOnlyList<JournalEvent> journal, string? from)
    {
        var lastRetry = journal.LastOrDefault(e => e.Type == JournalEventTypes.RunRetried)?.Sequence ?? 0;
        var attempt = journal.Where(e => e.Sequence > lastRetry).ToList();
        var stop = attempt.FirstOrDefault(e => e.Type == JournalEventTypes.StepFailed && IsAction(e) && !InHandler(e.Path))
            ?? LastUnfinishedAction(attempt)
            ?? throw new RetryRefusedException($"run {runId} has no failed or interrupted step to retry from; start a new run instead");
        var stopStart = StartOf(journal, stop.Path!) ?? stop;
        var cleanupRan = attempt.Any(e => e.Type == JournalEventTypes.StepStarted && e.Sequence > stop.Sequence && InHandler(e.Path));
        var loadBalancer = journal.LastOrDefault(e => e.Type == JournalEventTypes.StepStarted && e.Sequence < stopStart.Sequence
            && e.Activity?.StartsWith("lb.", StringComparison.Ordinal) == true && !InHandler(e.Path) && IsLatestStart(journal, e));
        var stopLabel = Label(stop);

        if (from is null)
        {
            if (cleanupRan && loadBalancer is not null)
            {
                return new RetryPoint(
                    loadBalancer.Path!,
                    loadBalancer.StepId,
                    loadBalancer.Sequence,
                    $"from {Label(loadBalancer)} ({loadBalancer.Activity}), the nearest load-balancer step before the failed step {stopLabel}: "
                    + "on_failure ran after the failure and may have changed the load balancer");
            }

            return new RetryPoint(stop.Path!, stop.StepId, stopStart.Sequence, $"from the failed step {stopLabel}");
        }

        var chosen = journal.LastOrDefault(e =>
            e.Type == JournalEventTypes.StepStarted && (e.StepId == from || e.Path == from) && !InHandler(e.Path));
        if (chosen is null)
        {
            var ran = journal
                .Where(e => e.Type == JournalEventTypes.StepStarted && e.StepId is not null && !InHandler(e.Path))
                .Select(e => e.StepId!)
                .Distinct(StringComparer.Ordinal);
            throw new RetryRefusedException(
                $"run {runId} has no step '{from}' that ran (on_failure steps cannot be retried from); steps that ran: {string.Join(", ", ran)}");
        }

        if (chosen.Sequence > stopStart.Sequence && !IsBlockAround(chosen, stop))
        {
            throw new RetryRefusedException($"step '{from}' ran after the failed step {stopLabel}; retry from {stopLabel} or an earlier step");
        }

        if (cleanupRan && loadBalancer is not null && chosen.Sequence > loadBalancer.Sequence)
        {
            throw new RetryRefusedException(
                $"run {runId}: on_failure ran after {stopLabel} failed and may have changed the load balancer, so '{from}' would not find it as it "
                + "expects; "
                    + $"retry from {Label(loadBalancer)} ({loadBalancer.Activity}, the nearest load-balancer step before the failure) or an earlier "
                    + "step");
        }

        return new RetryPoint(chosen.Path!, chosen.StepId, chosen.Sequence, $"from {Label(chosen)}, as asked");
    }

    /// <summary>Whether the key lies in an on_failure or finally handler (of the workflow, a called workflow or a group).</summary>
    internal static bool InHandler(string? key) =>
        key is not null && (key.Contains("on_failure", StringComparison.Ordinal) || key.Contains("finally[", StringComparison.Ordinal));

    private static bool IsAction(JournalEvent e) =>
        e.Activity is not null
        && e.Activity is not ("group" or "parallel" or "foreach")
        && !e.Activity.StartsWith("workflow.call:", StringComparison.Ordinal);

    private static bool IsBlockAround(JournalEvent block, JournalEvent step) => step.Path!.StartsWith(block.Path + "/", StringComparison.Ordinal);

    private static JournalEvent? LastUnfinishedAction(IReadOnlyList<JournalEvent> attempt)
    {
        var ended = attempt.Where(e => e.Type is JournalEventTypes.StepSucceeded or JournalEventTypes.StepFailed or JournalEventTypes.StepSkipped)
            .Select(e => e.Path).ToHashSet(StringComparer.Ordinal);
        return attempt.LastOrDefault(e => e.Type == JournalEventTypes.StepStarted && IsAction(e) && !InHandler(e.Path) && !ended.Contains(e.Path));
    }

    private static JournalEvent? StartOf(IReadOnlyList<JournalEvent> journal, string key) =>
        journal.LastOrDefault(e => e.Type == JournalEventTypes.StepStarted && e.Path == key);

    private static bool IsLatestStart(IReadOnlyList<JournalEvent> journal, JournalEvent start) => StartOf(journal, start.Path!) == start;

    private static string Label(JournalEvent e) => e.StepId is { } id ? $"'{id}'" : e.Path!;
}

/// <summary>A run cannot be retried from the step asked (or has no step to go on from); the message says why and what to do instead.</summary>
public sealed class RetryRefusedException(string message) : InvalidOperationException(message);

/// <summary>A run that is not failed or cancelled cannot be retried (it runs, waits, or succeeded).</summary>
public sealed class RunNotRetryableException(string message) : InvalidOperationException(message);
