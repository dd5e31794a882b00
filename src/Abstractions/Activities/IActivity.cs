namespace Gantry.Engine.Activities;

/// <summary>
/// The one method the engine calls. Most activities derive from <see cref="Activity{TInputs,TOutputs}"/>
/// or <see cref="WaitingActivity{TInputs,TOutputs}"/>, which bind typed inputs and outputs.
/// An activity must be idempotent: after a crash the interrupted step runs again.
/// </summary>
public interface IActivity
{
    Task<ActivityResult> ExecuteAsync(ActivityContext context, CancellationToken cancellationToken);
}

/// <summary>What a step did: completed with outputs, or suspended until a signal arrives.</summary>
public abstract record ActivityResult
{
    public static ActivityResult Completed(IReadOnlyDictionary<string, object?> outputs) => new CompletedResult(outputs);

    public static ActivityResult Suspended(WaitRequest wait) => new SuspendedResult(wait);
}

public sealed record CompletedResult(IReadOnlyDictionary<string, object?> Outputs) : ActivityResult;

public sealed record SuspendedResult(WaitRequest Wait) : ActivityResult;

/// <summary>
/// A bookmark: the run sleeps, holding no thread, until a signal named <see cref="Signal"/> arrives
/// (by CLI, HTTP, webhook or approval) or, for delays, until <see cref="ResumeAt"/>.
/// </summary>
/// <param name="Signal">Signal name that resumes the step.</param>
/// <param name="Kind">signal, approval, webhook or delay; for people and the designer.</param>
/// <param name="Description">What the run waits for, shown with the resume command.</param>
/// <param name="ResumeAt">For delays and timeouts: when a timer resumes the step.</param>
public sealed record WaitRequest(string Signal, string Kind, string Description, DateTimeOffset? ResumeAt = null);

/// <summary>A signal delivered to a waiting run: its name, payload (JSON-shaped plain value) and who sent it.</summary>
public sealed record SignalDelivery(string Name, object? Payload, string? SentBy, DateTimeOffset Time);
