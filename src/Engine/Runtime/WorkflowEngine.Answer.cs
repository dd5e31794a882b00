namespace Gantry.Engine.Runtime;

public sealed partial class WorkflowEngine
{
    /// <summary>
    /// Answers a step that failed under <c>on_error: ask</c> (<see cref="GuidedFailure"/>): retry it, skip it, or
    /// abort (the run fails and on_failure runs). <paramref name="step"/> (a step id or key) picks the question
    /// when several steps wait for one. Journals the answer like a signal and returns the run as it is after
    /// that; a Waiting run then needs a wake-up (<see cref="RunInBackground(string)"/>, or executing it here).
    /// </summary>
    /// <exception cref="ArgumentException">The answer is not retry, skip or abort, or several steps wait and none was named.</exception>
    /// <exception cref="NoQuestionException">No failed step of the run waits for an answer (named <paramref name="step"/>).</exception>
    public async Task<RunRecord> AnswerAsync(string runId, string answer, string? step, string? by, CancellationToken cancellationToken)
    {
        var choice = GuidedFailure.Check(answer);
        var record = await GetAsync(runId, cancellationToken).ConfigureAwait(false);
        var state = JournalState.Replay(await _store.ReadJournalAsync(runId, 0, cancellationToken).ConfigureAwait(false));
        var questions = record.IsFinished
            ? []
            : state
                .Waiting.Where(w => w.Value.Wait?.Kind == GuidedFailure.Kind && (step is null || w.Key == step || w.Value.StepId == step))
                .ToList();
        if (questions.Count == 0)
        {
            throw new NoQuestionException(
                $"run {runId} is {record.Status.ToString().ToLowerInvariant()} and has no failed step{(step is null ? "" : $" '{step}'")} waiting "
                + "for an answer");
        }

        if (questions.Count > 1)
        {
            throw new ArgumentException(
                $"run {runId} has {questions.Count} failed steps waiting for an answer; name one: "
                + $"{string.Join(", ", questions.Select(q => q.Value.StepId ?? q.Key))}");
        }

        return await SignalAsync(runId, questions[0].Value.Wait!.Signal, GuidedFailure.Payload(choice), by, cancellationToken).ConfigureAwait(false);
    }
}
