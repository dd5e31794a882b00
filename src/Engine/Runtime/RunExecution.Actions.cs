using Gantry.Engine.Activities;
using Gantry.Engine.Diagnostics;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Gantry.Engine.Runtime;

internal sealed partial class RunExecution
{
    private async Task<StepOutcome> RunActionAsync(ActionStep step, Frame frame, string key, CancellationToken cancellationToken, bool followed)
    {
        var asked = _state.Waiting.TryGetValue(key, out var waitEvent) && waitEvent.Wait?.Kind == GuidedFailure.Kind;
        if (asked && await TakeAnswerAsync(step, frame, key, waitEvent!).ConfigureAwait(false) is { } answered)
        {
            return answered;
        }

        IActivity activity;
        try
        {
            activity = _run.Registry.Create(step.Uses, _run.Services);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A plugin activity whose construction throws fails its step, journaled like any step failure. Escaping the
            // execution instead, the run failed outside its journal, and a takeover worker claimed it again on every poll.
            return await FailAsync(step, frame, key, ex, attempt: 1).ConfigureAwait(false);
        }

        IReadOnlyDictionary<string, object?> inputs;
        try
        {
            // The scope copies every earlier step's outputs: build it only when there is something to render.
            inputs = step.With is null ? new Dictionary<string, object?>() : RenderInputs(step, ActionScope(frame), cancellationToken);
        }
        catch (TemplateException ex)
        {
            return await FailAsync(step, frame, key, ex, attempt: 1).ConfigureAwait(false);
        }

        // Answered retry: the step runs again as a new attempt, not as the resumption of a wait.
        var waiting = !asked && waitEvent is not null;
        if (!waiting && !HasStarted(key))
        {
            await _run.Journal.AppendAsync(new JournalEvent
            {
                Type = JournalEventTypes.StepStarted,
                Path = key,
                StepId = step.Id,
                Activity = step.Uses,
                Host = frame.Host?.Name,
                Inputs = inputs,
            }).ConfigureAwait(false);
            _run.MarkStarted(key);
        }

        // A resumed step journals no start to take the step before's deferred end along: nothing acts before it is committed.
        await _run.Journal.FlushAsync().ConfigureAwait(false);
        if (waiting)
        {
            return await ResumeWaitAsync(step, frame, key, activity, inputs, waitEvent!, cancellationToken).ConfigureAwait(false);
        }

        var attempt = 0;
        try
        {
            // Most steps have neither retry nor timeout: they need no resilience pipeline built for them.
            var result = step.Retry is { Attempts: > 1 } || step.Timeout is not null
                ? await Pipeline(step, key).ExecuteAsync(
                    async token =>
                    {
                        attempt++;
                        return await activity.ExecuteAsync(Context(step, frame, key, inputs, attempt, signal: null), token).ConfigureAwait(false);
                    },
                    cancellationToken).ConfigureAwait(false)
                : await activity.ExecuteAsync(Context(step, frame, key, inputs, ++attempt, signal: null), cancellationToken).ConfigureAwait(false);
            return await CompleteAsync(step, frame, key, result, followed).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && !Abandoned)
        {
            await _run.Journal
                .AppendAsync(StepEvents.Failed(key, step, step.Uses, new ErrorInfo("Cancelled", "cancelled while running")))
                .ConfigureAwait(false);
            throw;
        }
        catch (TimeoutRejectedException) when (!Abandoned)
        {
            return await FailAsync(step, frame, key, new StepTimeoutException(step.Label, step.Timeout!.Value), Math.Max(attempt, 1))
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not StepFailedException && !Abandoned)
        {
            return await FailAsync(step, frame, key, ex, Math.Max(attempt, 1)).ConfigureAwait(false);
        }
    }

    private TemplateScope ActionScope(Frame frame) =>
        frame.Host is { } host ? frame.Scope().With("host", HostVariable(host, _run.Environment)) : frame.Scope();

    private async Task<StepOutcome> ResumeWaitAsync(
        ActionStep step,
        Frame frame,
        string key,
        IActivity activity,
        IReadOnlyDictionary<string, object?> inputs,
        JournalEvent waitEvent,
        CancellationToken cancellationToken)
    {
        var signals = _state.SignalsFor(key);
        for (var i = 0; i < signals.Count; i++)
        {
            var signal = signals[i];
            try
            {
                var context = Context(step, frame, key, inputs, 1, signal, signals.Take(i + 1).ToList());
                var result = await activity.ExecuteAsync(context, cancellationToken).ConfigureAwait(false);
                if (result is CompletedResult)
                {
                    await _run.Journal
                        .AppendAsync(
                            new JournalEvent
                            {
                                Type = JournalEventTypes.StepResumed,
                                Path = key,
                                StepId = step.Id,
                                Signal = signal.Name,
                                Actor = signal.SentBy,
                            })
                        .ConfigureAwait(false);
                    return await CompleteAsync(step, frame, key, result, followed: false).ConfigureAwait(false);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return await FailAsync(step, frame, key, ex, 1).ConfigureAwait(false);
            }
        }

        _run.Waiting[key] = waitEvent.Wait!;
        return StepOutcome.Suspended;
    }

    private async Task<StepOutcome> CompleteAsync(ActionStep step, Frame frame, string key, ActivityResult result, bool followed)
    {
        switch (result)
        {
            case CompletedResult completed:
                await EndAsync(StepEvents.Succeeded(key, step, step.Uses, frame.Host?.Name, completed.Outputs), followed).ConfigureAwait(false);
                frame.Record(step.Id, "succeeded", completed.Outputs);
                return StepOutcome.Completed;
            case SuspendedResult suspended:
                await _run.Journal
                    .AppendAsync(
                        new JournalEvent
                        {
                            Type = JournalEventTypes.StepWaiting,
                            Path = key,
                            StepId = step.Id,
                            Activity = step.Uses,
                            Wait = suspended.Wait,
                            Message = suspended.Wait.Description,
                        })
                    .ConfigureAwait(false);
                _run.Waiting[key] = suspended.Wait;
                return StepOutcome.Suspended;
            default:
                throw new InvalidOperationException($"unknown activity result {result.GetType().Name}");
        }
    }

    private async Task<StepOutcome> FailAsync(StepNode step, Frame frame, string key, Exception error, int attempt)
    {
        var info = new ErrorInfo(ErrorType(error), _run.Masker.Apply(error.Message), $"{step.Location} {key}".Trim());
        if (!step.ContinueOnError && step is ActionStep action && await AskSettingsAsync(step, frame, key).ConfigureAwait(false) is { } ask)
        {
            return await AskAsync(action, frame, key, info, attempt, ask).ConfigureAwait(false);
        }

        await _run.Journal
            .AppendAsync(StepEvents.Failed(key, step, (step as ActionStep)?.Uses, info, frame.Host?.Name, attempt: attempt))
            .ConfigureAwait(false);
        if (step.ContinueOnError)
        {
            frame.Record(step.Id, "failed", null);
            return StepOutcome.Completed;
        }

        throw new StepFailedException(key, step.Label, info, error);
    }

    private ActivityContext Context(
        ActionStep step,
        Frame frame,
        string key,
        IReadOnlyDictionary<string, object?> inputs,
        int attempt,
        SignalDelivery? signal,
        IReadOnlyList<SignalDelivery>? signals = null
    ) =>
        new()
        {
            RunId = _run.Record.Id,
            WorkflowId = _run.Record.WorkflowId,
            StepPath = key,
            StepId = step.Id,
            ActivityName = step.Uses,
            Inputs = inputs,
            InputsLocation = step.With?.Location ?? step.Location,
            Environment = _run.Environment,
            Host = frame.Host,
            Secrets = _run.Secrets,
            Log = new StepLog(_run.Journal, key, frame.Host?.Name),
            Services = _run.Services,
            Time = _run.Time,
            DataDirectory = _run.Options.DataDirectory,
            Signal = signal,
            Signals = signals ?? [],
            Attempt = attempt,
            Intent = new StepIntent(_run, key),
            PerHostRenderer = PerHostRenderer(step, frame, _cancel),
        };

    /// <summary>Per-step retry (with backoff, on chosen errors) around a per-attempt timeout, on the engine's clock.</summary>
    private ResiliencePipeline<ActivityResult> Pipeline(StepNode step, string key)
    {
        var builder = new ResiliencePipelineBuilder<ActivityResult> { TimeProvider = _run.Time };
        if (step.Retry is { Attempts: > 1 } retry)
        {
            builder.AddRetry(new RetryStrategyOptions<ActivityResult>
            {
                MaxRetryAttempts = retry.Attempts - 1,
                Delay = retry.Delay,
                MaxDelay = retry.MaxDelay,
                BackoffType = retry.Backoff switch
                {
                    BackoffKind.Constant => DelayBackoffType.Constant,
                    BackoffKind.Linear => DelayBackoffType.Linear,
                    _ => DelayBackoffType.Exponential,
                },
                UseJitter = false,
                ShouldHandle = args =>
                    ValueTask.FromResult(args.Outcome.Exception is { } ex && ShouldRetry(retry, ex, args.Context.CancellationToken)),
                OnRetry = async args =>
                {
                    await _run.Journal.AppendAsync(new JournalEvent
                    {
                        Type = JournalEventTypes.StepRetrying,
                        Path = key,
                        StepId = step.Id,
                        Attempt = args.AttemptNumber + 1,
                        Message = $"attempt {args.AttemptNumber + 1} of {retry.Attempts} failed: "
                            + $"{_run.Masker.Apply(args.Outcome.Exception?.Message)}; retrying in {Schema.Duration.Format(args.RetryDelay)}",
                    }).ConfigureAwait(false);
                },
            });
        }

        if (step.Timeout is { } timeout)
        {
            builder.AddTimeout(timeout);
        }

        return builder.Build();
    }

    private static bool ShouldRetry(RetrySettings retry, Exception error, CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested || error is DocumentInvalidException)
        {
            return false;
        }

        if (retry.On.Count == 0)
        {
            return true;
        }

        return retry.On.Any(kind => IsErrorKind(error, kind));
    }

    /// <summary>
    /// Whether <paramref name="error"/> is of the retry kind <paramref name="kind"/>, by name only (never by its message):
    /// <c>any</c>; <c>timeout</c> for every timeout (the step's own, <c>shell.local</c>'s, a remote command's);
    /// or the name of the error's type or of one of its base types without the <c>Exception</c> suffix, case-insensitive
    /// (<c>HttpCheck</c>, <c>HttpRequest</c>, <c>Deploy</c>, <c>SshHost</c>, <c>Git</c>, ...).
    /// </summary>
    internal static bool IsErrorKind(Exception error, string kind)
    {
        if (string.Equals(kind, "any", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var kinds = KindsOf(error).ToList();
        return string.Equals(kind, "timeout", StringComparison.OrdinalIgnoreCase)
            ? error is TimeoutRejectedException or TimeoutException || kinds.Any(k => k.EndsWith("Timeout", StringComparison.Ordinal))
            : kinds.Contains(kind, StringComparer.OrdinalIgnoreCase);
    }

    private static IEnumerable<string> KindsOf(Exception error)
    {
        yield return ErrorType(error);
        for (
            var type = error.GetType().BaseType;
            type is not null && type != typeof(Exception) && type != typeof(SystemException);
            type = type.BaseType)
        {
            yield return KindName(type);
        }
    }

    private static string ErrorType(Exception error) => error switch
    {
        StepTimeoutException or TimeoutRejectedException => "Timeout",
        _ => KindName(error.GetType()),
    };

    private static string KindName(Type type) =>
        type.Name.EndsWith("Exception", StringComparison.Ordinal) ? type.Name[..^"Exception".Length] : type.Name;
}
