using System.Globalization;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

internal sealed partial class RunExecution
{
    /// <summary>The step's on_error (else its workflow's, outside handlers) when it renders to ask; null to fail as usual.</summary>
    private async Task<OnErrorSettings?> AskSettingsAsync(StepNode step, Frame frame, string key)
    {
        var settings = step.OnError ?? (RetryPoint.InHandler(key) ? null : _run.OwnerOf(step)?.OnError);
        if (settings is null)
        {
            return null;
        }

        string mode;
        try
        {
            mode = Convert.ToString(TemplateRenderer.Render(settings.Mode, ActionScope(frame), _cancel), CultureInfo.InvariantCulture)?.Trim() ?? "";
        }
        catch (TemplateException ex)
        {
            await _run
                .Journal.LogAsync(key, $"on_error could not be rendered ({ex.Message}); the step fails without asking", warn: true)
                .ConfigureAwait(false);
            return null;
        }

        if (mode is OnErrorSettings.Fail or "")
        {
            return null;
        }

        if (mode != OnErrorSettings.Ask)
        {
            await _run.Journal
                .LogAsync(
                    key,
                    $"on_error rendered '{mode}' at {settings.Location}; expected ask or fail: the step fails without asking",
                    warn: true)
                .ConfigureAwait(false);
            return null;
        }

        return settings;
    }

    /// <summary>Journals the question (the error and the three answers) and suspends the run until it is answered or times out.</summary>
    private async Task<StepOutcome> AskAsync(ActionStep step, Frame frame, string key, ErrorInfo error, int attempt, OnErrorSettings settings)
    {
        var wait = new WaitRequest(
            GuidedFailure.SignalFor(key, _state.AsksFor(key) + 1),
            GuidedFailure.Kind,
            $"step {step.Label} failed: {error.Message}; answer retry, skip or abort (gantry runs answer {_run.Record.Id} retry|skip|abort); no "
            + "answer by then aborts",
            _run.Time.GetUtcNow() + settings.Timeout);
        await _run.Journal.AppendAsync(new JournalEvent
        {
            Type = JournalEventTypes.StepWaiting,
            Path = key,
            StepId = step.Id,
            Activity = step.Uses,
            Host = frame.Host?.Name,
            Wait = wait,
            Message = wait.Description,
            Error = error,
            Attempt = attempt,
        }).ConfigureAwait(false);
        _run.Waiting[key] = wait;
        return StepOutcome.Suspended;
    }

    /// <summary>
    /// A step waiting for an answer: still waiting (Suspended), skipped (Completed, outputs empty, status skipped),
    /// aborted (throws the step's error, so on_failure runs), or null for retry (the caller runs the step again).
    /// </summary>
    private async Task<StepOutcome?> TakeAnswerAsync(ActionStep step, Frame frame, string key, JournalEvent asked)
    {
        var wait = asked.Wait!;
        var delivery = _state
            .SignalsFor(key)
            .Where(s => s.Name == wait.Signal)
            .Select(s => (Signal: s, Answer: GuidedFailure.AnswerIn(s)))
            .FirstOrDefault(a => a.Answer is not null);
        if (delivery.Answer is not { } answer)
        {
            _run.Waiting[key] = wait;
            return StepOutcome.Suspended;
        }

        var by = delivery.Signal.SentBy ?? "someone";
        var error = asked.Error ?? new ErrorInfo("Error", asked.Message ?? "failed");
        var timedOut = delivery.Signal.Payload is null;
        await _run.Journal.AppendAsync(new JournalEvent
        {
            Type = JournalEventTypes.StepResumed,
            Path = key,
            StepId = step.Id,
            Signal = wait.Signal,
            Actor = by,
            Message = timedOut ? $"no answer by {wait.ResumeAt:u}: abort" : $"{by} answered {answer}",
        }).ConfigureAwait(false);
        switch (answer)
        {
            case GuidedFailure.Skip:
                await _run.Journal
                    .AppendAsync(
                        new JournalEvent
                        {
                            Type = JournalEventTypes.StepSkipped,
                            Path = key,
                            StepId = step.Id,
                            Activity = step.Uses,
                            Actor = by,
                            Message = $"skipped by {by} after it failed: {error.Message}",
                        })
                    .ConfigureAwait(false);
                frame.Record(step.Id, "skipped", null);
                return StepOutcome.Completed;
            case GuidedFailure.Abort:
                await _run.Journal
                    .AppendAsync(StepEvents.Failed(key, step, step.Uses, error, frame.Host?.Name, actor: by))
                    .ConfigureAwait(false);
                throw new StepFailedException(
                    key,
                    step.Label,
                    timedOut ? error with { Message = $"{error.Message} (no answer by {wait.ResumeAt:u}: aborted)" } : error);
            default:
                return null;
        }
    }
}
