using Gantry.Engine.Activities;

namespace Gantry.Engine.Runtime;

/// <summary>
/// One append-only journal entry. The run's state is derivable from its journal alone
/// (<see cref="JournalState"/>). Texts are masked before they are written.
/// </summary>
public sealed record JournalEvent
{
    /// <summary>Assigned by the store, 1-based and gap-free per run.</summary>
    public long Sequence { get; init; }

    public required string Type { get; init; }

    public DateTimeOffset Time { get; init; }

    /// <summary>The step instance key (structural path, with loop index and call prefix).</summary>
    public string? Path { get; init; }

    public string? StepId { get; init; }

    public string? Activity { get; init; }

    public string? Host { get; init; }

    public string? Message { get; init; }

    /// <summary>Rendered inputs (masked) on step.started.</summary>
    public object? Inputs { get; init; }

    /// <summary>Outputs on step.succeeded.</summary>
    public object? Outputs { get; init; }

    public ErrorInfo? Error { get; init; }

    public WaitRequest? Wait { get; init; }

    /// <summary>Signal name on signal.received.</summary>
    public string? Signal { get; init; }

    public object? Payload { get; init; }

    /// <summary>Final status on run.finished.</summary>
    public RunStatus? Status { get; init; }

    public int? Attempt { get; init; }

    /// <summary>Who did it (signal sender, approver, canceller).</summary>
    public string? Actor { get; init; }
}

/// <summary>An error as journals and messages show it: its kind, message, and where it happened.</summary>
public sealed record ErrorInfo(string Type, string Message, string? Where = null);

/// <summary>The journal's event types.</summary>
public static class JournalEventTypes
{
    /// <summary>What started the run (a webhook's details in <see cref="JournalEvent.Payload"/>); written when the run is created.</summary>
    public const string RunTriggered = "run.triggered";
    public const string RunStarted = "run.started";
    public const string RunResumed = "run.resumed";
    public const string RunFinished = "run.finished";
    public const string RunCancelRequested = "run.cancel-requested";

    /// <summary>An operator retried a failed or cancelled run (<see cref="JournalEvent.Actor"/>; payload: from, step, before); see <see
    /// cref="RetryPoint"/>.</summary>
    public const string RunRetried = "run.retried";
    public const string StepStarted = "step.started";
    public const string StepSucceeded = "step.succeeded";
    public const string StepFailed = "step.failed";
    public const string StepSkipped = "step.skipped";
    public const string StepWaiting = "step.waiting";
    public const string StepResumed = "step.resumed";
    public const string StepRetrying = "step.retrying";

    /// <summary>What a step decided to do, journaled before it acts; a re-run of the step drives to it (payload: the intent).</summary>
    public const string StepIntent = "step.intent";
    public const string SignalReceived = "signal.received";
    public const string Log = "log";
    public const string Progress = "progress";
}
