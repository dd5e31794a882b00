namespace Gantry.Engine.Runtime;

/// <summary>Removes old history from a durable run store.</summary>
public interface IRunRetention
{
    /// <summary>
    /// Deletes finished runs (with their journals) that finished before <paramref name="finishedBefore"/>;
    /// returns how many runs were deleted. Unfinished runs are never deleted.
    /// </summary>
    Task<int> PruneAsync(DateTimeOffset finishedBefore, CancellationToken cancellationToken);
}
