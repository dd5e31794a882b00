namespace Gantry.Engine.Runtime;

/// <summary>A step failed; names the step and carries what went wrong. Ends the run unless handled by on_failure.</summary>
public sealed class StepFailedException(string stepKey, string label, ErrorInfo error, Exception? inner = null)
    : Exception($"step {label} ({stepKey}) failed: {error.Message}", inner)
{
    public string StepKey { get; } = stepKey;

    public string Label { get; } = label;

    public ErrorInfo Error { get; } = error;
}

/// <summary>A step ran longer than its <c>timeout</c>; it was cancelled, not abandoned.</summary>
public sealed class StepTimeoutException(string label, TimeSpan timeout)
    : TimeoutException($"step {label} timed out after {Schema.Duration.Format(timeout)} and was cancelled");

/// <summary>A run cannot start because another run holds its concurrency key (queue: reject).</summary>
public sealed class ConcurrencyConflictException(string key, string holderRunId)
    : InvalidOperationException(
        $"concurrency key '{key}' is held by run {holderRunId}; this workflow refuses a second run (concurrency.queue: reject)")
{
    public string Key { get; } = key;

    public string HolderRunId { get; } = holderRunId;
}
