namespace Gantry.Engine.Runtime;

/// <summary>
/// A store refused to create a run because a run with its id exists already: another start with the same
/// idempotency key or caller-given id (on this or another server sharing the store) created it first.
/// An <see cref="InvalidOperationException"/>, as stores threw before, so existing handlers still catch it.
/// </summary>
public sealed class RunAlreadyExistsException(string runId) : InvalidOperationException($"run {runId} already exists")
{
    /// <summary>The id of the run that exists.</summary>
    public string RunId { get; } = runId;
}
