using Gantry.Engine.Model;

namespace Gantry.Engine.Runtime;

/// <summary>The journal events that end a step (an action or a block), built in one place so every end names the step alike.</summary>
internal static class StepEvents
{
    /// <param name="activity">The action's activity, or the block's kind (<c>group</c>, <c>parallel</c>, …).</param>
    public static JournalEvent Succeeded(string key, StepNode step, string? activity, string? host = null, object? outputs = null) =>
        new()
        {
            Type = JournalEventTypes.StepSucceeded,
            Path = key,
            StepId = step.Id,
            Activity = activity,
            Host = host,
            Outputs = outputs,
        };

    /// <param name="activity">The action's activity, or the block's kind (<c>group</c>, <c>parallel</c>, …).</param>
    public static JournalEvent Failed(
        string key, StepNode step, string? activity, ErrorInfo error, string? host = null, string? actor = null, int? attempt = null) =>
        new()
        {
            Type = JournalEventTypes.StepFailed,
            Path = key,
            StepId = step.Id,
            Activity = activity,
            Host = host,
            Actor = actor,
            Error = error,
            Attempt = attempt,
        };
}
