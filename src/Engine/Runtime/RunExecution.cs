using System.Runtime.ExceptionServices;
using Gantry.Engine.Activities;
using Gantry.Engine.Expressions;
using Gantry.Engine.Model;
using Gantry.Engine.Schema;

namespace Gantry.Engine.Runtime;

/// <summary>
/// One pass over a run: walks the step tree from the start, skipping step instances the journal
/// says are finished (replaying their outputs), and executes the rest until the run ends or
/// suspends on a wait. The same code path serves first runs, resumes after a signal and
/// recovery after a crash.
/// </summary>
internal sealed partial class RunExecution
{
    private readonly RunContext _run;
    private readonly JournalState _state;
    private readonly CancellationToken _cancel;
    private readonly CancellationToken _abandon;

    /// <param name="cancel">Cancels the steps: a user's cancel (on_failure and finally still run), or <paramref name="abandon"/>.</param>
    /// <param name="abandon">Stops the pass where it is without cleaning up (the node lost the run's lease).</param>
    public RunExecution(RunContext run, JournalState state, CancellationToken cancel, CancellationToken abandon = default)
    {
        _run = run;
        _state = state;
        _cancel = cancel;
        _abandon = abandon;
    }

    /// <summary>The workflow's declared outputs, rendered once it has succeeded.</summary>
    public IReadOnlyDictionary<string, object?>? Outputs { get; private set; }

    public async Task<(RunStatus Status, string? Message)> ExecuteAsync()
    {
        var workflow = _run.Workflow;
        var frame = new Frame(_run.BaseScope(workflow, _run.Record.Inputs));
        Exception? failure = null;
        StepOutcome outcome;
        try
        {
            // The last step's end is committed with the run's end (nothing acts between them).
            outcome = await RunSequenceAsync(workflow.Steps, frame, "", _cancel, lastFollowed: true).ConfigureAwait(false);
        }
        catch (Exception ex) when (!Abandoned && (ex is StepFailedException || (ex is OperationCanceledException && _cancel.IsCancellationRequested)))
        {
            failure = ex;
            outcome = StepOutcome.Completed;
        }

        if (outcome == StepOutcome.Suspended)
        {
            return (RunStatus.Waiting, DescribeWaits());
        }

        if (failure is not null && workflow.OnFailure.Count > 0)
        {
            var handlerFrame = new Frame(frame.Scope().With("error", ErrorVariable(failure)), frame);
            using var cleanup = CleanupToken(failure, _cancel);
            try
            {
                if (await RunSequenceAsync(workflow.OnFailure, handlerFrame, "", cleanup.Token).ConfigureAwait(false) == StepOutcome.Suspended)
                {
                    return (RunStatus.Waiting, DescribeWaits());
                }
            }
            catch (StepFailedException handlerFailure)
            {
                await _run.Journal.LogAsync(null, $"on_failure also failed: {handlerFailure.Message}", warn: true).ConfigureAwait(false);
            }
        }

        if (failure is null && workflow.Outputs.Count > 0)
        {
            try
            {
                Outputs = workflow.Outputs.ToDictionary(
                    o => o.Key,
                    o => TemplateRenderer.Render(o.Value, frame.Scope(), _cancel),
                    StringComparer.Ordinal);
            }
            catch (TemplateException ex)
            {
                return (RunStatus.Failed, $"the workflow's outputs could not be rendered: {ex.Message}");
            }
        }

        return failure switch
        {
            null => (RunStatus.Succeeded, null),
            OperationCanceledException => (RunStatus.Cancelled, $"cancelled{(_state.CancelledBy is { } by ? " by " + by : "")}"),
            StepFailedException f => (RunStatus.Failed, f.Message),
            _ => (RunStatus.Failed, failure.Message),
        };
    }

    /// <param name="lastFollowed">Whether the caller commits something right after the sequence's last step (the run's end), so that
    /// its end can be deferred too.</param>
    private async Task<StepOutcome> RunSequenceAsync(
        IReadOnlyList<StepNode> steps,
        Frame frame,
        string prefix,
        CancellationToken cancellationToken,
        bool lastFollowed = false)
    {
        for (var i = 0; i < steps.Count; i++)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                // The step before ended: its deferred end is committed even though the run stops here.
                await _run.Journal.FlushAsync().ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }

            // A step followed by another in this sequence leaves its end to be committed with the next one's start.
            if (await RunStepAsync(steps[i], frame, prefix, cancellationToken, followed: lastFollowed || i < steps.Count - 1).ConfigureAwait(false)
                == StepOutcome.Suspended)
            {
                return StepOutcome.Suspended;
            }
        }

        return StepOutcome.Completed;
    }

    /// <param name="followed">Whether another step of the same sequence comes right after this one: its end (succeeded or skipped) is then deferred
    /// to the next append.</param>
    private async Task<StepOutcome> RunStepAsync(
        StepNode step,
        Frame frame,
        string prefix,
        CancellationToken cancellationToken,
        bool followed = false)
    {
        var key = prefix + step.Path;
        if (_state.TryGetFinished(key, out var finished) && step is ActionStep)
        {
            return Replay(step, frame, key, finished);
        }

        if (_state.TryGetFinished(key, out var skipped) && skipped.Type == JournalEventTypes.StepSkipped)
        {
            return StepOutcome.Completed;
        }

        if (step.If is { } condition && !_state.Finished.ContainsKey(key) && !_state.Waiting.ContainsKey(key)
            && !HasStarted(key) && !TemplateRenderer.IsTrue(condition, frame.Scope(), cancellationToken))
        {
            await EndAsync(
                    new JournalEvent
                    {
                        Type = JournalEventTypes.StepSkipped,
                        Path = key,
                        StepId = step.Id,
                        Message = $"condition is false: {condition.Text}",
                    },
                    followed)
                .ConfigureAwait(false);
            return StepOutcome.Completed;
        }

        return step switch
        {
            ActionStep action => await RunActionAsync(action, frame, key, cancellationToken, followed).ConfigureAwait(false),
            GroupStep group => await RunBlockAsync(step, key, () => RunGroupAsync(group, frame, prefix, cancellationToken)).ConfigureAwait(false),
            ParallelStep parallel => await RunBlockAsync(step, key, () => RunParallelAsync(parallel, frame, prefix, cancellationToken))
                .ConfigureAwait(false),
            ForeachStep loop => await RunBlockAsync(step, key, () => RunForeachAsync(loop, frame, key, cancellationToken)).ConfigureAwait(false),
            CallStep call => await RunCallBlockAsync(call, frame, key, cancellationToken).ConfigureAwait(false),
            _ => throw new InvalidOperationException($"unknown step kind {step.GetType().Name}"),
        };
    }

    /// <summary>
    /// Journals a step's end: deferred when another step follows (committed with that step's start, one
    /// commit per transition), else appended and committed now.
    /// </summary>
    private Task EndAsync(JournalEvent end, bool followed)
    {
        if (!followed)
        {
            return _run.Journal.AppendAsync(end);
        }

        _run.Journal.Defer(end);
        return Task.CompletedTask;
    }

    private StepOutcome Replay(StepNode step, Frame frame, string key, JournalEvent finished)
    {
        switch (finished.Type)
        {
            case JournalEventTypes.StepSucceeded:
                frame.Record(step.Id, "succeeded", finished.Outputs);
                return StepOutcome.Completed;
            case JournalEventTypes.StepSkipped:
                frame.Record(step.Id, "skipped", null);
                return StepOutcome.Completed;
            case JournalEventTypes.StepFailed when step.ContinueOnError:
                frame.Record(step.Id, "failed", null);
                return StepOutcome.Completed;
            default:
                throw new StepFailedException(key, step.Label, finished.Error ?? new ErrorInfo("Error", finished.Message ?? "failed"));
        }
    }

    /// <summary>Journals a block's start and end around its body (with <paramref name="outputs"/> when given); a block's own failure is journaled
    /// once.</summary>
    private async Task<StepOutcome> RunBlockAsync(StepNode step, string key, Func<Task<StepOutcome>> body, Func<object?>? outputs = null)
    {
        if (!HasStarted(key))
        {
            await _run.Journal
                .AppendAsync(
                    new JournalEvent
                    {
                        Type = JournalEventTypes.StepStarted,
                        Path = key,
                        StepId = step.Id,
                        Activity = BlockKind(step),
                    })
                .ConfigureAwait(false);
            _run.MarkStarted(key);
        }

        try
        {
            var outcome = await body().ConfigureAwait(false);
            if (outcome == StepOutcome.Completed && !_state.Finished.ContainsKey(key))
            {
                await _run.Journal
                    .AppendAsync(StepEvents.Succeeded(key, step, BlockKind(step), outputs: outputs?.Invoke()))
                    .ConfigureAwait(false);
            }

            return outcome;
        }
        catch (StepFailedException failure) when (!_state.Finished.ContainsKey(key))
        {
            await _run.Journal
                .AppendAsync(StepEvents.Failed(key, step, BlockKind(step), failure.Error))
                .ConfigureAwait(false);
            if (step.ContinueOnError)
            {
                return StepOutcome.Completed;
            }

            throw;
        }
    }

    private async Task<StepOutcome> RunGroupAsync(GroupStep group, Frame frame, string prefix, CancellationToken cancellationToken)
    {
        Exception? failure = null;
        StepOutcome outcome;
        try
        {
            outcome = await RunSequenceAsync(group.Steps, frame, prefix, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!Abandoned && ex is StepFailedException or OperationCanceledException)
        {
            failure = ex;
            outcome = StepOutcome.Completed;
        }

        if (outcome == StepOutcome.Suspended)
        {
            return outcome;
        }

        using var cleanup = CleanupToken(failure, cancellationToken);
        if (failure is not null && group.OnFailure.Count > 0)
        {
            var handlerFrame = new Frame(frame.Scope().With("error", ErrorVariable(failure)), frame);
            if (await RunSequenceAsync(group.OnFailure, handlerFrame, prefix, cleanup.Token).ConfigureAwait(false) == StepOutcome.Suspended)
            {
                return StepOutcome.Suspended;
            }
        }

        if (group.Finally.Count > 0
            && await RunSequenceAsync(group.Finally, frame, prefix, cleanup.Token).ConfigureAwait(false) == StepOutcome.Suspended)
        {
            return StepOutcome.Suspended;
        }

        if (failure is not null)
        {
            ExceptionDispatchInfo.Throw(failure);
        }

        return StepOutcome.Completed;
    }

    private async Task<StepOutcome> RunParallelAsync(ParallelStep parallel, Frame frame, string prefix, CancellationToken cancellationToken)
    {
        var branches = parallel
            .Branches.Select(b => Task.Run(() => RunStepAsync(b, frame, prefix, cancellationToken), CancellationToken.None))
            .ToList();
        try
        {
            await Task.WhenAll(branches).ConfigureAwait(false);
        }
        catch (Exception) when (branches.All(b => b.IsCompleted))
        {
            // Every branch has ended; report the first failure in branch order.
            var failed = branches.First(b => b.IsFaulted || b.IsCanceled);
            await failed.ConfigureAwait(false);
        }

        return branches.Any(b => b.Result == StepOutcome.Suspended) ? StepOutcome.Suspended : StepOutcome.Completed;
    }

    /// <summary>
    /// A call's step.succeeded carries the callee's outputs for observers. On resume a finished call
    /// still runs through its callee (every step replayed from the journal) and renders the outputs
    /// again, because the journaled copy has its secrets masked.
    /// </summary>
    private async Task<StepOutcome> RunCallBlockAsync(CallStep call, Frame frame, string key, CancellationToken cancellationToken)
    {
        Dictionary<string, object?>? outputs = null;
        return await RunBlockAsync(call, key, async () =>
        {
            var (outcome, rendered) = await RunCallAsync(call, frame, key, cancellationToken).ConfigureAwait(false);
            outputs = rendered;
            return outcome;
        }, () => outputs).ConfigureAwait(false);
    }

    private async Task<(StepOutcome Outcome, Dictionary<string, object?>? Outputs)> RunCallAsync(
        CallStep call,
        Frame frame,
        string key,
        CancellationToken cancellationToken)
    {
        var callee = _run.Definition(DefinitionLibrary.Key(call.Workflow, call.Version));
        var given = call.Inputs is null
            ? new Dictionary<string, object?>()
            : (Dictionary<string, object?>)TemplateRenderer.Render(call.Inputs, frame.Scope(), cancellationToken)!;
        var inputs = InputBinder.Bind(callee, given);
        var calleeFrame = new Frame(_run.BaseScope(callee, inputs));
        var prefix = key + "/";

        // A call that finished before this pass holds nothing more (a key it left held goes with the run's end).
        var heldKey = _state.Finished.ContainsKey(key)
            ? null
            : await _run.CallKeys.AcquireAsync(call, key, callee, calleeFrame.Scope(), _run.Journal, cancellationToken).ConfigureAwait(false);
        Exception? failure = null;
        try
        {
            if (await RunSequenceAsync(callee.Steps, calleeFrame, prefix, cancellationToken).ConfigureAwait(false) == StepOutcome.Suspended)
            {
                return (StepOutcome.Suspended, null);
            }
        }
        catch (Exception ex) when (!Abandoned && ex is StepFailedException or OperationCanceledException)
        {
            failure = ex;
        }

        if (failure is not null)
        {
            if (callee.OnFailure.Count > 0)
            {
                using var cleanup = CleanupToken(failure, cancellationToken);
                var handlerFrame = new Frame(calleeFrame.Scope().With("error", ErrorVariable(failure)), calleeFrame);
                if (await RunSequenceAsync(callee.OnFailure, handlerFrame, prefix + "on_failure:", cleanup.Token).ConfigureAwait(false)
                    == StepOutcome.Suspended)
                {
                    return (StepOutcome.Suspended, null);
                }
            }

            await ReleaseCallKeyAsync(heldKey, key).ConfigureAwait(false);
            ExceptionDispatchInfo.Throw(failure);
        }

        await ReleaseCallKeyAsync(heldKey, key).ConfigureAwait(false);

        var outputs = callee.Outputs.ToDictionary(
            o => o.Key,
            o => TemplateRenderer.Render(o.Value, calleeFrame.Scope(), cancellationToken),
            StringComparer.Ordinal);
        frame.Record(call.Id, "succeeded", outputs);
        return (StepOutcome.Completed, outputs);
    }

    /// <summary>Once a call ended (not suspended, not abandoned), the concurrency key it took for its callee is free again.</summary>
    private Task ReleaseCallKeyAsync(string? heldKey, string path) =>
        heldKey is null ? Task.CompletedTask : _run.CallKeys.ReleaseAsync(heldKey, path);

    private bool HasStarted(string key) => _run.HasStarted(key);

    /// <summary>The node lost the run's lease: nothing is caught, journaled or cleaned up any more.</summary>
    private bool Abandoned => _abandon.IsCancellationRequested;

    private CancellationTokenSource CleanupToken(Exception? failure, CancellationToken cancellationToken)
    {
        // A user's cancel still runs on_failure and finally, under a token of their own with a time limit
        // that only losing the lease cuts short.
        if (failure is OperationCanceledException || cancellationToken.IsCancellationRequested)
        {
            var cleanup = CancellationTokenSource.CreateLinkedTokenSource(_abandon);
            cleanup.CancelAfter(_run.Options.CleanupTimeout);
            return cleanup;
        }

        return CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
    }

    private static Dictionary<string, object?> ErrorVariable(Exception failure) => failure switch
    {
        StepFailedException f => new() { ["message"] = f.Error.Message, ["step"] = f.Label, ["type"] = f.Error.Type },
        _ => new() { ["message"] = "cancelled", ["step"] = null, ["type"] = "Cancelled" },
    };

    private string DescribeWaits() => string.Join("; ", _run.Waiting.Select(w => $"{w.Value.Description} (signal '{w.Value.Signal}')"));

    private static string BlockKind(StepNode step) => step switch
    {
        GroupStep => "group",
        ParallelStep => "parallel",
        ForeachStep => "foreach",
        CallStep call => $"workflow.call:{call.Workflow}",
        _ => "step",
    };

    internal static object? HostVariable(HostBinding host, EnvironmentDefinition? environment) => new Dictionary<string, object?>
    {
        ["name"] = host.Name,
        ["group"] = host.Group,
        ["address"] = host.Settings.Address,
        ["user"] = host.Settings.User ?? environment?.Ssh.User,
        ["port"] = (long)(host.Settings.Port ?? environment?.Ssh.Port ?? 22),
        ["lb_server"] = host.Settings.LbServer ?? host.Name,
        ["root"] = host.Settings.Root ?? environment?.Deploy.Root,
        ["vars"] = PlainValue.FromTyped(host.Settings.Vars),
    };
}
