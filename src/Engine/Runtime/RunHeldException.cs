namespace Gantry.Engine.Runtime;

/// <summary>
/// The run is executing in another process (or this process's node already executes it): its node holds a
/// live lease. Nothing was executed here; signals and cancel requests journaled meanwhile reach that node.
/// </summary>
public sealed class RunHeldException : InvalidOperationException
{
    public RunHeldException(string runId, string? holderNodeId, DateTimeOffset? leaseExpiresAt)
        : base(holderNodeId is null
            ? $"run {runId} is executing in this process"
            : $"run {runId} is executing on node {holderNodeId} (its lease runs until {leaseExpiresAt:u} unless renewed)")
    {
        RunId = runId;
        HolderNodeId = holderNodeId;
        LeaseExpiresAt = leaseExpiresAt;
    }

    public string RunId { get; }

    /// <summary>The node holding the run's lease; null when it is this engine's own execution.</summary>
    public string? HolderNodeId { get; }

    /// <summary>When the holder's lease ends unless it renews it.</summary>
    public DateTimeOffset? LeaseExpiresAt { get; }
}
